"""Interviews arriving from other systems (InterviewScheduled events) or from the staff API."""

from __future__ import annotations

from functions.domain import calendars
from functions.integration import links
from functions.integration.data import interview_store
from functions.core.clock import from_iso, now_iso, to_iso
from functions.core.models import InterviewCreated, InterviewScheduled


def register(event: InterviewScheduled) -> tuple[InterviewCreated, bool]:
    """Store the interview. Returns the candidate's personal link and whether it was new (False on a replay)."""
    created = interview_store.register_interview(event, starts_at=to_iso(from_iso(event.starts_at)), now=now_iso(),
                                                 calendar=calendars.registered_entry(event))
    result = InterviewCreated(interview_id=event.interview_id,
                              candidate_link=links.portal_url(event.candidate.candidate_id))
    return result, created
