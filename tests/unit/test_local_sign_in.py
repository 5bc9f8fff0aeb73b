"""The local stand-in for Cognito's managed login, over HTTP on the local gateway: the authorization code flow with
PKCE as the staff console uses it, and everything it refuses."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from local_runtime import gateway, staff_auth, staff_sign_in
from local_runtime.staff_sign_in import CLIENT_ID, Account, LocalSignIn

KEY = "a-local-signing-key-of-at-least-32-bytes"
PASSWORD = "local-password-1"


class Clock:
    now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server():
    clock = Clock()
    sign_in = LocalSignIn(KEY, "", [Account("recruiter-1@example.com", "recruiter-1", "recruiter", "rec-1"),
                                    Account("admin-1@example.com", "admin-1", "admin", None)],
                          password=PASSWORD, clock=clock)
    httpd = gateway.make_server("127.0.0.1", 0, lambda name, event: {"statusCode": 200}, KEY, {}, {}, workers=4,
                                sign_in=sign_in)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    sign_in.console_url = f"{base}/staff"
    gateway.serve_in_background(httpd)
    yield base, sign_in, clock
    httpd.shutdown()
    httpd.server_close()


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _authorize_params(base: str, challenge: str, **overrides) -> dict:
    return {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": f"{base}/staff", "state": "s-1",
            "code_challenge": challenge, "code_challenge_method": "S256", "scope": "openid email profile",
            **overrides}


def _sign_in(base: str, challenge: str, email: str = "recruiter-1@example.com", password: str = PASSWORD):
    return requests.post(f"{base}/_local/oauth2/authorize", data={**_authorize_params(base, challenge),
                                                                  "email": email, "password": password},
                         allow_redirects=False, timeout=10)


def _code(base: str, challenge: str) -> str:
    answer = _sign_in(base, challenge)
    assert answer.status_code == 302, answer.text
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]


def _token(base: str, **fields) -> requests.Response:
    return requests.post(f"{base}/_local/oauth2/token", data={"client_id": CLIENT_ID, **fields}, timeout=10)


def test_the_sign_in_page_asks_for_email_and_password_in_the_readers_language(server):
    # GIVEN a sign-in request from the console, in Chinese
    base, _, _ = server
    _, challenge = _pkce()
    # WHEN the browser opens the authorize endpoint
    page = requests.get(f"{base}/_local/oauth2/authorize", params=_authorize_params(base, challenge, lang="zh-CN"),
                        timeout=10)
    # THEN it is a form in Chinese that carries the request on, and lists the local accounts
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    assert "员工登录" in page.text and "密码" in page.text
    assert f'name="code_challenge" value="{challenge}"' in page.text
    assert "recruiter-1@example.com" in page.text
    assert "form-action 'self'" in page.headers["Content-Security-Policy"]


def test_a_correct_sign_in_returns_to_the_console_with_a_code_and_the_state(server):
    # GIVEN the sign-in form
    base, _, _ = server
    _, challenge = _pkce()
    # WHEN a local staff member signs in with their email (any case) and the password
    answer = _sign_in(base, challenge, email="Recruiter-1@Example.com")
    # THEN the browser goes back to the console with a code and the console's state, and no token in the URL
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{base}/staff"
    query = parse_qs(location.query)
    assert set(query) == {"code", "state"} and query["state"] == ["s-1"]


@pytest.mark.parametrize("email, password", [("recruiter-1@example.com", "wrong"), ("nobody@example.com", PASSWORD)])
def test_a_wrong_password_or_unknown_email_shows_the_form_again_and_issues_no_code(server, email, password):
    # GIVEN the sign-in form
    base, sign_in, _ = server
    _, challenge = _pkce()
    # WHEN someone signs in with a wrong password or an unknown email
    answer = _sign_in(base, challenge, email=email, password=password)
    # THEN the same message for both (nobody learns who has an account), the form again, and no code exists
    assert answer.status_code == 401 and "Location" not in answer.headers
    assert "Incorrect email or password." in answer.text and 'name="password"' in answer.text
    assert sign_in._codes == {}


@pytest.mark.parametrize("change, message", [
    ({"redirect_uri": "https://evil.example/staff"}, "not registered"),
    ({"client_id": "another-client"}, "unknown app client"),
    ({"response_type": "token"}, "authorization code flow"),  # the implicit flow
    ({"code_challenge_method": "plain"}, "authorization code flow"),
    ({"code_challenge": ""}, "authorization code flow"),
])
def test_a_request_with_another_redirect_client_or_flow_is_an_error_page_that_goes_nowhere(server, change, message):
    # GIVEN a sign-in request that is not the console's registered one
    base, sign_in, _ = server
    _, challenge = _pkce()
    params = _authorize_params(base, challenge, **change)
    # WHEN it is opened, or even submitted with the right password
    shown = requests.get(f"{base}/_local/oauth2/authorize", params=params, timeout=10)
    posted = requests.post(f"{base}/_local/oauth2/authorize", data={**params, "email": "admin-1@example.com",
                                                                    "password": PASSWORD},
                           allow_redirects=False, timeout=10)
    # THEN both are a 400 page saying why, with no redirect and no form, and no code is issued
    for answer in (shown, posted):
        assert answer.status_code == 400 and "Location" not in answer.headers
        assert message in answer.text and 'name="password"' not in answer.text
    assert sign_in._codes == {}


def test_the_code_with_its_verifier_gives_the_staff_members_tokens_and_refreshes(server):
    # GIVEN a code from a recruiter's sign-in
    base, _, _ = server
    verifier, challenge = _pkce()
    code = _code(base, challenge)
    # WHEN the console exchanges it with its verifier
    answer = _token(base, grant_type="authorization_code", code=code, redirect_uri=f"{base}/staff",
                    code_verifier=verifier)
    # THEN an ID token the gateway takes as the recruiter's (groups, person id), an access token no staff route
    # takes, a refresh token, and the ID token's life; never cached
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    tokens = answer.json()
    assert set(tokens) == {"id_token", "access_token", "refresh_token", "token_type", "expires_in"}
    assert tokens["expires_in"] == staff_sign_in.ID_TOKEN_SECONDS
    claims = staff_auth.claims_from(KEY, f"Bearer {tokens['id_token']}")
    assert (claims["sub"], claims["email"], claims["cognito:groups"], claims["custom:person_id"]) == (
        "recruiter-1", "recruiter-1@example.com", "recruiter", "rec-1")
    assert claims["exp"] - claims["iat"] == staff_sign_in.ID_TOKEN_SECONDS
    with pytest.raises(staff_auth.Unauthorized):
        staff_auth.claims_from(KEY, f"Bearer {tokens['access_token']}")
    # AND WHEN it refreshes
    refreshed = _token(base, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    # THEN a new ID token of the same person (no new refresh token, as Cognito without rotation)
    assert refreshed.status_code == 200 and "refresh_token" not in refreshed.json()
    assert refreshed.json()["id_token"] != tokens["id_token"]
    assert staff_auth.claims_from(KEY, f"Bearer {refreshed.json()['id_token']}")["sub"] == "recruiter-1"


@pytest.mark.parametrize("change", [
    {"code_verifier": secrets.token_urlsafe(48)},  # another verifier: a stolen code is useless
    {"code_verifier": ""},
    {"redirect_uri": "https://evil.example/staff"},
    {"client_id": "another-client"},
])
def test_a_code_with_the_wrong_verifier_redirect_or_client_is_refused_and_used_up(server, change):
    # GIVEN a code and its verifier
    base, sign_in, _ = server
    verifier, challenge = _pkce()
    code = _code(base, challenge)
    fields = {"grant_type": "authorization_code", "code": code, "redirect_uri": f"{base}/staff",
              "code_verifier": verifier}
    # WHEN it is exchanged with one thing wrong
    refused = _token(base, **{**fields, **{k: v for k, v in change.items() if k != "client_id"}},
                     **({"client_id": change["client_id"]} if "client_id" in change else {}))
    # THEN it is refused with OAuth's error, and no refresh token exists
    assert refused.status_code == 400
    assert refused.json()["error"] in ("invalid_grant", "invalid_client")
    assert sign_in.refresh_tokens_held() == 0
    if refused.json()["error"] == "invalid_grant":  # AND the code is gone: the right verifier no longer helps
        assert _token(base, **fields).json() == {"error": "invalid_grant"}


def test_a_code_is_single_use_and_expires_after_five_minutes(server):
    # GIVEN two codes
    base, _, clock = server
    verifier, challenge = _pkce()
    first, second = _code(base, challenge), _code(base, challenge)
    fields = {"grant_type": "authorization_code", "redirect_uri": f"{base}/staff", "code_verifier": verifier}
    # WHEN the first is used twice, and the second after five minutes
    once = _token(base, code=first, **fields)
    twice = _token(base, code=first, **fields)
    clock.now += staff_sign_in.CODE_SECONDS + 1
    late = _token(base, code=second, **fields)
    # THEN only the first use works
    assert (once.status_code, twice.status_code, late.status_code) == (200, 400, 400)


def test_a_revoked_refresh_token_no_longer_refreshes_and_sign_out_returns_to_the_console(server):
    # GIVEN a signed-in staff member's refresh token
    base, sign_in, _ = server
    verifier, challenge = _pkce()
    tokens = _token(base, grant_type="authorization_code", code=_code(base, challenge),
                    redirect_uri=f"{base}/staff", code_verifier=verifier).json()
    # WHEN the console revokes it and goes to the logout endpoint
    revoked = requests.post(f"{base}/_local/oauth2/revoke", data={"client_id": CLIENT_ID,
                                                                  "token": tokens["refresh_token"]}, timeout=10)
    logout = requests.get(f"{base}/_local/logout", params={"client_id": CLIENT_ID, "logout_uri": f"{base}/staff"},
                          allow_redirects=False, timeout=10)
    # THEN the token is gone: refreshing with it is refused; and the browser goes back to the console
    assert revoked.status_code == 200 and sign_in.refresh_tokens_held() == 0
    assert _token(base, grant_type="refresh_token", refresh_token=tokens["refresh_token"]).json() == {
        "error": "invalid_grant"}
    assert logout.status_code == 302 and logout.headers["Location"] == f"{base}/staff"


def test_sign_out_to_an_unregistered_address_is_an_error_page(server):
    # GIVEN the logout endpoint
    base, _, _ = server
    # WHEN it is asked to send the browser elsewhere
    answer = requests.get(f"{base}/_local/logout", params={"client_id": CLIENT_ID,
                                                           "logout_uri": "https://evil.example/"},
                          allow_redirects=False, timeout=10)
    # THEN it does not (no open redirect)
    assert answer.status_code == 400 and "Location" not in answer.headers


def test_the_sign_in_endpoints_answer_only_a_loopback_host(server):
    # GIVEN the token endpoint
    base, _, _ = server
    # WHEN a request names another host (DNS rebinding)
    answer = requests.post(f"{base}/_local/oauth2/token", data={"client_id": CLIENT_ID},
                           headers={"Host": "evil.example"}, timeout=10)
    # THEN it is refused like the other local pages
    assert answer.status_code == 403 and re.search("loopback|127.0.0.1", answer.text)


def test_the_console_opened_on_localhost_signs_in_and_out_there_too(server):
    # GIVEN the console opened as http://localhost:<port>/staff instead of 127.0.0.1
    base, _, _ = server
    console = f"{base.replace('127.0.0.1', 'localhost')}/staff"
    verifier, challenge = _pkce()
    # WHEN it asks for a code back there, exchanges it, and signs out back there
    answer = requests.post(f"{base}/_local/oauth2/authorize", allow_redirects=False, timeout=10, data={
        **_authorize_params(base, challenge, redirect_uri=console), "email": "admin-1@example.com",
        "password": PASSWORD})
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    tokens = _token(base, grant_type="authorization_code", code=code, redirect_uri=console, code_verifier=verifier)
    logout = requests.get(f"{base}/_local/logout", params={"client_id": CLIENT_ID, "logout_uri": console},
                          allow_redirects=False, timeout=10)
    # THEN each goes to the localhost console (both names are registered, as an app client lists several)
    assert answer.headers["Location"].startswith(f"{console}?code=")
    assert staff_auth.claims_from(KEY, f"Bearer {tokens.json()['id_token']}")["sub"] == "admin-1"
    assert logout.headers["Location"] == console
