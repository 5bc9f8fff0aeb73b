"""What the HTTP handlers share: who is calling, and how errors look (problem JSON for the API, a page for people)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from functions.domain.scopes import StaffScope
from functions.integration import links
from functions.core.models import Locale, StaffRole
from functions.core.errors import DomainError, ForbiddenError, UnauthorizedError
from functions.core.i18n import (DEFAULT_LOCALE, LANGUAGES, accepted_languages, catalog, locale_of, supported,
                                 translator)
from functions.core.settings import get_settings
from functions.web.rendering import render

PROBLEM_JSON = "application/problem+json"

# ---- what the OpenAPI document declares for errors ----------------------------------------------------------------
# Every status a route can answer is declared with the body it really has, so the document can be checked against
# the running system (tests/e2e/test_fuzz_api.py): problem JSON from the API, HTML pages for people, and the
# gateway's own {"message": ...} when it refuses a staff token before any function runs.

PROBLEM_SCHEMA: dict = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "For a person, in the language of Accept-Language or the "
                                                   "caller's stored language (Content-Language names it)"},
        "code": {"type": "string", "description": "What went wrong, stable and machine-readable (e.g. "
                                                 "too_late_to_cancel): branch on this, not on detail"},
        "errors": {
            "type": "array",
            "description": "On 422: each invalid field, where it was, and what is wrong with it",
            "items": {
                "type": "object",
                "required": ["field", "in", "message"],
                "properties": {"field": {"type": "string"}, "in": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
GATEWAY_ERROR_SCHEMA: dict = {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}}
HTML_SCHEMA: dict = {"type": "string"}

_ERROR_DESCRIPTIONS = {
    401: "No valid credentials",
    403: "Not allowed: an invalid link or token, or a role that may not do this",
    404: "No such resource for this caller (someone else's looks the same as a missing one)",
    409: "Conflict with the current state (already cancelled, pending, started or decided)",
    410: "The link has expired or was superseded",
    422: "Invalid request: the fields named in errors",
    503: "Temporarily unavailable; retry with the same Idempotency-Key",
}


def problem_responses(*statuses: int) -> dict[int, dict]:
    """OpenAPI responses for API errors, each an application/problem+json body."""
    return {s: {"description": _ERROR_DESCRIPTIONS[s], "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}
            for s in statuses}


def staff_problem_responses(*statuses: int) -> dict[int, dict]:
    """As problem_responses, for staff routes: the gateway itself answers 401 when the token is not valid."""
    responses = problem_responses(*statuses)
    responses[401] = {"description": "No valid staff token (answered by the gateway's authorizer)",
                      "content": {"application/json": {"schema": GATEWAY_ERROR_SCHEMA},
                                  PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}
    return responses


def page_responses(*statuses: int) -> dict[int, dict]:
    """OpenAPI responses for pages: a person reads an HTML page whatever happened."""
    described = {200: "The page", **_ERROR_DESCRIPTIONS, 422: "Invalid form fields (a page naming them)"}
    return {s: {"description": described[s], "content": {content_types.TEXT_HTML: {"schema": HTML_SCHEMA}}}
            for s in statuses}



def problem(status: int, title: str, detail: str, errors: list[dict] | None = None, code: str = "bad_request",
            locale: Locale = DEFAULT_LOCALE) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "code": code}
    if errors:
        body["errors"] = errors
    return Response(status_code=status, content_type=PROBLEM_JSON, body=json.dumps(body),
                    headers={"Content-Language": locale.value})


def api_reader_locale(accept_language: str | None, stored: str | None = None) -> Locale:
    """An API caller's language: what Accept-Language asks for first, then the stored one, then the default."""
    for tag in [*accepted_languages(accept_language), stored]:
        if tag and (found := supported(tag)):
            return found
    return DEFAULT_LOCALE


def problem_text(exc: DomainError, locale: Locale) -> str:
    """The error as the reader reads it: the catalog's text for its code (or its class's), else the English."""
    messages, t = catalog(locale), translator(locale)
    for code in (exc.code, type(exc).code):
        if f"problem.{code}" in messages:
            try:
                return t(f"problem.{code}", **exc.values)
            except (KeyError, IndexError):  # the text needs a value this raise did not give: the class's text
                continue
    return exc.detail


def validation_problem(exc: RequestValidationError, locale: Locale = DEFAULT_LOCALE) -> Response:
    errors = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ())]
        # loc is ("body", "reason_text") or ("header", "idempotency-key"): name the field, keep where it was.
        field = ".".join(location[1:]) or ".".join(location)
        errors.append({"field": field, "in": location[0] if location else "body", "message": error.get("msg", "")})
    fields = ", ".join(e["field"] for e in errors)
    return problem(422, "Invalid request", translator(locale)("problem.invalid_request", fields=fields), errors,
                   code="invalid_request", locale=locale)


def undecodable_body_problem(_exc: UnicodeDecodeError) -> Response:
    """A body that is not UTF-8 cannot be JSON: the same 422 as any other invalid body (not a crash, not a 5xx)."""
    return problem(422, "Invalid request", "Check these fields: body",
                   [{"field": "body", "in": "body", "message": "The body is not valid UTF-8 JSON"}],
                   code="invalid_request")


def domain_problem(exc: DomainError, locale: Locale = DEFAULT_LOCALE) -> Response:
    """The API's answer to a domain error: its stable code, and its detail in the caller's language."""
    return problem(exc.status, exc.title, problem_text(exc, locale), code=exc.code, locale=locale)


def page(template: str, locale: Locale, status: int = 200, connect_to: tuple[str, ...] = (), **context) -> Response:
    """A page. `connect_to`: other origins its script may call (the staff console: the user pool domain's token
    endpoint); otherwise it reaches only its own origin."""
    connect = " ".join(["'self'", *(_origin(url) for url in connect_to)])
    return Response(status_code=status, content_type=content_types.TEXT_HTML,
                    body=render(template, locale, languages=LANGUAGES, **context),
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                             "Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline' 'self'; "
                                                        f"connect-src {connect}; "
                                                        "style-src 'unsafe-inline'; form-action 'self'; "
                                                        "frame-ancestors 'none'"})


def _origin(url: str) -> str:
    """scheme://host[:port] of a URL: a CSP source that cannot smuggle in another directive."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not re.fullmatch(r"[A-Za-z0-9.-]+(:\d{1,5})?", parts.netloc):
        raise ValueError(f"not an http(s) origin: {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


# Text whose Content-Type names no charset is decoded by guesswork (Latin-1 for text/*, sniffing for pages): every
# text response says UTF-8, whichever route, exception handler or Powertools default (404, Swagger UI) made it.
_TEXT_TYPES = ("text/", "application/json", "application/problem+json", "application/javascript", "application/xml")


def _with_charset(content_type: str) -> str:
    if "charset=" in content_type.lower() or not content_type.lower().startswith(_TEXT_TYPES):
        return content_type
    media_type, _, parameters = content_type.partition(";")
    return "; ".join(p for p in (media_type.strip(), "charset=utf-8", parameters.strip()) if p)


def with_utf8_charset(response: dict) -> dict:
    """The proxy response with `charset=utf-8` on a text Content-Type (single- or multi-value headers)."""
    for name, value in (response.get("headers") or {}).items():
        if name.lower() == "content-type":
            response["headers"][name] = _with_charset(value)
    for name, values in (response.get("multiValueHeaders") or {}).items():
        if name.lower() == "content-type":
            response["multiValueHeaders"][name] = [_with_charset(v) for v in values]
    return response


def staff_page_locale(event) -> Locale:
    """A staff page's language: the one picked on the page (`?lang=`), else the browser's, else the deployment's."""
    return locale_of(get_settings().staff_locale, event.headers.get("Accept-Language"),
                     (event.query_string_parameters or {}).get("lang"))


def error_page(exc: DomainError, accept_language: str | None, chosen: str | None = None) -> Response:
    locale = locale_of(None, accept_language, chosen)
    return page("pages/message.html.j2", locale, status=exc.status,
                title=translator(locale)("page.error_title"), message=problem_text(exc, locale))


# ---- callers ------------------------------------------------------------------------------------------------------

def candidate_from_authorization(header: str | None) -> str:
    """The candidate id from 'Authorization: Bearer <personal link token>'."""
    if not header or not header.startswith("Bearer "):
        raise UnauthorizedError("Send your personal link token as 'Authorization: Bearer <token>'.",
                                code="candidate_token_missing")
    return links.candidate_of(header.removeprefix("Bearer ").strip())


# The user pool's custom attribute naming the staff member as the ATS knows them (the person_id in job data).
PERSON_ID_CLAIM = "custom:person_id"


@dataclass(frozen=True)
class StaffIdentity:
    subject: str
    email: str
    roles: frozenset[StaffRole]
    person_id: str | None = None

    @property
    def actor(self) -> str:
        return f"staff:{self.subject}"

    def scope(self, allowed: frozenset[StaffRole] = frozenset(StaffRole)) -> StaffScope:
        """What this staff member reaches through the roles that allow the action (functions/domain/scopes.py)."""
        return StaffScope(person_id=self.person_id, roles=self.roles & allowed)


# The custom scope of the ATS's access token that registers interviews (infra/topology.py ATS_REGISTER_SCOPE).
ATS_REGISTER_SCOPE = "interviews-ats/interviews.register"


@dataclass(frozen=True)
class MachineIdentity:
    """Another system calling with an access token of its own app client (client credentials), not a person."""

    client_id: str

    @property
    def actor(self) -> str:
        return f"ats:{self.client_id}"


def machine_from_claims(claims: dict | None, scope: str) -> MachineIdentity:
    """The app client the authorizer vouched for, if its access token holds `scope`. The gateway already refuses
    any other token on such a route; this is the second lock, should a route ever be wired without scopes."""
    if not claims or not claims.get("sub"):
        raise UnauthorizedError("Call this route with the ATS's access token.")
    if claims.get("token_use") != "access" or scope not in str(claims.get("scope", "")).split():
        raise ForbiddenError("Only the ATS registers interviews.")
    return MachineIdentity(client_id=str(claims.get("client_id") or claims["sub"]))


def _groups(raw) -> set[str]:
    # API Gateway hands Cognito groups over as a list, "a,b", or "[a b]" depending on the integration.
    if isinstance(raw, list):
        return {str(g) for g in raw}
    text = str(raw or "").strip("[]")
    return {g for g in text.replace(",", " ").split() if g}


def staff_from_claims(claims: dict | None, allowed: frozenset[StaffRole] = frozenset(StaffRole)) -> StaffIdentity:
    """The staff member the user-pool authorizer vouched for. API Gateway rejects missing tokens before us."""
    if not claims or not claims.get("sub"):
        raise UnauthorizedError("Sign in as staff to use this route.", code="staff_sign_in")
    roles = frozenset(StaffRole(g) for g in _groups(claims.get("cognito:groups")) if g in StaffRole._value2member_map_)
    if not roles & allowed:
        raise ForbiddenError("Your role does not allow this.", code="role_forbidden")
    person_id = str(claims.get(PERSON_ID_CLAIM) or "").strip() or None
    return StaffIdentity(subject=str(claims["sub"]), email=str(claims.get("email", "")), roles=roles,
                         person_id=person_id)
