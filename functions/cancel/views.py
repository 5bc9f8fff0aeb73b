"""Stored items as the candidate API and pages show them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.core.models import InterviewView

if TYPE_CHECKING:  # stored items are read here, never built
    from functions.integration.tables import InterviewItem


def interview_view(interview: InterviewItem, own_pending_request_id: str | None) -> InterviewView:
    return InterviewView(
        interview_id=interview.interview_id, job_title=interview.job_title, department=interview.department,
        starts_at=interview.starts_at, duration_minutes=int(interview.duration_minutes),
        ai_interview_url=interview.ai_interview_url or "", status=interview.status,
        pending_request_id=own_pending_request_id,  # request_view.own_pending_requests
        completed_parts=list(interview.completed_parts),
        moves=int(interview.moves or 0),
    )
