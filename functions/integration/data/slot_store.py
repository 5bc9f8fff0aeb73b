"""Slots, the waitlist of a job and offers of released slots: booking, moving and claiming, each all or
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from functions.core.models import AuditEntry, InterviewStatus, RequestStatus, WaitlistCandidate
from functions.integration.data.transactions import all_or_nothing, conditional
from functions.integration.tables import InterviewItem, OfferItem, RequestItem, SlotItem, WaitlistItem


@dataclass(frozen=True)
class Closing:
    """The open request a move closes (interviewer_unavailable): kept, decided by `actor`, with its audit entry."""

    request_id: str
    actor: str
    comment: str
    entry: AuditEntry

OPEN = "OPEN"  # OfferItem.open_status while the offer may be claimed


def get_slot(slot_id: str) -> SlotItem | None:
    try:
        return SlotItem.get(slot_id, consistent_read=True)
    except DoesNotExist:
        return None


def open_slot(slot_id: str, job_id: str, starts_at: str) -> bool:
    """A new AVAILABLE slot. False if the slot id exists (a replay, or someone else's slot)."""
    slot = SlotItem(slot_id, job_id=job_id, starts_at=starts_at, status="AVAILABLE")
    return conditional(lambda: slot.save(condition=SlotItem.slot_id.does_not_exist()))


def available_slots(job_id: str, starting_after: str) -> list[SlotItem]:
    """The job's free slots starting after the given time, earliest first (one index query)."""
    return list(SlotItem.by_job.query(job_id, SlotItem.starts_at > starting_after,
                                      filter_condition=SlotItem.status == "AVAILABLE"))


def move_interview(interview: InterviewItem, slot: SlotItem, move_limit: int, now: str, entry: AuditEntry,
                   trail_id: str, closing: Closing | None = None) -> None:
    """Book the new slot, release the old one and move the interview, all or nothing; with `closing`, the
    interview must be pending for that request, which is closed as kept (the interview is scheduled again).

    The old slot is released only if the new one is taken. Raises TransactionConflict naming "new_slot" (taken
    meanwhile), "old_slot", "interview" (the interview changed: cancelled, moved, or at its move limit) or
    "request" (decided meanwhile).
    """
    if closing is None:
        status = InterviewItem.status == InterviewStatus.SCHEDULED.value
        reopen = []
    else:
        status = (InterviewItem.status == InterviewStatus.CANCELLATION_PENDING.value) \
            & (InterviewItem.pending_request_id == closing.request_id)
        reopen = [InterviewItem.status.set(InterviewStatus.SCHEDULED.value), InterviewItem.pending_request_id.remove()]
    with all_or_nothing() as transaction:
        transaction.update("new_slot", SlotItem(slot.slot_id),
                           actions=[SlotItem.status.set("BOOKED"), SlotItem.interview_id.set(interview.interview_id)],
                           condition=(SlotItem.status == "AVAILABLE") & (SlotItem.job_id == interview.job_id))
        transaction.update("old_slot", SlotItem(interview.slot_id),
                           actions=[SlotItem.status.set("AVAILABLE"), SlotItem.interview_id.remove(),
                                    SlotItem.released_at.set(now)],
                           condition=SlotItem.interview_id == interview.interview_id)
        transaction.update(
            "interview", InterviewItem(interview.interview_id),
            actions=[InterviewItem.slot_id.set(slot.slot_id), InterviewItem.starts_at.set(slot.starts_at),
                     InterviewItem.start_hour.set(slot.starts_at[:13]),
                     InterviewItem.start_day.set(slot.starts_at[:10]), InterviewItem.moves.add(1),
                     InterviewItem.calendar_sequence.add(1), *reopen],
            condition=status
            & (InterviewItem.slot_id == interview.slot_id)
            & (InterviewItem.moves.does_not_exist() | (InterviewItem.moves < move_limit)),
        )
        transaction.append_audit(trail_id, entry)
        if closing is not None:
            transaction.update(
                "request", RequestItem(closing.request_id),
                actions=[RequestItem.status.set(RequestStatus.REJECTED.value), RequestItem.decided_at.set(now),
                         RequestItem.decided_by.set(closing.actor), RequestItem.decision_comment.set(closing.comment)],
                condition=RequestItem.status.is_in(RequestStatus.RECEIVED.value, RequestStatus.PENDING_APPROVAL.value))
            transaction.append_audit(closing.request_id, closing.entry)


def join_waitlist(job_id: str, candidate: WaitlistCandidate, joined_at: str) -> bool:
    """Put a candidate on a job's waitlist. False if they were already on it (their place is kept)."""
    entry = WaitlistItem(job_id, candidate.candidate_id, name=candidate.name, email=str(candidate.email),
                         locale=candidate.locale, timezone=candidate.timezone, joined_at=joined_at)
    return conditional(lambda: entry.save(condition=WaitlistItem.candidate_id.does_not_exist()))


def waitlist_of(job_id: str) -> list[WaitlistItem]:
    """The job's waitlist in line order: who joined first comes first."""
    return sorted(WaitlistItem.query(job_id, consistent_read=True), key=lambda e: (e.joined_at, e.candidate_id))


def waiting_entry(job_id: str, candidate_id: str) -> WaitlistItem | None:
    try:
        return WaitlistItem.get(job_id, candidate_id, consistent_read=True)
    except DoesNotExist:
        return None


def leave_waitlist(job_id: str, candidate_id: str) -> None:
    """Idempotent: deleting an entry that is gone changes nothing."""
    WaitlistItem(job_id, candidate_id).delete()


def open_offer(slot: SlotItem, waiting: WaitlistItem, release_id: str, job_title: str, offered_at: str,
               expires_at: str, purge_at: int) -> OfferItem | None:
    """Offer a released slot to a candidate waiting for its job. None if this release was already offered to
    them (a redelivery); an offer from an earlier release of the same slot is replaced."""
    offer = OfferItem(
        slot.slot_id, waiting.candidate_id, release_id=release_id, job_id=slot.job_id, job_title=job_title,
        starts_at=slot.starts_at, name=waiting.name, email=waiting.email, locale=waiting.locale,
        timezone=waiting.timezone, offered_at=offered_at, expires_at=expires_at, status="OFFERED",
        purge_at=purge_at, open_status=OPEN)
    return offer if conditional(lambda: offer.save(
        condition=OfferItem.candidate_id.does_not_exist() | (OfferItem.release_id != offer.release_id))) else None


def get_offer(slot_id: str, candidate_id: str) -> OfferItem | None:
    try:
        return OfferItem.get(slot_id, candidate_id, consistent_read=True)
    except DoesNotExist:
        return None


def offers_of_slot(slot_id: str) -> list[OfferItem]:
    return list(OfferItem.query(slot_id, consistent_read=True))


def claim_slot(offer: OfferItem, now: str) -> None:
    """Book the released slot for the offer's candidate: all or nothing, and only the first claim wins.

    Raises TransactionConflict naming "slot" (no longer available) and/or "offer" (expired, withdrawn or used).
    """
    with all_or_nothing() as transaction:
        transaction.update(
            "slot", SlotItem(offer.slot_id),
            actions=[SlotItem.status.set("BOOKED"), SlotItem.claimed_by.set(offer.candidate_id),
                     SlotItem.claimed_at.set(now), SlotItem.claim_release_id.set(offer.release_id)],
            condition=SlotItem.status == "AVAILABLE",
        )
        transaction.update(
            "offer", OfferItem(offer.slot_id, offer.candidate_id),
            actions=[OfferItem.status.set("CLAIMED"), OfferItem.open_status.remove()],
            condition=(OfferItem.status == "OFFERED") & (OfferItem.release_id == offer.release_id)
            & (OfferItem.expires_at > now),
        )


def withdraw_offer(slot_id: str, candidate_id: str, release_id: str) -> bool:
    """OFFERED -> GONE once someone else claimed the slot. False if it was not open (already told, or used)."""
    return conditional(lambda: OfferItem(slot_id, candidate_id).update(
        actions=[OfferItem.status.set("GONE"), OfferItem.open_status.remove()],
        condition=(OfferItem.status == "OFFERED") & (OfferItem.release_id == release_id),
    ))


def open_offers_expired_by(now: str) -> list[OfferItem]:
    """The offers still open whose time ran out by `now` (the sparse open_by_expiry index, not a Scan)."""
    return list(OfferItem.open_by_expiry.query(OPEN, OfferItem.expires_at <= now))


def expire_offer(offer: OfferItem, now: str) -> bool:
    """OFFERED -> EXPIRED once its time ran out. False if it was claimed, withdrawn or expired meanwhile."""
    return conditional(lambda: OfferItem(offer.slot_id, offer.candidate_id).update(
        actions=[OfferItem.status.set("EXPIRED"), OfferItem.open_status.remove()],
        condition=(OfferItem.status == "OFFERED") & (OfferItem.release_id == offer.release_id)
        & (OfferItem.expires_at <= now),
    ))
