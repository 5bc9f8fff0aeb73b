"""The local stand-in for Cognito's managed login: the same OAuth endpoints the staff console uses after deploy.

Deployed, the console sends a staff member to the user pool domain's /oauth2/authorize (authorization code flow
with PKCE), gets ?code= back on /staff, and exchanges it from the browser at /oauth2/token for an ID token, an
access token and a refresh token; it refreshes at /oauth2/token, revokes at /oauth2/revoke and signs out at
/logout. Locally the same endpoints live under /_local (loopback only, like the other local pages), with a sign-in
form for the local staff accounts, and issue the same kind of tokens staff_auth.issue makes, so the console's
script runs unchanged and one browser test walks sign-in -> console -> sign-out.

As strict as Cognito where the console could tell: the redirect and sign-out URLs must be the registered ones
(exactly), only the code flow with an S256 challenge is accepted, a code is single-use, short-lived and bound to
its client, redirect URI and challenge, and a revoked refresh token no longer refreshes. Codes and refresh tokens
live in memory: they end with the local system.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qsl, urlencode

from jinja2 import Environment, select_autoescape

from functions.core.i18n import locale_of, translator
from local_runtime import staff_auth

CLIENT_ID = "local-staff-client"
CODE_SECONDS = 300  # Cognito's authorization codes last five minutes
ID_TOKEN_SECONDS = 3600  # as the deployed app client's ID and access tokens (infra/constructs/api.py)
REFRESH_TOKEN_SECONDS = 24 * 3600
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")  # base64url(SHA-256), unpadded
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")  # RFC 7636


@dataclass(frozen=True)
class Account:
    email: str
    subject: str
    role: str
    person_id: str | None


@dataclass
class _Code:
    account: Account
    redirect_uri: str
    challenge: str
    expires: float


@dataclass
class Response:
    status: int
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    json: dict | None = None


_pages = Environment(autoescape=select_autoescape(default_for_string=True))
SIGN_IN_PAGE = _pages.from_string("""<!doctype html><html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">
<title>{{ t("signin.title") }}</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:26rem;margin:auto;padding:1rem;color:#1a1a1a;line-height:1.5}
label{display:block;margin-top:.75rem;font-weight:600}input,button{font-size:1rem;width:100%;box-sizing:border-box;padding:.5rem}
button{margin-top:1rem;background:#0b57d0;color:#fff;border:0;border-radius:.4rem;min-height:2.75rem;cursor:pointer}
input:focus,button:focus{outline:3px solid #f9ab00;outline-offset:2px}.error{color:#a50e0e}.muted{color:#555}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.25rem;border-bottom:1px solid #ddd;overflow-wrap:anywhere}
</style></head><body>
<h1>{{ t("signin.title") }}</h1>
{% if error %}<p class="error" role="alert">{{ error }}</p>{% endif %}
{% if form %}<form method="post" action="authorize">
{% for name, value in form.items() %}<input type="hidden" name="{{ name }}" value="{{ value }}">{% endfor %}
<label for="email">{{ t("signin.email") }}</label>
<input id="email" name="email" type="email" autocomplete="username" required value="{{ email }}">
<label for="password">{{ t("signin.password") }}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">{{ t("signin.submit") }}</button></form>
<h2>{{ t("signin.local_accounts") }}</h2>
<p class="muted">{{ t("signin.local_password", password=password) }}</p>
<table><thead><tr><th scope="col">{{ t("signin.email") }}</th><th scope="col">{{ t("signin.role") }}</th></tr></thead>
<tbody>{% for a in accounts %}<tr><td>{{ a.email }}</td><td>{{ a.role }}{% if a.person_id %} ({{ a.person_id }}){% endif %}</td></tr>{% endfor %}</tbody></table>
{% endif %}
</body></html>""")


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class LocalSignIn:
    """Cognito managed login's endpoints for one app client whose callback and sign-out URL is `console_url`."""

    def __init__(self, key: str, console_url: str, accounts: list[Account], password: str | None = None,
                 clock: Callable[[], float] = time.time):
        self.key, self.console_url, self.clock = key, console_url, clock
        self.accounts = {a.email.lower(): a for a in accounts}
        self.password = password or secrets.token_urlsafe(9)
        self._codes: dict[str, _Code] = {}
        self._refresh: dict[str, tuple[Account, float]] = {}
        self._lock = threading.Lock()

    def console_urls(self) -> set[str]:
        """The registered callback and sign-out URLs: the console on 127.0.0.1, and the same on localhost (the
        two names a developer types), as an app client lists several."""
        return {self.console_url, self.console_url.replace("//127.0.0.1:", "//localhost:", 1)}

    # ---- GET and POST /_local/oauth2/authorize ----------------------------------------------------------------

    def authorize(self, method: str, query: str, body: bytes, accept_language: str | None) -> Response:
        params = dict(parse_qsl(query)) if method == "GET" else dict(parse_qsl(body.decode("utf-8", "replace")))
        t = translator(locale_of(None, accept_language, params.get("lang")))
        lang = locale_of(None, accept_language, params.get("lang")).value
        problem = self._request_problem(params)
        if problem:  # as Cognito: an unknown client or an unregistered redirect URI is an error page, no redirect
            return self._page(400, t, lang, error=t(problem))
        form = {k: params[k] for k in ("response_type", "client_id", "redirect_uri", "state", "code_challenge",
                                       "code_challenge_method", "scope", "lang") if params.get(k)}
        if method == "GET":
            return self._page(200, t, lang, form=form)
        account = self.accounts.get(params.get("email", "").strip().lower())
        if account is None or not hmac.compare_digest(params.get("password", "").encode(), self.password.encode()):
            return self._page(401, t, lang, form=form, email=params.get("email", ""),
                              error=t("signin.wrong_password"))
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Code(account, params["redirect_uri"], params["code_challenge"],
                                      self.clock() + CODE_SECONDS)
        back = {"code": code, **({"state": params["state"]} if params.get("state") else {})}
        return Response(302, headers={"Location": f"{params['redirect_uri']}?{urlencode(back)}"})

    def _request_problem(self, params: dict) -> str | None:
        if params.get("client_id") != CLIENT_ID:
            return "signin.bad_client"
        if params.get("redirect_uri") not in self.console_urls():
            return "signin.bad_redirect"
        if params.get("response_type") != "code":  # the implicit flow (token) is not allowed for this client
            return "signin.bad_request"
        if params.get("code_challenge_method") != "S256" or not _CHALLENGE.fullmatch(params.get("code_challenge", "")):
            return "signin.bad_request"
        return None

    def _page(self, status: int, t, lang: str, **context) -> Response:
        context.setdefault("form", None)
        context.setdefault("email", "")
        html = SIGN_IN_PAGE.render(t=t, lang=lang, password=self.password,
                                   accounts=sorted(self.accounts.values(), key=lambda a: a.email), **context)
        return Response(status, html, {"Content-Type": "text/html; charset=utf-8"})

    # ---- POST /_local/oauth2/token ---------------------------------------------------------------------------

    def token(self, body: bytes) -> Response:
        params = dict(parse_qsl(body.decode("utf-8", "replace")))
        if params.get("client_id") != CLIENT_ID:
            return _error("invalid_client")
        grant = params.get("grant_type")
        if grant == "authorization_code":
            with self._lock:
                code = self._codes.pop(params.get("code", ""), None)  # single use, whatever follows
            verifier = params.get("code_verifier", "")
            if (code is None or code.expires < self.clock() or code.redirect_uri != params.get("redirect_uri")
                    or not _VERIFIER.fullmatch(verifier)
                    or not hmac.compare_digest(_s256(verifier), code.challenge)):
                return _error("invalid_grant")
            refresh = secrets.token_urlsafe(32)
            with self._lock:
                self._refresh[refresh] = (code.account, self.clock() + REFRESH_TOKEN_SECONDS)
            return Response(200, json={**self._tokens(code.account), "refresh_token": refresh})
        if grant == "refresh_token":
            with self._lock:
                held = self._refresh.get(params.get("refresh_token", ""))
            if held is None or held[1] < self.clock():
                return _error("invalid_grant")
            return Response(200, json=self._tokens(held[0]))  # no new refresh token, as Cognito without rotation
        return _error("unsupported_grant_type")

    def _tokens(self, account: Account) -> dict:
        id_token = staff_auth.issue(self.key, subject=account.subject, email=account.email, groups=[account.role],
                                    person_id=account.person_id, ttl_seconds=ID_TOKEN_SECONDS)
        access_token = staff_auth.issue_machine(self.key, scopes=["openid", "email", "profile"],
                                                client_id=CLIENT_ID, ttl_seconds=ID_TOKEN_SECONDS,
                                                subject=account.subject)
        return {"id_token": id_token, "access_token": access_token, "token_type": "Bearer",
                "expires_in": ID_TOKEN_SECONDS}

    # ---- POST /_local/oauth2/revoke and GET /_local/logout -----------------------------------------------------

    def revoke(self, body: bytes) -> Response:
        params = dict(parse_qsl(body.decode("utf-8", "replace")))
        if params.get("client_id") != CLIENT_ID:
            return _error("invalid_client")
        with self._lock:
            self._refresh.pop(params.get("token", ""), None)
        return Response(200, json={})

    def logout(self, query: str, accept_language: str | None) -> Response:
        params = dict(parse_qsl(query))
        if params.get("client_id") != CLIENT_ID or params.get("logout_uri") not in self.console_urls():
            t = translator(locale_of(None, accept_language, params.get("lang")))
            return self._page(400, t, locale_of(None, accept_language, params.get("lang")).value,
                              error=t("signin.bad_redirect"))
        return Response(302, headers={"Location": params["logout_uri"]})

    def refresh_tokens_held(self) -> int:
        with self._lock:
            return len(self._refresh)


def _error(code: str) -> Response:
    return Response(400, json={"error": code})
