"""Everything stored about one candidate, read together (an export) and stripped of personal data (an erasure),
across every table that can hold it. What counts as personal, and why the rest stays, is in docs/privacy.md.

An erasure (functions/domain/privacy.py) turns the profile into a tombstone (no name, e-mail, phone or other
personal field; the links revoked; erased_at set) with an entry in the candidate's audit trail, in one transaction
(mark_erased): from then on every event about the candidate is dropped. Then strip removes what the other tables
hold. Each step is safe to repeat, so an erasure that stopped halfway is completed by asking again. Audit entries
are never changed (the table is append-only and hash-chained): they hold pseudonymous ids, codes and hashes only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pynamodb.exceptions import DoesNotExist

from functions.core.models import AuditEntry
from functions.integration.data import request_store, suppression_store
from functions.integration.data.transactions import all_or_nothing, TransactionConflict
from functions.integration.tables import (
    ApprovalItem,
    CandidateItem,
    InterviewItem,
    OfferItem,
    RequestItem,
    WaitlistItem,
)

# What an erasure removes from each kind of item (besides the profile, which loses everything personal).
INTERVIEW_PERSONAL = ("ai_interview_url", "viewed_jd_at", "downloaded_intro_at", "clicked_link_at", "nudge_arm",
                      "attendance", "attendance_at", "attendance_by")
REQUEST_PERSONAL = ("reason_text", "decision_comment", "retention_draft", "retention_message")
PROFILE_PERSONAL = ("name", "email", "phone", "sms_opt_in", "resume_url", "locale", "timezone", "source",
                    "cancellations", "cancelled_request_ids")


@dataclass
class Footprint:
    """The stored items about one candidate (None profile: no such candidate)."""

    profile: CandidateItem | None
    interviews: list[InterviewItem] = field(default_factory=list)
    requests: list[RequestItem] = field(default_factory=list)
    approvals: dict[str, ApprovalItem] = field(default_factory=dict)  # by request id
    trails: dict[str, list[AuditEntry]] = field(default_factory=dict)  # by trail id (requests, the candidate's own)
    waitlist: list[WaitlistItem] = field(default_factory=list)
    offers: list[OfferItem] = field(default_factory=list)
    suppressed: bool = False


def footprint(candidate_id: str, trail_id: str) -> Footprint:
    try:
        profile = CandidateItem.get(candidate_id, consistent_read=True)
    except DoesNotExist:
        return Footprint(profile=None)
    requests = list(RequestItem.by_candidate.query(candidate_id))
    approvals = {}
    for request in requests:
        try:
            approvals[request.request_id] = ApprovalItem.get(request.request_id, consistent_read=True)
        except DoesNotExist:
            pass
    return Footprint(
        profile=profile,
        interviews=list(InterviewItem.by_candidate.query(candidate_id)),
        requests=requests,
        approvals=approvals,
        trails={**{r.request_id: request_store.audit_trail(r.request_id) for r in requests},
                trail_id: request_store.audit_trail(trail_id)},
        # The waitlist and offers are keyed by job and slot: a filtered scan finds a candidate's (rare: erasure).
        waitlist=list(WaitlistItem.scan(WaitlistItem.candidate_id == candidate_id)),
        offers=list(OfferItem.scan(OfferItem.candidate_id == candidate_id)),
        suppressed=(suppression_store.is_suppressed(profile.email) if profile.email
                    else suppression_store.suppressed_for_erased(candidate_id)),
    )


def mark_erased(candidate_id: str, at: str, trail_id: str, entry: AuditEntry) -> str | None:
    """Turn the profile into a tombstone and audit it, once. Returns when the candidate was erased (now or
    earlier); None if there is no such candidate."""
    try:
        with all_or_nothing() as transaction:
            transaction.update(
                "candidate", CandidateItem(candidate_id),
                actions=[*(getattr(CandidateItem, name).remove() for name in PROFILE_PERSONAL),
                         CandidateItem.erased_at.set(at), CandidateItem.link_version.add(1)],
                condition=CandidateItem.candidate_id.exists() & CandidateItem.erased_at.does_not_exist())
            transaction.append_audit(trail_id, entry)
    except TransactionConflict:
        pass  # erased before, or no such candidate: the stored item says which
    try:
        return CandidateItem.get(candidate_id, consistent_read=True).erased_at
    except DoesNotExist:
        return None


def strip(candidate_id: str, found: Footprint) -> None:
    """Remove the candidate's personal data from every other table. Repeating it changes nothing."""
    for interview in found.interviews:
        InterviewItem(interview.interview_id).update(
            actions=[getattr(InterviewItem, name).remove() for name in INTERVIEW_PERSONAL],
            condition=InterviewItem.candidate_id == candidate_id)
    for request in found.requests:
        RequestItem(request.request_id).update(
            actions=[getattr(RequestItem, name).remove() for name in REQUEST_PERSONAL],
            condition=RequestItem.candidate_id == candidate_id)
        if request.request_id in found.approvals:
            ApprovalItem(request.request_id).update(actions=[ApprovalItem.comment.remove()],
                                                    condition=ApprovalItem.request_id.exists())
    for entry in found.waitlist:
        entry.delete()
    for offer in found.offers:
        offer.delete()


def candidate_ids() -> list[tuple[str, str | None]]:
    """Every candidate id with its erased_at (the nightly retention run looks at each; ids only are read)."""
    return [(c.candidate_id, c.erased_at) for c in CandidateItem.scan(
        attributes_to_get=[CandidateItem.candidate_id.attr_name, CandidateItem.erased_at.attr_name])]
