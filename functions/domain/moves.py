"""Moving an interview to another free slot of the same job: the candidate's alternative to cancelling; and,
after a cancellation the policy allows it for, rebooking: a new interview of the same job in a free slot, linked to
the cancelled one and keeping the AI-interview parts already completed, so the candidate does not start over.

The policy in force decides whether a move is allowed, how many, and the minimum notice (for the old slot and
the new one alike). The swap is one transaction, so a slot is never lost or double-booked; the calendars are
updated by the notify function on the InterviewMoved event.

When the interviewer dropped the interview from their calendar, a company request `interviewer_unavailable` is
open and the candidate is offered a move (`offered_move`): not their choice, so neither the policy's move limit
nor its notice for the old slot applies (the new slot still needs the notice). That move closes the request in
the same transaction (kept: REJECTED, decided by the candidate's move) and stops its workflow, so its approver
has nothing left to decide.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from functions.core.clock import from_iso, to_iso, utc_now
from functions.core.errors import ConflictError, NotFoundError, PolicyViolationError, ServiceUnavailableError
from functions.core.ids import ID_MAX_LENGTH
from functions.core.models import (
    AuditEntry,
    CompanyReason,
    Initiator,
    InterviewScheduled,
    InterviewStatus,
    MoveReceipt,
    RebookReceipt,
    RequestStatus,
    SlotView,
)
from functions.core.observability import logger
from functions.core.settings import get_settings
from functions.domain import interview_policy
from functions.domain.calendar import invitations
from functions.domain.policy import PolicyDecision
from functions.integration import events, workflow
from functions.integration.data import candidate_store, interview_store, request_store, slot_store, transactions

if TYPE_CHECKING:  # stored items are read here, never built: the data access builds them
    from functions.integration.tables import InterviewItem, RequestItem, SlotItem


def trail_id(interview_id: str) -> str:
    """Audit trail of an interview's own changes (moves); cancellation requests have their own trails."""
    return f"interview:{interview_id}"


def _own_interview(interview_id: str, candidate_id: str) -> InterviewItem:
    interview = interview_store.get_interview(interview_id)
    if interview is None or interview.candidate_id != candidate_id:
        raise NotFoundError("No such interview.",  # someone else's interview looks exactly like a missing one
                            code="interview_not_found")
    return interview


def _policy(interview: InterviewItem, now: datetime) -> PolicyDecision:
    settings = get_settings()
    # A move has no reason: the policy is asked about this candidate and interview only.
    return interview_policy.decide(interview=interview, initiator=Initiator.CANDIDATE, reason_code=None,
                          now=now, starts_at=from_iso(interview.starts_at),
                          sla_seconds=settings.approval_sla_seconds, hr_email=settings.hr_email,
                          earlier_moves=int(interview.moves or 0))


def offered_move(interview: InterviewItem) -> RequestItem | None:
    """The open company request `interviewer_unavailable` of this interview, if there is one: the candidate is
    offered a move while it is open."""
    if interview.status != InterviewStatus.CANCELLATION_PENDING or not interview.pending_request_id:
        return None
    request = request_store.get_request(interview.pending_request_id)
    if request is None or request.initiator != Initiator.COMPANY \
            or request.reason_code != CompanyReason.INTERVIEWER_UNAVAILABLE \
            or request.status not in (RequestStatus.RECEIVED, RequestStatus.PENDING_APPROVAL):
        return None
    return request


def moves_left(interview: InterviewItem, now: datetime | None = None) -> int:
    if offered_move(interview) is not None:
        return 1
    decision = _policy(interview, now or utc_now())
    return max(0, decision.move_limit - int(interview.moves or 0)) if decision.may_move else 0


def open_slots(interview_id: str, candidate_id: str, now: datetime | None = None) -> list[SlotView]:
    """The slots this interview may move to now: free, of the same job, and far enough ahead."""
    now = now or utc_now()
    interview = _own_interview(interview_id, candidate_id)
    earliest = now + _policy(interview, now).minimum_notice
    return [SlotView(slot_id=s.slot_id, starts_at=s.starts_at)
            for s in slot_store.available_slots(interview.job_id, to_iso(earliest)) if s.slot_id != interview.slot_id]


def move(interview_id: str, candidate_id: str, slot_id: str, now: datetime | None = None) -> MoveReceipt:
    """Move the interview to `slot_id`. Repeating a move that happened answers the same and re-announces it."""
    now = now or utc_now()
    interview = _own_interview(interview_id, candidate_id)
    if interview.slot_id == slot_id:  # a retry of a move that was stored: make sure it was announced
        _announce(interview, from_slot_id=None, from_starts_at=None)
        return _receipt(interview, now)
    offered = offered_move(interview)
    decision = _policy(interview, now) if offered else _check_movable(interview, now)
    slot = _free_slot(interview, slot_id, decision, now)
    entry = AuditEntry(at=to_iso(now), actor=f"candidate:{candidate_id}", action="moved",
                       from_status=interview.status, to_status=InterviewStatus.SCHEDULED.value,
                       why=f"from slot {interview.slot_id} at {interview.starts_at} "
                           f"to slot {slot.slot_id} at {slot.starts_at}")
    closing = None
    if offered is not None:
        closing = slot_store.Closing(
            request_id=offered.request_id, actor=f"candidate:{candidate_id}", comment="moved to another time",
            entry=AuditEntry(at=to_iso(now), actor=f"candidate:{candidate_id}", action="closed_by_move",
                             from_status=offered.status, to_status=RequestStatus.REJECTED.value,
                             why=f"the candidate moved the interview to slot {slot.slot_id} at {slot.starts_at}"))
    limit = int(interview.moves or 0) + 1 if offered else decision.move_limit
    try:
        slot_store.move_interview(interview, slot, limit, to_iso(now), entry, trail_id(interview_id), closing)
    except transactions.TransactionConflict as conflict:
        if "new_slot" in conflict.failed:
            raise ConflictError("This slot was just taken; please pick another.", code="slot_taken") from None
        raise ConflictError("This interview changed meanwhile; please reload the page.",
                            code="interview_changed") from None
    if offered is not None:
        _stop_workflow(offered.request_id)
    moved = interview_store.get_interview(interview_id)
    _announce(moved, from_slot_id=interview.slot_id, from_starts_at=interview.starts_at)
    return _receipt(moved, now)


def _stop_workflow(request_id: str) -> None:
    """The closed request's workflow waits for an approver who has nothing left to decide: stop it. If it cannot
    be stopped now, the approver's link still refuses (the request is closed), but the wait's default at the
    deadline finds the interview no longer pending, and HR is told the request needs attention."""
    try:
        workflow.stop(request_id, cause="closed: the candidate moved the interview")
    except Exception as exc:  # noqa: BLE001 - the move stands either way
        logger.warning("closed request's workflow not stopped", extra={"request_id": request_id,
                                                                      "error_type": type(exc).__name__})


def _free_slot(interview: InterviewItem, slot_id: str, decision: PolicyDecision, now: datetime) -> SlotItem:
    """The slot, if it is a free slot of the interview's job far enough ahead."""
    slot = slot_store.get_slot(slot_id)
    if slot is None or slot.job_id != interview.job_id:
        raise NotFoundError("No such slot for this interview.", code="slot_not_found")
    if from_iso(slot.starts_at) - now < decision.minimum_notice:
        raise PolicyViolationError(
            f"The new time must be at least {decision.minimum_notice_hours:g} hours from now.",
            code="move_too_soon", hours=f"{decision.minimum_notice_hours:g}")
    if slot.status != "AVAILABLE":
        raise ConflictError("This slot was just taken; please pick another.", code="slot_taken")
    return slot


def _check_movable(interview: InterviewItem, now: datetime) -> PolicyDecision:
    if interview.status != InterviewStatus.SCHEDULED:
        raise ConflictError("Only a scheduled interview can be moved.", code="move_not_scheduled")
    decision = _policy(interview, now)
    if not decision.may_move:
        raise PolicyViolationError("This interview cannot be moved online; please contact your recruiter.",
                                    code="move_not_allowed")
    if int(interview.moves or 0) >= decision.move_limit:
        raise PolicyViolationError(
            f"An interview can be moved at most {decision.move_limit} time(s) online; "
            f"please contact your recruiter at {interview.recruiter.email}.",
            code="move_limit", count=int(decision.move_limit), contact=interview.recruiter.email)
    if from_iso(interview.starts_at) - now < decision.minimum_notice:
        raise PolicyViolationError(
            f"Moves less than {decision.minimum_notice_hours:g} hours before the interview cannot be made online; "
            f"please contact your recruiter at {interview.recruiter.email}.",
            code="too_late_to_move", hours=f"{decision.minimum_notice_hours:g}",
            contact=interview.recruiter.email)
    return decision


def _announce(interview: InterviewItem, from_slot_id: str | None, from_starts_at: str | None) -> None:
    """The calendars and the waitlist follow from this event; if it cannot be sent, the caller retries the move."""
    try:
        events.publish("InterviewMoved", {
            "interview_id": interview.interview_id, "candidate_id": interview.candidate_id,
            "job_id": interview.job_id, "slot_id": interview.slot_id, "starts_at": interview.starts_at,
            "from_slot_id": from_slot_id, "from_starts_at": from_starts_at,
            "sequence": int(interview.calendar_sequence), "moves": int(interview.moves or 0),
        })
    except Exception as exc:  # noqa: BLE001 - the move is stored; a retry of the same move re-announces it
        raise ServiceUnavailableError(
            "Your interview was moved but the calendars could not be updated yet; send the same move again.",
            code="move_unannounced") from exc


def rebooked_interview_id(interview_id: str) -> str:
    """The new interview's id: derived from the cancelled one, so a retry can only ever find the same one."""
    readable = f"{interview_id}.rebooked"
    if len(readable) <= ID_MAX_LENGTH:
        return readable
    return "rebooked-" + hashlib.sha256(interview_id.encode()).hexdigest()[:32]


def rebook(interview_id: str, candidate_id: str, slot_id: str, now: datetime | None = None) -> RebookReceipt:
    """After a cancellation the policy allows it for, book a new interview of the same job in a free slot (once).

    The new interview is stored linked to the cancelled one with its completed AI-interview parts, in the same
    transaction as the slot and the mark on the cancelled interview; the invitation follows on the bus path of
    every registration (InterviewScheduled), and InterviewRebooked tells the ATS both ids. Repeating the same
    choice answers the same and announces again (consumers are idempotent).
    """
    now = now or utc_now()
    interview = _own_interview(interview_id, candidate_id)
    if interview.rebooked_slot_id == slot_id and interview.rebooked_to:  # a retry of a stored rebooking
        rebooked = interview_store.get_interview(interview.rebooked_to)
        _announce_rebooking(interview, rebooked, _event_for(interview, rebooked.slot_id, rebooked.starts_at,
                                                            rebooked.interview_id))
        return _rebook_receipt(rebooked)
    if interview.status != InterviewStatus.CANCELLED:
        raise ConflictError("Only a cancelled interview can be booked again; move it instead.",
                            code="rebook_not_cancelled")
    if interview.rebooked_slot_id:
        raise ConflictError("A new time was already booked for this interview.", code="rebook_done")
    if not interview_policy.may_rebook(interview):
        raise PolicyViolationError("A new time cannot be booked online after this cancellation; "
                                   f"please contact your recruiter at {interview.recruiter.email}.",
                                   code="rebook_not_allowed", contact=interview.recruiter.email)
    slot = _free_slot(interview, slot_id, _policy(interview, now), now)
    event = _event_for(interview, slot.slot_id, slot.starts_at, rebooked_interview_id(interview_id))
    at = to_iso(now)
    entry = AuditEntry(at=at, actor=f"candidate:{candidate_id}", action="rebooked",
                       from_status=InterviewStatus.CANCELLED.value, to_status=InterviewStatus.CANCELLED.value,
                       why=f"new interview {event.interview_id} in slot {slot.slot_id} at {slot.starts_at}")
    try:
        interview_store.rebook_interview(interview, event, starts_at=slot.starts_at, now=at,
                                         calendar=invitations.registered_entry(event), entry=entry,
                                         trail_id=trail_id(interview_id))
    except transactions.TransactionConflict as conflict:
        if "slot" in conflict.failed and "cancelled" not in conflict.failed:
            raise ConflictError("This slot was just taken; please pick another.", code="slot_taken") from None
        raise ConflictError("A new time was already booked for this interview.", code="rebook_done") from None
    slot_store.leave_waitlist(interview.job_id, candidate_id)  # a time is booked: no more offers of this job
    rebooked = interview_store.get_interview(event.interview_id)
    _announce_rebooking(interview, rebooked, event)
    return _rebook_receipt(rebooked)


def _event_for(cancelled: InterviewItem, slot_id: str, starts_at: str, new_id: str) -> InterviewScheduled:
    """The registration of the new interview: the cancelled one's job, people and completed parts, in the new
    slot, for the candidate as stored now."""
    profile = candidate_store.get_candidate(cancelled.candidate_id)
    if profile is None:
        raise NotFoundError("No such interview.", code="interview_not_found")

    def person(p) -> dict:
        return {"person_id": p.person_id, "name": p.name, "email": p.email, "locale": p.locale}

    return InterviewScheduled.model_validate({
        "interview_id": new_id, "slot_id": slot_id, "starts_at": starts_at,
        "candidate": {"candidate_id": profile.candidate_id, "name": profile.name, "email": profile.email,
                      "phone": profile.phone, "sms_opt_in": bool(profile.sms_opt_in), "locale": profile.locale,
                      "timezone": profile.timezone, "source": profile.source, "resume_url": profile.resume_url},
        "job": {"job_id": cancelled.job_id, "title": cancelled.job_title, "level": cancelled.job_level,
                "department": cancelled.department, "recruiter": person(cancelled.recruiter),
                "department_manager": person(cancelled.department_manager),
                "description_url": cancelled.description_url, "company_intro_url": cancelled.company_intro_url},
        "interviewer": person(cancelled.interviewer), "duration_minutes": int(cancelled.duration_minutes),
        "ai_interview_url": cancelled.ai_interview_url, "completed_parts": list(cancelled.completed_parts or []),
    })


def _announce_rebooking(cancelled: InterviewItem, rebooked: InterviewItem, event: InterviewScheduled) -> None:
    """The invitation (the registration's bus path) and the ATS's notice; a retry of the same choice resends both."""
    try:
        events.publish("InterviewScheduled", event.model_dump(mode="json", exclude_none=True))
        events.publish("InterviewRebooked", {
            "interview_id": rebooked.interview_id, "rebooked_from": cancelled.interview_id,
            "candidate_id": rebooked.candidate_id, "job_id": rebooked.job_id, "slot_id": rebooked.slot_id,
            "starts_at": rebooked.starts_at, "completed_parts": list(rebooked.completed_parts or []),
            "rebooked_at": rebooked.created_at})
    except Exception as exc:  # noqa: BLE001 - the booking is stored; the same request again announces it
        raise ServiceUnavailableError("The time is reserved for you but could not be confirmed yet; "
                                      "send the same choice again.",
                                      code="rebook_unconfirmed") from exc


def _rebook_receipt(rebooked: InterviewItem) -> RebookReceipt:
    return RebookReceipt(slot_id=rebooked.slot_id, starts_at=rebooked.starts_at,
                         interview_id=rebooked.interview_id, rebooked_from=rebooked.rebooked_from,
                         completed_parts=list(rebooked.completed_parts or []))


def publish_slots(job_id: str, starts_at: list[str]) -> list[SlotView]:
    """Open slots of a job. A slot's id is made from the job and the time, so publishing twice is harmless."""
    opened = []
    for text in sorted({to_iso(from_iso(value)) for value in starts_at}):
        slot_id = f"{job_id}:{text[:16].replace('-', '').replace(':', '')}"
        slot_store.open_slot(slot_id, job_id, text)
        opened.append(SlotView(slot_id=slot_id, starts_at=text))
    return opened


def _receipt(interview: InterviewItem, now: datetime) -> MoveReceipt:
    return MoveReceipt(interview_id=interview.interview_id, slot_id=interview.slot_id,
                       starts_at=interview.starts_at, moves_left=moves_left(interview, now))
