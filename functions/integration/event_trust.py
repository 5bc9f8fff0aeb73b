"""This service's own events are acted on only when the stored state says the same thing.

The bus's rules let this service's detail-types through only from its own source (topology.EventRule.pattern),
but anyone allowed to put events with that source, a replay of the archive, or a redelivery after the state
moved on can bring an event that does not (or no longer) describe what is stored. Before a consumer mails,
texts, counts or writes anything for such an event it asks here: the checks read the tables and raise Mismatch
when the event contradicts them. The notify and analytics functions drop a mismatched event (logging ids and
the reason, no personal data): nothing is sent and nothing is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import json
from datetime import timedelta

from functions.core.clock import from_iso, utc_now
from functions.core.models import Approver, InterviewStatus, RequestStatus
from functions.integration.data import approval_store, interview_store, request_store, risk_score_store, slot_store

if TYPE_CHECKING:  # stored items are read here, never built
    from functions.integration.tables import InterviewItem, RequestItem

# The workflow's wait times out `sla_seconds` after its task started; the approval's due_at counts from when this
# function stored it, a moment later. An escalation arriving up to this much before due_at is the real one.
ESCALATION_SLACK = timedelta(seconds=60)


class Mismatch(Exception):
    """The event contradicts the stored state: act on nothing. The message says why (ids only)."""


class NotYetDue(Exception):
    """An escalation before the current approver's deadline: refused now; the queue brings it back later."""


def _request_of(detail: dict, names_candidate: bool = True) -> RequestItem:
    """The stored request the event names, about the same interview (and candidate, if the event names one)."""
    request = request_store.get_request(str(detail.get("request_id")))
    if request is None:
        raise Mismatch("no such request")
    if request.interview_id != detail.get("interview_id") or (
            names_candidate and request.candidate_id != detail.get("candidate_id")):
        raise Mismatch("the request is about another interview or candidate")
    return request


def approval_requested(request_id: str, interview_id: str, candidate_id: str, level: int, approver: Approver,
                       sla_seconds: int, task_token: str) -> RequestItem:
    """An approval is opened only for the approver the request's stored route names at the workflow's current
    level (the one open now, or the next once the open one's deadline passed), with the route's SLA."""
    request = _request_of({"request_id": request_id, "interview_id": interview_id, "candidate_id": candidate_id})
    if request.status not in (RequestStatus.RECEIVED, RequestStatus.PENDING_APPROVAL):
        raise Mismatch(f"the request is {request.status}: no approval is awaited")
    route = json.loads(request.route_json or "{}")
    approvers = route.get("approvers") or []
    if not 0 <= level < len(approvers) or Approver.model_validate(approvers[level]) != approver:
        raise Mismatch(f"level {level} is not the route's or names another approver")
    if sla_seconds != route.get("sla_seconds"):
        raise Mismatch("the SLA is not the route's")
    current = approval_store.get_approval(request_id)
    if current is None:
        if level != 0:
            # SQS does not keep order: under load the escalation can overtake level 0's own event. Refused now,
            # it comes back after level 0 is open (or, forged, ends in the dead-letter queue having done nothing).
            raise NotYetDue(f"level {level} before level 0 was opened")
        return request
    if level == current.level:
        # The same event again (a redelivery) is fine; another task token for an open level is not: the real
        # approver's decision would go to a token the workflow never issued.
        if current.task_token != task_token:
            raise Mismatch(f"level {level} is already open with another task")
        return request
    if level == current.level + 1 and current.decision is None:
        if utc_now() < from_iso(current.due_at) - ESCALATION_SLACK:
            raise NotYetDue(f"level {current.level} is due at {current.due_at}")
        return request
    raise Mismatch(f"level {level} is not the workflow's current or next level (open: {current.level})")


def decided(detail: dict, status: RequestStatus) -> tuple[RequestItem, InterviewItem]:
    """A decision's mail goes only for a request stored with that outcome, about the stored interview."""
    request = _request_of(detail)
    if request.status != status:
        raise Mismatch(f"the request is {request.status}, not {status}")
    interview = interview_store.get_interview(request.interview_id)
    expected = InterviewStatus.CANCELLED if status == RequestStatus.APPROVED else None
    if interview is None or (expected is not None and interview.status != expected):
        raise Mismatch("the interview is not in the state the decision leaves it in")
    if "slot_id" in detail and detail["slot_id"] != interview.slot_id:
        raise Mismatch("the slot is not the interview's")
    return request, interview


def requested(detail: dict) -> RequestItem:
    return _request_of(detail)


def needs_attention(detail: dict) -> RequestItem:
    request = _request_of(detail, names_candidate=False)  # the workflow's failure event names no candidate
    if request.status != RequestStatus.NEEDS_ATTENTION:
        raise Mismatch(f"the request is {request.status}, not {RequestStatus.NEEDS_ATTENTION}")
    return request


def moved(detail: dict) -> InterviewItem:
    """A move's calendar update goes only for the interview stored at that slot, time and calendar sequence;
    the slot it left is offered only if it is another slot of the same job."""
    interview = interview_store.get_interview(str(detail.get("interview_id")))
    if interview is None or interview.candidate_id != detail.get("candidate_id"):
        raise Mismatch("no such interview of this candidate")
    if interview.status != InterviewStatus.SCHEDULED:
        raise Mismatch(f"the interview is {interview.status}")
    if (interview.slot_id, interview.starts_at, int(interview.calendar_sequence)) != (
            detail.get("slot_id"), detail.get("starts_at"), int(detail.get("sequence", -1))):
        raise Mismatch("the interview is not stored at this slot, time and sequence")
    from_slot_id = detail.get("from_slot_id")
    if from_slot_id:
        left = slot_store.get_slot(from_slot_id)
        if from_slot_id == interview.slot_id or left is None or left.job_id != interview.job_id:
            raise Mismatch("the slot left is not another slot of the interview's job")
    return interview


def slot_claimed(detail: dict) -> None:
    """A claim is confirmed only for the slot stored as claimed by that candidate for that release."""
    slot = slot_store.get_slot(str(detail.get("slot_id")))
    if slot is None or slot.claimed_by != detail.get("candidate_id") or \
            slot.claim_release_id != detail.get("release_id"):
        raise Mismatch("the slot is not stored as claimed by this candidate for this release")


def moved_at_least(detail: dict) -> InterviewItem:
    """For counting, later: the interview of this candidate has been moved at least this many times."""
    interview = interview_store.get_interview(str(detail.get("interview_id")))
    if interview is None or interview.candidate_id != detail.get("candidate_id"):
        raise Mismatch("no such interview of this candidate")
    if int(interview.moves or 0) < int(detail.get("moves") or 0):
        raise Mismatch("the interview was not moved that often")
    return interview


# The source functions/integration/events.py publishes with (not imported: a consumer that checks events must not
# reach the module that puts them, or its IAM would have to allow PutEvents; a test ties the two).
OWN_SOURCE = "interviews.cancellations"


def registered(detail: dict) -> InterviewItem:
    """An InterviewScheduled with this service's own source announces what the registration API stored already:
    only the ATS's source may bring an interview we do not hold."""
    interview = interview_store.get_interview(str(detail.get("interview_id")))
    candidate = (detail.get("candidate") or {}).get("candidate_id")
    if interview is None or interview.candidate_id != candidate:
        raise Mismatch("no such interview was registered through the API")
    return interview


def counted(detail_type: str, detail: dict, source: str | None = None) -> None:
    """The analytics' check before counting one of this service's events (the ATS's are not checked here)."""
    if detail_type == "InterviewScheduled" and source == OWN_SOURCE:
        registered(detail)
    elif detail_type == "CancellationRequested":
        requested(detail)
    elif detail_type == "CancellationApproved":
        decided(detail, RequestStatus.APPROVED)
    elif detail_type == "CancellationRejected":
        decided(detail, RequestStatus.REJECTED)
    elif detail_type == "CancellationNeedsAttention":
        needs_attention(detail)
    elif detail_type == "InterviewMoved":
        moved_at_least(detail)
    elif detail_type == "RetentionMessageSent":
        retention_sent(detail)
    elif detail_type in ATTENDANCE_OUTCOMES:
        attendance(detail_type, detail, source)


def retention_sent(detail: dict) -> RequestItem:
    request = _request_of(detail)
    if not request.retention_sent_at:
        raise Mismatch("no retention message was sent for this request")
    return request


ATTENDANCE_OUTCOMES = {"InterviewAttended": "attended", "InterviewMissed": "no_show"}


def attendance(detail_type: str, detail: dict, source: str | None) -> InterviewItem | None:
    """Attendance is acted on only for the interview's own candidate and never against the attendance stored:
    staff's (this service's source) only as stored; the platform's only if none or the same is stored. An
    interview this service does not hold passes for the platform (its attendance was counted before we kept any)."""
    outcome = ATTENDANCE_OUTCOMES[detail_type]
    interview = interview_store.get_interview(str(detail.get("interview_id")))
    if interview is None:
        if source == OWN_SOURCE:
            raise Mismatch("no such interview")
        return None
    if interview.candidate_id != detail.get("candidate_id"):
        raise Mismatch("the interview is another candidate's")
    if source == OWN_SOURCE and interview.attendance != outcome:
        raise Mismatch("the interview's stored attendance is another")
    if interview.attendance and interview.attendance != outcome:
        raise Mismatch("another attendance is recorded for the interview")
    return interview


def reminder_requested(detail: dict) -> InterviewItem:
    """Staff's "remind now" is sent only for a scheduled interview of that candidate whose day's mark is stored."""
    interview = interview_store.get_interview(str(detail.get("interview_id")))
    if interview is None or interview.candidate_id != detail.get("candidate_id"):
        raise Mismatch("no such interview of this candidate")
    if interview.status != InterviewStatus.SCHEDULED:
        raise Mismatch(f"the interview is {interview.status}")
    if not risk_score_store.reminded_now(interview.interview_id, str(detail.get("day"))):
        raise Mismatch("no reminder was asked for on that day")
    return interview
