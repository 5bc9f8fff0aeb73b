"""Candidate profiles: contact details, language, and the history of their cancellations.
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from functions.integration.data.transactions import conditional
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
