"""Candidate profiles: contact details, language, the history of their cancellations, and the version their
personal links must carry.
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from functions.core.models import AuditEntry
from functions.integration.data.transactions import all_or_nothing, conditional, TransactionConflict
from functions.integration.tables import CancellationRecord, CandidateItem


def get_candidate(candidate_id: str) -> CandidateItem | None:
    try:
        return CandidateItem.get(candidate_id)
    except DoesNotExist:
        return None


def add_cancellation_to_profile(candidate_id: str, *, request_id: str, interview_id: str, job_title: str,
                                initiator: str, reason_code: str, at: str) -> bool:
    """Append to the candidate's history once per request, however often the event is delivered."""
    record = CancellationRecord(request_id=request_id, interview_id=interview_id, job_title=job_title,
                                initiator=initiator, reason_code=reason_code, at=at)
    return conditional(lambda: CandidateItem(candidate_id).update(
        actions=[
            # `| []` is if_not_exists: the first cancellation starts the list.
            CandidateItem.cancellations.set((CandidateItem.cancellations | []).append([record])),
            CandidateItem.cancelled_request_ids.add({record.request_id}),
        ],
        condition=CandidateItem.candidate_id.exists()
        & ~CandidateItem.cancelled_request_ids.contains(record.request_id),
    ))


def link_version(candidate_id: str) -> int:
    """The version the candidate's personal links must carry (0 for a candidate never revoked or not known)."""
    try:
        item = CandidateItem.get(candidate_id, consistent_read=True,
                                 attributes_to_get=[CandidateItem.link_version.attr_name])
    except DoesNotExist:
        return 0
    return int(item.link_version or 0)


def raise_link_version(candidate_id: str) -> int | None:
    """Add one to the candidate's link version (atomically) and return the new one; None if no such candidate."""
    profile = CandidateItem(candidate_id)
    if not conditional(lambda: profile.update(actions=[CandidateItem.link_version.add(1)],
                                              condition=CandidateItem.candidate_id.exists())):
        return None
    return int(profile.link_version)  # update() reads back the item as it is now


def withdraw_sms_consent(candidate_id: str, trail_id: str, entry: AuditEntry) -> bool:
    """No more texts to this candidate, audited in their trail. False if they had not agreed (or no such
    candidate): nothing changes."""
    try:
        with all_or_nothing() as transaction:
            transaction.update("candidate", CandidateItem(candidate_id),
                               actions=[CandidateItem.sms_opt_in.set(False)],
                               condition=CandidateItem.sms_opt_in == True)  # noqa: E712 - a condition expression
            transaction.append_audit(trail_id, entry)
    except TransactionConflict:
        return False
    return True
