"""Events from the bus into the per-day counters, exactly once per event (SQS may deliver one twice).

Each event's increments and a marker of what it is about (its detail-type with the request or interview id, as
docs/events.md tells subscribers to key on) are written in one conditional transaction: a redelivered or
resent event finds the marker and changes nothing. The day is the event's own time (UTC), so the nightly report of a day
reads only that day's counters. This service's own events are counted only if they agree with the stored state
(integration/event_trust.py: a forged decision raises Mismatch and counts nothing).
"""

from __future__ import annotations

import time

from functions.domain.measures import aggregates
from functions.domain.measures import nudge_holdout
from functions.integration import event_trust
from functions.analytics import risk
from functions.domain.measures.aggregates import Dimensions
from functions.integration.data import counter_store, interview_store, request_store
from functions.core.clock import now_iso

SECOND_KEY = {"InterviewMoved": "moves", "CandidateActed": "behaviour"}
MARKER_TTL_SECONDS = 400 * 24 * 3600  # longer than SQS retention and the archive's replay window


def _interview_dimensions(interview_id: str, candidate_id: str) -> Dimensions:
    interview, candidate = interview_store.interview_with_profile(interview_id, candidate_id)
    if interview is None:
        raise LookupError(f"interview {interview_id} is not registered (yet): retried")
    return Dimensions.of(interview.job_title, interview.department, interview.candidate_source,
                         interview.starts_at, candidate.timezone if candidate else None)


def _request_created_at(request_id: str) -> str | None:
    request = request_store.get_request(request_id)
    return request.created_at if request else None


def _after_rejection(interview_id: str, candidate_id: str) -> bool:
    return any(r.interview_id == interview_id and r.status == "REJECTED" for r in request_store.requests_of(candidate_id))


def increments_of(detail_type: str, detail: dict, at: str) -> list:
    """(metric, n, total) for one event, looking up what it does not carry."""
    if detail_type == "InterviewScheduled":
        job, candidate = detail["job"], detail["candidate"]
        return aggregates.scheduled(Dimensions.of(job["title"], job["department"], candidate.get("source") or "direct",
                                                  detail["starts_at"], candidate.get("timezone")))
    if detail_type == "CancellationRequested":
        dims = _interview_dimensions(detail["interview_id"], detail["candidate_id"])
        return aggregates.requested(dims, detail["initiator"], detail["reason_code"], bool(detail["auto_approve"]))
    if detail_type in ("CancellationApproved", "CancellationRejected"):
        return aggregates.decided(detail["outcome"], detail["actor"], _request_created_at(detail["request_id"]),
                                  detail["decided_at"], at)
    if detail_type == "CancellationNeedsAttention":
        return aggregates.needs_attention()
    if detail_type == "InterviewAttended":
        return aggregates.attended(_after_rejection(detail["interview_id"], detail["candidate_id"]))
    if detail_type == "InterviewMissed":
        return aggregates.no_show()
    if detail_type == "InterviewMoved":
        return aggregates.moved()
    if detail_type == "RetentionMessageSent":
        return aggregates.retention_sent()
    if detail_type == "CandidateActed":
        return aggregates.acted(detail["behaviour"])
    raise ValueError(f"analytics does not count {detail_type}")


def _nudge_outcome(detail_type: str, detail: dict) -> list:
    """The nudge experiment's counters: a candidate's approved cancellation or an attendance, by the interview's arm."""
    if detail_type == "CancellationApproved" and detail["initiator"] == "candidate":
        outcome = "cancelled"
    elif detail_type == "InterviewAttended":
        outcome = "attended"
    else:
        return []
    interview = interview_store.get_interview(detail["interview_id"])
    return nudge_holdout.outcome_counters(interview.nudge_arm if interview else None, outcome)


def _history(detail_type: str, detail: dict, at: str) -> None:
    """The risk model's history: a candidate's approved cancellation, their attendance or their no-show."""
    if detail_type == "CancellationApproved" and detail["initiator"] == "candidate":
        # The candidate cancelled when they asked: from then on the interview was no longer plainly scheduled.
        asked_at = _request_created_at(detail["request_id"]) or at
        risk.record_outcome(detail["interview_id"], detail["candidate_id"], "cancelled", asked_at)
    if detail_type == "InterviewAttended":
        risk.record_outcome(detail["interview_id"], detail["candidate_id"], "attended", at)
    if detail_type == "InterviewMissed":
        risk.record_outcome(detail["interview_id"], detail["candidate_id"], "no_show", at)


def marker_of(detail_type: str, detail: dict) -> str:
    """What makes two events "the same" (docs/events.md): the interview for bookings and attendance, the request
    for the rest. A redelivery, an ATS resending a booking or a replay from the archive counts once."""
    key = detail.get("request_id") or detail.get("interview_id")
    if detail_type in ("InterviewScheduled", "InterviewAttended", "InterviewMissed") or not key:
        key = detail.get("interview_id")
    if detail_type in SECOND_KEY and key:  # an interview is moved more than once, and acted on in several ways
        key = f"{key}:{detail.get(SECOND_KEY[detail_type])}"
    if not key:
        raise ValueError(f"{detail_type} without an interview_id or request_id")
    return f"event#{detail_type}#{key}"


def count(envelope: dict) -> bool:
    """Count one EventBridge event. False when it had been counted already."""
    at = envelope.get("time") or now_iso()
    day = at[:10]
    detail_type, detail = envelope["detail-type"], envelope["detail"]
    event_trust.counted(detail_type, detail, envelope.get("source"))
    found = increments_of(detail_type, detail, at) + _nudge_outcome(detail_type, detail)
    _history(detail_type, detail, at)  # a rewrite of the same item when redelivered
    return counter_store.count_once(marker_of(detail_type, detail), "counted", aggregates.merged(day, found),
                            expires_at=int(time.time()) + MARKER_TTL_SECONDS)
