"""Interviews arriving from other systems (InterviewScheduled events) or from the staff API."""

from __future__ import annotations

from functions.core.clock import from_iso, now_iso, to_iso
from functions.core.errors import ConflictError
from functions.core.models import InterviewCreated, InterviewScheduled
from functions.domain import calendars
from functions.integration import links
from functions.integration.data import interview_store, transactions


def register(event: InterviewScheduled) -> tuple[InterviewCreated, bool]:
    """Store the interview. Returns the candidate's personal link and whether it was new (False on a replay)."""
    try:
        created = interview_store.register_interview(event, starts_at=to_iso(from_iso(event.starts_at)),
                                                     now=now_iso(), calendar=calendars.registered_entry(event))
    except transactions.TransactionConflict:
        # The interview is new but its slot is booked by another interview: nothing was written.
        raise ConflictError("This slot is already booked by another interview.") from None
    result = InterviewCreated(interview_id=event.interview_id,
                              candidate_link=links.portal_url(event.candidate.candidate_id))
    return result, created
