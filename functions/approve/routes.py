"""Approver pages: GET shows the request and changes nothing (mail scanners fetch links); POST decides."""

from __future__ import annotations

from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from functions.shared import approvals
from functions.shared.domain import Decision
from functions.shared.errors import DomainError
from functions.shared.i18n import locale_of, translator
from functions.shared.web import error_page, page, page_responses

router = APIGatewayRouter()


class DecisionForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    decision: Decision
    comment: str | None = Field(None, max_length=2000)


# The decision arrives as the approval page's form post; the handler parses it itself (to answer a person with a
# page, never with JSON), so the OpenAPI document declares the body here.
DECISION_FORM_BODY = {"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
    "type": "object", "required": ["decision"],
    "properties": {"decision": {"type": "string", "enum": [d.value for d in Decision]},
                   "comment": {"type": "string", "maxLength": 2000}},
}}}}}


def _accept_language() -> str | None:
    return router.current_event.headers.get("Accept-Language")


@router.get("/approvals/<token>", summary="The approval page", tags=["approver"],
            responses=page_responses(200, 403, 410))
def approval_page(token: str):
    try:
        ctx = approvals.context(token)
    except DomainError as exc:
        return error_page(exc, _accept_language())
    locale = locale_of(None, _accept_language())
    t = translator(locale)
    candidate = ctx.candidate
    return page(
        "pages/approval.html.j2", locale, title=t("page.approval_title"),
        request=ctx.request, interview=ctx.interview, open=ctx.open,
        candidate_name=candidate.name if candidate else "",
        resume_url=candidate.resume_url if candidate else None,
        reason=t(f"reason.{ctx.request.reason_code}"),
        earlier_interviews=ctx.earlier_interviews,
        earlier_cancellations=list(candidate.cancellations) if candidate else [],
    )


@router.post("/approvals/<token>", summary="Decide (form post from the approval page)", tags=["approver"],
             responses=page_responses(200, 403, 409, 410, 422, 503), openapi_extensions=DECISION_FORM_BODY)
def decide(token: str):
    locale = locale_of(None, _accept_language())
    t = translator(locale)
    try:
        fields = {k: v[0] for k, v in parse_qs(router.current_event.decoded_body or "").items()}
        form = DecisionForm.model_validate(fields)
    except UnicodeDecodeError:  # not a form our page posted: bytes that are not UTF-8
        return page("pages/message.html.j2", locale, status=422, title=t("page.error_title"),
                    message="Invalid form field(s): decision")
    except ValidationError as exc:
        names = ", ".join(str(e["loc"][0]) for e in exc.errors())
        return page("pages/message.html.j2", locale, status=422, title=t("page.error_title"),
                    message=f"Invalid form field(s): {names}")
    try:
        outcome = approvals.decide(token, form.decision, (form.comment or "").strip() or None)
    except DomainError as exc:
        return error_page(exc, _accept_language())
    label = t("page.approve") if outcome.value == "approved" else t("page.reject")
    return page("pages/message.html.j2", locale, title=t("page.approval_title"),
                message=t("page.decided", decision=label))
