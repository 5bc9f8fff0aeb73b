"""Who reads a notification: their language, and the values most messages show (times in the reader's zone)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.core.clock import local_text
from functions.core.i18n import locale_of
from functions.core.models import Locale
from functions.core.settings import get_settings

if TYPE_CHECKING:  # stored items are read here, never built
    from functions.integration.tables import CandidateItem, InterviewItem


def candidate_locale(candidate: CandidateItem | None) -> Locale:
    return locale_of(candidate.locale if candidate else None)


def staff_locale() -> Locale:
    return locale_of(get_settings().staff_locale)


def common_values(interview: InterviewItem, candidate: CandidateItem | None, zone: str | None = None) -> dict:
    """Values most messages use; times in the reader's timezone (the candidate's, unless `zone` says)."""
    zone = zone or (candidate.timezone if candidate else None)
    return {"job_title": interview.job_title, "starts_at": local_text(interview.starts_at, zone),
            "name": candidate.name if candidate else "", "interview_id": interview.interview_id}
