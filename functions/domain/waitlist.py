"""Slot backfill: a slot released by an approved cancellation (or a move) is offered to the next candidates in
line for that job; the first of them to claim it gets it, the others are told it is gone; an offer nobody claimed
in time expires and the slot goes to the next in line.

Who is waiting: CandidateWaitlisted events (from the ATS or staff), and candidates who join from their portal
(after a cancellation they may rebook, when no free time suits them; they may leave again). Offers go to a wave of
the first WAITLIST_OFFER_WAVE candidates in line (joined first, offered first), made by the notify function when
CancellationApproved or InterviewMoved arrives; every 15 minutes a scheduled run expires the offers whose time ran
out and offers the slot to as many next candidates. An offer's e-mail links to its claim page (functions/approve/
offers.py): GET shows it, POST claims it; `claim` is one conditional transaction, so of any number of concurrent
claims exactly one wins. It publishes SlotClaimed, which tells the ATS to book the interview and the other
candidates offered the slot that it is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from functions.core.clock import from_iso, to_iso, utc_now
from functions.core.errors import ConflictError, DomainError, NotFoundError, PolicyViolationError
from functions.core.models import (  # noqa: F401 - the event this module acts on
    CandidateWaitlisted,
    InterviewStatus,
    WaitlistCandidate,
)
from functions.core.settings import get_settings
from functions.domain import interview_policy
from functions.integration import events, links
from functions.integration.data import candidate_store, interview_store, slot_store, transactions

if TYPE_CHECKING:  # stored items are read here, never built: the data access builds them
    from functions.integration.tables import OfferItem

# An offer stays open this long, and never closer to the interview than CLAIM_NOTICE.
OFFER_TTL = timedelta(hours=4)
CLAIM_NOTICE = timedelta(hours=1)
PURGE_AFTER = timedelta(days=30)  # offers are kept a while for the record, then DynamoDB's TTL removes them


class OfferExpiredError(DomainError):
    status = 410
    title = "This offer has expired"
    code = "offer_expired"


class SlotTakenError(ConflictError):
    title = "This slot has already been taken"
    code = "slot_taken"


def join(event: CandidateWaitlisted, now: datetime | None = None) -> bool:
    """Put the candidate on the job's waitlist. False if already there."""
    candidate = event.candidate
    return slot_store.join_waitlist(event.job_id, candidate, joined_at=to_iso(now or utc_now()))


def offer_released_slot(slot_id: str, release_id: str, job_title: str, exclude_candidate: str | None = None,
                        now: datetime | None = None) -> list[OfferItem]:
    """Offer the released slot to the next candidates in line for its job (except `exclude_candidate`), so that a
    wave of WAITLIST_OFFER_WAVE offers of this release is open.

    Returns the open offers of this release, new or already made (a redelivered event sends the same, idempotent,
    messages). Nothing is offered when the slot is no longer available or too close to its start; nobody is
    offered the same release twice (an offer that expired stays expired).
    """
    now = now or utc_now()
    slot = slot_store.get_slot(slot_id)
    if slot is None or slot.status != "AVAILABLE":
        return []
    starts_at = from_iso(slot.starts_at)
    expires_at = min(now + OFFER_TTL, starts_at - CLAIM_NOTICE)
    if expires_at <= now:
        return []
    at = to_iso(now)
    made = {o.candidate_id: o for o in slot_store.offers_of_slot(slot_id) if o.release_id == release_id}
    result = [o for o in made.values() if o.status == "OFFERED" and o.expires_at > at]
    for entry in slot_store.waitlist_of(slot.job_id):
        if len(result) >= get_settings().waitlist_offer_wave:
            break
        if entry.candidate_id == exclude_candidate or entry.candidate_id in made:
            continue
        offer = slot_store.open_offer(slot, entry, release_id, job_title, offered_at=at,
                                      expires_at=to_iso(expires_at),
                                      purge_at=int((expires_at + PURGE_AFTER).timestamp()))
        if offer is None:
            # A delivery of the same release running at the same time offered it to them after `made` was read:
            # their offer fills this wave too, or two deliveries would offer the slot to two waves.
            offer = slot_store.get_offer(slot_id, entry.candidate_id)
            if offer is None or offer.release_id != release_id or offer.status != "OFFERED" \
                    or offer.expires_at <= at:
                continue
        result.append(offer)
    return result


def expire_offers(now: datetime | None = None) -> list[tuple[str, list[OfferItem]]]:
    """The scheduled run: every release with an offer whose time ran out is offered to the next in line, then those
    offers are marked expired. Returns (release id, its open offers) for each such release, for the offer mails.

    Offering first and expiring after makes a repeated or interrupted run harmless: the next run finds the wave full.
    """
    now = now or utc_now()
    at = to_iso(now)
    expired = slot_store.open_offers_expired_by(at)
    releases = {(o.slot_id, o.release_id): o.job_title for o in expired}
    offered = [(release_id, offer_released_slot(slot_id, release_id, job_title, now=now))
               for (slot_id, release_id), job_title in releases.items()]
    for offer in expired:
        slot_store.expire_offer(offer, at)
    return offered


def offer_link(offer: OfferItem) -> str:
    """The claim page of an offer, valid until the offer expires (a later click reads "expired")."""
    return links.offer_url(offer.slot_id, offer.candidate_id, offer.release_id, offer.expires_at)


def offer_of_link(token: str) -> OfferItem:
    """The offer a claim page's link names; NotFoundError if it no longer exists (purged, or replaced by a later
    release of the same slot)."""
    slot_id, candidate_id, release_id = links.offer_of(token)
    offer = slot_store.get_offer(slot_id, candidate_id)
    if offer is None or offer.release_id != release_id:
        raise NotFoundError("There is no offer of this slot for you.", code="offer_not_found")
    return offer


def claim_by_link(token: str, now: datetime | None = None) -> Claim:
    offer = offer_of_link(token)
    return claim(offer.slot_id, offer.candidate_id, now=now, release_id=offer.release_id)


# ---- the candidate's own place in line ----------------------------------------------------------------------------

def may_wait(interviews: list, requests: list | None = None) -> bool:
    """A candidate may wait for a time of a job after a cancellation they may follow by booking a new time (the
    policy's `rebooking`), while they hold no other interview of that job."""
    if any(i.status != InterviewStatus.CANCELLED for i in interviews):
        return False
    return any(interview_policy.may_rebook(i, requests) for i in interviews)


def _interviews_of_job(candidate_id: str, job_id: str) -> list:
    interviews = [i for i in interview_store.interviews_of(candidate_id) if i.job_id == job_id]
    if not interviews:  # a job the candidate has no interview of looks exactly like a missing one
        raise NotFoundError("No such position.", code="job_not_found")
    return interviews


def join_from_portal(candidate_id: str, job_id: str, now: datetime | None = None) -> bool:
    """The candidate joins the job's waitlist from their page. False if already on it (their place is kept)."""
    if not may_wait(_interviews_of_job(candidate_id, job_id)):
        raise PolicyViolationError("You can join the waitlist of this position only after a cancellation that "
                                   "allows booking a new time.", code="waitlist_not_allowed")
    profile = candidate_store.get_candidate(candidate_id)
    if profile is None:
        raise NotFoundError("No such position.", code="job_not_found")
    candidate = WaitlistCandidate(candidate_id=candidate_id, name=profile.name, email=profile.email,
                                  locale=profile.locale, timezone=profile.timezone)
    return slot_store.join_waitlist(job_id, candidate, joined_at=to_iso(now or utc_now()))


def leave_from_portal(candidate_id: str, job_id: str) -> None:
    """The candidate leaves the job's waitlist (nothing happens if they were not on it). Offers already made stay
    claimable until they expire."""
    _interviews_of_job(candidate_id, job_id)
    slot_store.leave_waitlist(job_id, candidate_id)


def is_waiting(job_id: str, candidate_id: str) -> bool:
    return slot_store.waiting_entry(job_id, candidate_id) is not None


@dataclass(frozen=True)
class Claim:
    slot_id: str
    candidate_id: str
    job_id: str
    release_id: str
    starts_at: str
    claimed_at: str


def claim(slot_id: str, candidate_id: str, now: datetime | None = None, release_id: str | None = None) -> Claim:
    """The candidate takes the slot they were offered. Exactly one claim of a release wins (a conditional write
    on the slot: AVAILABLE -> BOOKED with the claimant); repeating a won claim returns the same claim.

    Raises NotFoundError (no offer for this candidate), OfferExpiredError (too late) or SlotTakenError.
    """
    now = now or utc_now()
    offer = slot_store.get_offer(slot_id, candidate_id)
    if offer is None or (release_id is not None and offer.release_id != release_id):
        raise NotFoundError("There is no offer of this slot for you.", code="offer_not_found")
    at = to_iso(now)
    try:
        slot_store.claim_slot(offer, at)
    except transactions.TransactionConflict as conflict:
        slot = slot_store.get_slot(slot_id)
        if slot is not None and slot.claimed_by == candidate_id and slot.claim_release_id == offer.release_id:
            result = Claim(slot_id, candidate_id, offer.job_id, offer.release_id, offer.starts_at,
                           slot.claimed_at or at)
            _announce(result)  # a retry of a claim that won: announce again (consumers are idempotent)
            return result
        if "slot" in conflict.failed:
            raise SlotTakenError("Someone else has just taken this slot.") from None
        current = slot_store.get_offer(slot_id, candidate_id)
        if current is not None and (current.status == "EXPIRED"
                                    or (current.status == "OFFERED" and current.expires_at <= at)):
            raise OfferExpiredError("This offer has expired.") from None
        raise SlotTakenError("This slot is no longer offered to you.", code="offer_withdrawn") from None
    result = Claim(slot_id, candidate_id, offer.job_id, offer.release_id, offer.starts_at, at)
    slot_store.leave_waitlist(offer.job_id, candidate_id)
    _announce(result)
    return result


def _announce(claimed: Claim) -> None:
    events.publish("SlotClaimed", {
        "slot_id": claimed.slot_id, "job_id": claimed.job_id, "candidate_id": claimed.candidate_id,
        "release_id": claimed.release_id, "starts_at": claimed.starts_at, "claimed_at": claimed.claimed_at,
    })


def others_to_tell(slot_id: str, release_id: str, winner: str) -> list[OfferItem]:
    """The offers of this release that did not win: withdrawn now (or already), each to be told once."""
    others = []
    for offer in slot_store.offers_of_slot(slot_id):
        if offer.release_id != release_id or offer.candidate_id == winner:
            continue
        if offer.status == "OFFERED":
            slot_store.withdraw_offer(slot_id, offer.candidate_id, release_id)
        others.append(offer)
    return others
