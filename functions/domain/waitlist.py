"""Slot backfill: a slot released by an approved cancellation is offered to the candidates waiting for that job;
the first to claim it gets it, the others are told it is gone, and offers expire.

Who is waiting: CandidateWaitlisted events (from the ATS or staff). Offers are made by the notify function when
CancellationApproved arrives. `claim` is the domain function behind the claim (its HTTP route is a later issue);
it publishes SlotClaimed, which tells the ATS to book the interview and the other candidates that the slot is
gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from functions.core.clock import from_iso, to_iso, utc_now
from functions.core.errors import ConflictError, DomainError, NotFoundError
from functions.core.models import (  # noqa: F401 - the event this module acts on
    CandidateWaitlisted,
    WaitlistCandidate,
)
from functions.integration import events
from functions.integration.data import slot_store, transactions

if TYPE_CHECKING:  # stored items are read here, never built: the data access builds them
    from functions.integration.tables import OfferItem

# An offer stays open this long, and never closer to the interview than CLAIM_NOTICE.
OFFER_TTL = timedelta(hours=4)
CLAIM_NOTICE = timedelta(hours=1)
PURGE_AFTER = timedelta(days=30)  # offers are kept a while for the record, then DynamoDB's TTL removes them


class OfferExpiredError(DomainError):
    status = 410
    title = "This offer has expired"


class SlotTakenError(ConflictError):
    title = "This slot has already been taken"


def join(event: CandidateWaitlisted, now: datetime | None = None) -> bool:
    """Put the candidate on the job's waitlist. False if already there."""
    candidate = event.candidate
    return slot_store.join_waitlist(event.job_id, candidate, joined_at=to_iso(now or utc_now()))


def offer_released_slot(slot_id: str, release_id: str, job_title: str, exclude_candidate: str | None = None,
                        now: datetime | None = None) -> list[OfferItem]:
    """Offer the released slot to everyone waiting for its job (except `exclude_candidate`).

    Returns every offer of this release, new or already made (a redelivered event sends the same, idempotent,
    messages). Nothing is offered when the slot is no longer available or too close to its start.
    """
    now = now or utc_now()
    slot = slot_store.get_slot(slot_id)
    if slot is None or slot.status != "AVAILABLE":
        return []
    starts_at = from_iso(slot.starts_at)
    expires_at = min(now + OFFER_TTL, starts_at - CLAIM_NOTICE)
    if expires_at <= now:
        return []
    result = []
    for entry in slot_store.waitlist_of(slot.job_id):
        if entry.candidate_id == exclude_candidate:
            continue
        offer = slot_store.open_offer(slot, entry, release_id, job_title, offered_at=to_iso(now),
                                      expires_at=to_iso(expires_at),
                                      purge_at=int((expires_at + PURGE_AFTER).timestamp()))
        if offer is None:
            offer = slot_store.get_offer(slot_id, entry.candidate_id)
            if offer is None or offer.release_id != release_id or offer.status != "OFFERED":
                continue  # already claimed or withdrawn: nothing to offer again
        result.append(offer)
    return result


@dataclass(frozen=True)
class Claim:
    slot_id: str
    candidate_id: str
    job_id: str
    release_id: str
    starts_at: str
    claimed_at: str


def claim(slot_id: str, candidate_id: str, now: datetime | None = None) -> Claim:
    """The candidate takes the slot they were offered. Exactly one claim of a release wins (a conditional write
    on the slot: AVAILABLE -> BOOKED with the claimant); repeating a won claim returns the same claim.

    Raises NotFoundError (no offer for this candidate), OfferExpiredError (too late) or SlotTakenError.
    """
    now = now or utc_now()
    offer = slot_store.get_offer(slot_id, candidate_id)
    if offer is None:
        raise NotFoundError("There is no offer of this slot for you.")
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
        if current is not None and current.status == "OFFERED" and current.expires_at <= at:
            raise OfferExpiredError("This offer has expired.") from None
        raise SlotTakenError("This slot is no longer offered to you.") from None
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
