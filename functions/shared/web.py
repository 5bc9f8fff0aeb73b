"""What the HTTP handlers share: who is calling, and how errors look (problem JSON for the API, a page for people)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from functions.shared import links
from functions.shared.domain import Locale, StaffRole
from functions.shared.errors import DomainError, ForbiddenError, UnauthorizedError
from functions.shared.i18n import locale_of, translator
from functions.shared.rendering import render

PROBLEM_JSON = "application/problem+json"


def problem(status: int, title: str, detail: str, errors: list[dict] | None = None) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return Response(status_code=status, content_type=PROBLEM_JSON, body=json.dumps(body))


def validation_problem(exc: RequestValidationError) -> Response:
    errors = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ())]
        # loc is ("body", "reason_text") or ("header", "idempotency-key"): name the field, keep where it was.
        field = ".".join(location[1:]) or ".".join(location)
        errors.append({"field": field, "in": location[0] if location else "body", "message": error.get("msg", "")})
    fields = ", ".join(e["field"] for e in errors)
    return problem(422, "Invalid request", f"Check these fields: {fields}", errors)


def domain_problem(exc: DomainError) -> Response:
    return problem(exc.status, exc.title, exc.detail)


def page(template: str, locale: Locale, status: int = 200, **context) -> Response:
    return Response(status_code=status, content_type=content_types.TEXT_HTML,
                    body=render(template, locale, **context),
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                             "Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline' 'self'; "
                                                        "style-src 'unsafe-inline'; form-action 'self'"})


def error_page(exc: DomainError, accept_language: str | None) -> Response:
    locale = locale_of(None, accept_language)
    return page("pages/message.html.j2", locale, status=exc.status,
                title=translator(locale)("page.error_title"), message=exc.detail)


# ---- callers ------------------------------------------------------------------------------------------------------

def candidate_from_authorization(header: str | None) -> str:
    """The candidate id from 'Authorization: Bearer <personal link token>'."""
    if not header or not header.startswith("Bearer "):
        raise UnauthorizedError("Send your personal link token as 'Authorization: Bearer <token>'.")
    return links.candidate_of(header.removeprefix("Bearer ").strip())


@dataclass(frozen=True)
class StaffIdentity:
    subject: str
    email: str
    roles: frozenset[StaffRole]

    @property
    def actor(self) -> str:
        return f"staff:{self.subject}"


def _groups(raw) -> set[str]:
    # API Gateway hands Cognito groups over as a list, "a,b", or "[a b]" depending on the integration.
    if isinstance(raw, list):
        return {str(g) for g in raw}
    text = str(raw or "").strip("[]")
    return {g for g in text.replace(",", " ").split() if g}


def staff_from_claims(claims: dict | None, allowed: frozenset[StaffRole] = frozenset(StaffRole)) -> StaffIdentity:
    """The staff member the user-pool authorizer vouched for. API Gateway rejects missing tokens before us."""
    if not claims or not claims.get("sub"):
        raise UnauthorizedError("Sign in as staff to use this route.")
    roles = frozenset(StaffRole(g) for g in _groups(claims.get("cognito:groups")) if g in StaffRole._value2member_map_)
    if not roles & allowed:
        raise ForbiddenError("Your role does not allow this.")
    return StaffIdentity(subject=str(claims["sub"]), email=str(claims.get("email", "")), roles=roles)
