"""Submitting a cancellation and reading where it stands. Knows nothing about Lambda events or HTTP."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from functions.core.clock import from_iso, to_iso, utc_now
from functions.core.errors import ConflictError, NotFoundError, PolicyViolationError, ServiceUnavailableError
from functions.core.models import (
    FINAL_REQUEST_STATUSES,
    AuditEntry,
    Initiator,
    InterviewStatus,
    OpenRequest,
    Receipt,
    RequestStatus,
    RequestView,
    StaffRequestView,
)
from functions.core.settings import get_settings
from functions.domain import interview_policy
from functions.domain.policy import PolicyDecision
from functions.domain.scopes import StaffScope
from functions.integration import workflow
from functions.integration.data import candidate_store, interview_store, request_store, transactions

if TYPE_CHECKING:  # stored items are read here, never built: the data access builds them
    from functions.integration.tables import InterviewItem, RequestItem

_REQUEST_IDS = uuid.UUID("5f0b7f4e-3c39-4a44-9a55-0c6f2a1f7d10")


def request_id_for(actor: str, interview_id: str, idempotency_key: str) -> str:
    """The same caller, interview and Idempotency-Key always name the same request: duplicates converge."""
    return str(uuid.uuid5(_REQUEST_IDS, f"{actor}|{interview_id}|{idempotency_key}"))


def submit(
    *, interview_id: str, initiator: Initiator, actor: str, reason_code: str, reason_text: str | None,
    idempotency_key: str, candidate_id: str | None = None, now: datetime | None = None,
    scope: StaffScope | None = None,
) -> Receipt:
    """Record a cancellation request and start its workflow. `candidate_id` restricts to the candidate's own,
    `scope` to the interviews a staff member may act on.

    Repeating a call with the same Idempotency-Key returns the first receipt and never makes a second request.
    """
    now = now or utc_now()
    if candidate_id is not None:
        interview, profile = interview_store.interview_with_profile(interview_id, candidate_id)
    else:  # staff: whose interview it is is only known once it is read
        interview = interview_store.get_interview(interview_id)
        profile = candidate_store.get_candidate(interview.candidate_id) if interview else None
    if interview is None or (candidate_id is not None and interview.candidate_id != candidate_id) \
            or (scope is not None and not scope.covers(interview)):
        raise NotFoundError("No such interview.",  # someone else's interview looks exactly like a missing one
                            code="interview_not_found")
    request_id = request_id_for(actor, interview_id, idempotency_key)

    if interview.pending_request_id == request_id:
        return _repeat(request_id, reason_code, reason_text)
    settings = get_settings()
    decision = interview_policy.decide(interview=interview, initiator=initiator, reason_code=reason_code, now=now,
                              starts_at=from_iso(interview.starts_at), sla_seconds=settings.approval_sla_seconds,
                              hr_email=settings.hr_email,
                              earlier_cancellations=len(profile.cancellations) if profile else 0,
                              earlier_moves=int(interview.moves or 0))
    try:
        _check_cancellable(interview, initiator, now, decision, reason_code, reason_text)
    except ConflictError:
        # A retry of a request that was decided meanwhile (the interview is cancelled, or no longer pending for
        # it): the same key still gets the same receipt. One read, on this path only.
        if request_store.get_request(request_id) is not None:
            return _repeat(request_id, reason_code, reason_text)
        raise
    route = decision.route
    at = to_iso(now)
    entries = [
        AuditEntry(at=at, actor=actor, action="received", to_status=RequestStatus.RECEIVED.value,
                   why=f"{initiator.value} cancellation, reason {reason_code}"),
        AuditEntry(at=at, actor="policy", action="routed", from_status=RequestStatus.RECEIVED.value,
                   to_status=RequestStatus.RECEIVED.value, why=f"rule {route.rule}: {route.why}"),
    ]
    try:
        request = request_store.create_request(
            request_id, interview, initiator=initiator, requested_by=actor, reason_code=reason_code,
            reason_text=reason_text, route=route, remind_before_seconds=decision.remind_before_seconds,
            retention_template=decision.retention_template, created_at=at, entries=entries)
    except transactions.TransactionConflict as conflict:
        if "request" in conflict.failed:  # a concurrent duplicate won the race
            return _repeat(request_id, reason_code, reason_text)
        raise ConflictError("This interview is no longer scheduled; it may have been cancelled already.",
                            code="interview_not_scheduled") from None

    _start_or_ask_to_retry(request_id, _workflow_input(request, interview.slot_id, route.model_dump(mode="json")))
    return _receipt(request)


def _start_or_ask_to_retry(request_id: str, workflow_input: dict) -> None:
    """The request is stored either way; if the workflow cannot start now, a retry with the same key starts it."""
    try:
        workflow.start(request_id, workflow_input)
    except (ClientError, BotoCoreError) as exc:
        raise ServiceUnavailableError(
            "Your request is saved but could not be processed yet; send it again with the same Idempotency-Key.",
            code="request_saved_retry") from exc


def _check_cancellable(interview: InterviewItem, initiator: Initiator, now: datetime, decision: PolicyDecision,
                       reason_code: str, reason_text: str | None) -> None:
    if interview.status == InterviewStatus.CANCELLED:
        raise ConflictError("This interview is already cancelled.", code="already_cancelled")
    if interview.status == InterviewStatus.CANCELLATION_PENDING:
        raise ConflictError("A cancellation of this interview is already being decided.",
                            code="cancellation_pending")
    starts_at = from_iso(interview.starts_at)
    if starts_at <= now:
        raise ConflictError("This interview has already started.", code="interview_started")
    if initiator is Initiator.CANDIDATE and starts_at - now < decision.minimum_notice:
        raise PolicyViolationError(
            f"Cancellations less than {decision.minimum_notice_hours:g} hours before the interview cannot be made "
            f"online; please contact your recruiter at {interview.recruiter.email}.",
            code="too_late_to_cancel", hours=f"{decision.minimum_notice_hours:g}", contact=interview.recruiter.email)
    if decision.reason_text_required and not (reason_text or "").strip():
        raise PolicyViolationError(f"Please describe the reason: a text is required for reason {reason_code}.",
                                    code="reason_text_required", reason=reason_code)


def _repeat(request_id: str, reason_code: str, reason_text: str | None) -> Receipt:
    """A repeated submission: same body -> the same receipt (and make sure the workflow runs); else a conflict."""
    request = request_store.get_request(request_id)
    if request is None:
        raise ConflictError("A request with this Idempotency-Key is being processed; retry shortly.",
                            code="idempotency_in_progress")
    if request.reason_code != reason_code or (request.reason_text or None) != (reason_text or None):
        raise ConflictError("This Idempotency-Key was already used with a different request body.",
                            code="idempotency_key_reused")
    if request.status == RequestStatus.RECEIVED:
        # The first attempt may have stored the request and failed to start the workflow: finish its work.
        interview = interview_store.get_interview(request.interview_id)
        _restart(request, interview)
    return _receipt(request)


def _restart(request: RequestItem, interview: InterviewItem) -> None:
    """Start the workflow with the route decided at submission, whatever the policy says today."""
    route = json.loads(request.route_json)
    _start_or_ask_to_retry(request.request_id, _workflow_input(request, interview.slot_id, route))


def _workflow_input(request: RequestItem, slot_id: str, route: dict) -> dict:
    return {
        "request_id": request.request_id, "interview_id": request.interview_id,
        "candidate_id": request.candidate_id, "slot_id": slot_id, "initiator": request.initiator,
        "reason_code": request.reason_code, "route": route,
        # Where the wait for approvers starts: given here, a state less per lifecycle (each is billed).
        "wait": {"level": 0, "count": len(route.get("approvers") or [])},
    }


def _status_url(request: RequestItem) -> str:
    if request.initiator == Initiator.CANDIDATE:
        return f"/api/candidate/requests/{request.request_id}"
    return f"/api/staff/requests/{request.request_id}"


def _receipt(request: RequestItem) -> Receipt:
    return Receipt(
        request_id=request.request_id, interview_id=request.interview_id, status=RequestStatus(request.status),
        initiator=Initiator(request.initiator), reason_code=request.reason_code, reason_text=request.reason_text,
        created_at=request.created_at, route=request.route_summary, status_url=_status_url(request),
    )


def view(request_id: str, candidate_id: str | None = None) -> RequestView:
    """A request with its timeline. With `candidate_id`, only that candidate's own requests are visible."""
    request = request_store.get_request(request_id)
    if request is None or (candidate_id is not None and request.candidate_id != candidate_id):
        raise NotFoundError("No such request.", code="request_not_found")
    final = RequestStatus(request.status) in FINAL_REQUEST_STATUSES
    return RequestView(
        **_receipt(request).model_dump(),
        decided_at=request.decided_at,
        decision_comment=request.decision_comment if final else None,
        contact_email=request.contact_email,
        timeline=request_store.audit_trail(request_id),
    )


# Requests are decided within days (SLA, escalation, default): two weeks of by-day index queries find every open one.
OPEN_REQUEST_WINDOW_DAYS = 14


def _cancelled_before(candidate, request_id: str) -> list[str]:
    return [c.reason_code for c in (candidate.cancellations if candidate else []) if c.request_id != request_id]


def staff_view(request_id: str, scope: StaffScope | None = None) -> StaffRequestView:
    """A request for staff: its timeline, the interview, and the candidate's earlier cancellations.
    Outside the staff member's scope it is missing."""
    request_view = view(request_id)
    interview, candidate = interview_store.interview_with_profile(request_view.interview_id,
                                                        request_store.get_request(request_id).candidate_id)
    if scope is not None and not scope.covers(interview):
        raise NotFoundError("No such request.", code="request_not_found")
    return StaffRequestView(**request_view.model_dump(), job_title=interview.job_title if interview else "",
                            candidate_name=candidate.name if candidate else "",
                            cancelled_before=_cancelled_before(candidate, request_id))


def open_requests(now: datetime | None = None, scope: StaffScope | None = None) -> list[OpenRequest]:
    """Requests not yet final, newest first: what the staff console lists as pending (within `scope`)."""
    today = (now or utc_now()).date()
    found = []
    for back in range(OPEN_REQUEST_WINDOW_DAYS):
        day = (today - timedelta(days=back)).isoformat()
        found += [r for r in request_store.requests_created_on(day) if RequestStatus(r.status) not in FINAL_REQUEST_STATUSES]
    result = []
    for request in sorted(found, key=lambda r: r.created_at, reverse=True):
        interview, candidate = interview_store.interview_with_profile(request.interview_id, request.candidate_id)
        if scope is not None and not scope.covers(interview):
            continue
        result.append(OpenRequest(
            request_id=request.request_id, interview_id=request.interview_id,
            job_title=interview.job_title if interview else "", candidate_name=candidate.name if candidate else "",
            initiator=Initiator(request.initiator), reason_code=request.reason_code,
            status=RequestStatus(request.status), route=request.route_summary, created_at=request.created_at,
            cancelled_before=_cancelled_before(candidate, request.request_id)))
    return result
