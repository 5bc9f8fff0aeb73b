"""What a candidate may see of their cancellation requests: steps, times and their own reason, in their language.

The stored trail is written for staff (who acted, approver ids, the approver's comment, escalations); the
candidate gets only the request's status changes, labelled. Requests the company started are not the
candidate's to follow: they look exactly like missing ones, and an interview's pending request is named to the
candidate only if the candidate made it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from functions.core.errors import NotFoundError
from functions.core.i18n import locale_of, translator
from functions.core.models import Initiator, RequestStatus
from functions.integration.data import request_store

if TYPE_CHECKING:  # stored items are read here, never built
    from functions.integration.tables import InterviewItem, RequestItem


class CandidateStep(BaseModel):
    """One step of a request as the candidate sees it: where it stood from when, in the candidate's words."""

    at: str
    status: RequestStatus
    label: str


class CandidateRequestView(BaseModel):
    """A candidate's own request: its steps, times and labels only. No staff or approver ids, no approver's
    comment, no internal actor names (those stay in the staff view)."""

    request_id: str
    interview_id: str
    status: RequestStatus
    status_label: str
    reason_code: str
    reason_label: str
    reason_text: str | None = None  # the candidate's own words
    auto_approved: bool = Field(description="Decided by the company's rules at once, without an approver")
    created_at: str
    decided_at: str | None = None
    contact_email: str | None = None
    timeline: list[CandidateStep]


def _is_own(request: RequestItem | None, candidate_id: str) -> bool:
    return request is not None and request.candidate_id == candidate_id and request.initiator == Initiator.CANDIDATE


def view(request_id: str, candidate_id: str) -> CandidateRequestView:
    """The candidate's own request; anyone else's, or one the company started, is "No such request"."""
    request, candidate = request_store.request_with_profile(request_id, candidate_id)
    if not _is_own(request, candidate_id):
        raise NotFoundError("No such request.", code="request_not_found")
    t = translator(locale_of(candidate.locale if candidate else None))

    def label(key: str, fallback: str) -> str:
        try:
            return t(key)
        except KeyError:  # a reason a deployment's policy added without a translation
            return fallback

    steps: list[CandidateStep] = []
    for entry in request_store.audit_trail(request_id):
        if entry.to_status and entry.to_status in RequestStatus.__members__ and (
                not steps or steps[-1].status != entry.to_status):
            steps.append(CandidateStep(at=entry.at, status=RequestStatus(entry.to_status),
                                       label=label(f"request.{entry.to_status}", entry.to_status)))
    return CandidateRequestView(
        request_id=request.request_id, interview_id=request.interview_id, status=RequestStatus(request.status),
        status_label=label(f"request.{request.status}", request.status), reason_code=request.reason_code,
        reason_label=label(f"reason.{request.reason_code}", request.reason_code), reason_text=request.reason_text,
        auto_approved=bool(request.auto_approve), created_at=request.created_at, decided_at=request.decided_at,
        contact_email=request.contact_email, timeline=steps,
    )


def own_pending_requests(interviews: list[InterviewItem]) -> dict[str, str]:
    """Per interview, its pending request's id if the candidate made it (one the company started is not shown).
    The pending requests are read in one call, however many interviews there are."""
    found = {r.request_id: r for r in request_store.get_requests(
        {i.pending_request_id for i in interviews if i.pending_request_id})}
    return {i.interview_id: i.pending_request_id for i in interviews
            if i.pending_request_id and _is_own(found.get(i.pending_request_id), i.candidate_id)}


def own_requests(requests: list[RequestItem], candidate_id: str) -> list[RequestItem]:
    return [r for r in requests if _is_own(r, candidate_id)]
