"""Approver pages: GET shows the request and changes nothing (mail scanners fetch links); POST decides, and after
a rejection POST sends the retention message."""

from __future__ import annotations

from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from functions.domain import approvals
from functions.core.clock import local_text
from functions.core.models import Decision, Locale
from functions.core.errors import DomainError
from functions.core.i18n import locale_of, translator
from functions.web.responses import error_page, page, page_responses

router = APIGatewayRouter()


class DecisionForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    decision: Decision
    comment: str | None = Field(None, max_length=2000)


class RetentionForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    message: str = Field(min_length=1, max_length=5000, pattern=r"\S")


def _form_body(properties: dict, required: list[str]) -> dict:
    # The page's forms are parsed by the handler itself (to answer a person with a page, never with JSON), so the
    # OpenAPI document declares their bodies here.
    return {"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": required, "properties": properties}}}}}


INTENTS = {d.value for d in Decision}
DECISION_FORM_BODY = _form_body({"decision": {"type": "string", "enum": [d.value for d in Decision]},
                                 "comment": {"type": "string", "maxLength": 2000}}, ["decision"])
RETENTION_FORM_BODY = _form_body({"message": {"type": "string", "minLength": 1, "maxLength": 5000}}, ["message"])


def _locale() -> Locale:
    event = router.current_event
    return locale_of(None, event.headers.get("Accept-Language"), (event.query_string_parameters or {}).get("lang"))


def _error(exc: DomainError) -> Response:
    event = router.current_event
    return error_page(exc, event.headers.get("Accept-Language"), (event.query_string_parameters or {}).get("lang"))


def _form(model: type[BaseModel], locale: Locale) -> BaseModel | Response:
    """The posted form as `model`, or a page naming the fields that are wrong."""
    t = translator(locale)
    try:
        fields = {k: v[0] for k, v in parse_qs(router.current_event.decoded_body or "").items()}
        return model.model_validate(fields)
    except UnicodeDecodeError:  # not a form our page posted: bytes that are not UTF-8
        names = ", ".join(name for name, f in model.model_fields.items() if f.is_required())
    except ValidationError as exc:
        names = ", ".join(str(e["loc"][0]) for e in exc.errors())
    return page("pages/message.html.j2", locale, status=422, title=t("page.error_title"),
                message=t("problem.invalid_request", fields=names))


def _approval_page(token: str, locale: Locale, notice: str | None = None, intent: str | None = None) -> Response:
    t = translator(locale)
    try:
        ctx = approvals.context(token)
    except DomainError as exc:
        if notice:  # decided; only the page around the notice could not be shown
            return page("pages/message.html.j2", locale, title=t("page.approval_title"), message=notice)
        return _error(exc)
    candidate = ctx.candidate
    cancellations = list(candidate.cancellations) if candidate else []
    zone = "UTC"  # approvers read times in UTC, as in their e-mails
    return page(
        "pages/approval.html.j2", locale, title=t("page.approval_title"), notice=notice, token_path=token, intent=intent,
        request=ctx.request, interview=ctx.interview, open=ctx.open, retention_draft=ctx.retention_draft,
        starts_at=local_text(ctx.interview.starts_at, zone, locale),
        candidate_name=candidate.name if candidate else "",
        resume_url=candidate.resume_url if candidate else None,
        reason=t(f"reason.{ctx.request.reason_code}"),
        earlier_interviews=[{"starts_at": local_text(i.starts_at, zone, locale), "job_title": i.job_title,
                             "status": i.status} for i in ctx.earlier_interviews],
        earlier_cancellations=[{"at": local_text(c.at, zone, locale), "job_title": c.job_title,
                                "reason_code": c.reason_code} for c in cancellations],
        cancelled_before=", ".join(t(f"reason.{c.reason_code}") for c in cancellations),
    )


@router.get("/approvals/<token>", summary="The approval page", tags=["approver"],
            responses=page_responses(200, 403, 410))
def approval_page(token: str):
    # The mail's reject button arrives with ?intent=reject: that button is focused; nothing is decided on a GET.
    intent = (router.current_event.query_string_parameters or {}).get("intent")
    return _approval_page(token, _locale(), intent=intent if intent in INTENTS else None)


@router.post("/approvals/<token>", summary="Decide (form post from the approval page)", tags=["approver"],
             responses=page_responses(200, 403, 409, 410, 422, 503), openapi_extensions=DECISION_FORM_BODY)
def decide(token: str):
    locale = _locale()
    t = translator(locale)
    form = _form(DecisionForm, locale)
    if isinstance(form, Response):
        return form
    try:
        outcome = approvals.decide(token, form.decision, (form.comment or "").strip() or None)
    except DomainError as exc:
        return _error(exc)
    label = t("page.approve") if outcome.value == "approved" else t("page.reject")
    # The page again, now decided: after a rejection it offers the retention message to edit and send.
    return _approval_page(token, locale, notice=t("page.decided", decision=label))


@router.post("/approvals/<token>/retention", summary="Send the retention message after a rejection",
             tags=["approver"], responses=page_responses(200, 403, 409, 410, 422),
             openapi_extensions=RETENTION_FORM_BODY)
def send_retention(token: str):
    locale = _locale()
    t = translator(locale)
    form = _form(RetentionForm, locale)
    if isinstance(form, Response):
        return form
    try:
        approvals.send_retention(token, form.message.strip())
    except DomainError as exc:
        return _error(exc)
    return page("pages/message.html.j2", locale, title=t("page.approval_title"), message=t("page.retention_sent"))
