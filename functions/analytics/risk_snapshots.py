"""Point-in-time features: an interview's model row as it was known at a fixed horizon before its start.

Why: interviews are scored 22-51 hours before they start, but an outcome is known only afterwards. A row built
when the outcome happens would see what the candidate did in between (an attendee has almost always clicked the
AI-interview link by then), so behaviour would look far stronger in training than at scoring time. Instead the
training rows are snapshots at HORIZONS_HOURS before the start, labelled with the eventual outcome, and scoring
builds its rows with the same `snapshot_row`.

Every feature comes from a fact with its own time, and a fact counts only if it happened at or before the
snapshot: the booking (created_at; no snapshot before it), the behaviour marks (`<behaviour>_at`, set once),
the candidate's earlier cancellations (`at`), and what the booking itself carried (completed_parts, fixed at
registration). An interview cancelled before a horizon has no snapshot there: it was no longer scheduled, so
nothing would have scored it. Known gap: a moved interview's snapshot uses its final start time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from functions.core.clock import from_iso

if TYPE_CHECKING:  # stored items are read here, never built
    from functions.integration.tables import CandidateItem, InterviewItem

HORIZONS_HOURS = (48, 24)
BEHAVIOUR = {"viewed_jd": "viewed_jd_at", "downloaded_intro": "downloaded_intro_at", "clicked_link": "clicked_link_at"}


def snapshot_time(interview: InterviewItem, horizon_hours: int) -> datetime:
    return from_iso(interview.starts_at) - timedelta(hours=horizon_hours)


def nearest_horizon(interview: InterviewItem, now: datetime) -> int:
    """The horizon a score made at `now` stands for: the one closest to the hours left before the start."""
    hours_left = (from_iso(interview.starts_at) - now).total_seconds() / 3600
    return min(HORIZONS_HOURS, key=lambda h: abs(h - hours_left))


def _known_by(moment: str | None, at: datetime) -> bool:
    return bool(moment) and from_iso(moment) <= at


def _flag(interview: InterviewItem, attribute: str, at: datetime) -> str:
    """"1"/"0": whether the behaviour happened by `at`; "" (unknown) when the item does not track it."""
    if attribute not in type(interview).get_attributes():
        return ""
    return "1" if _known_by(getattr(interview, attribute, None), at) else "0"


def snapshot_row(interview: InterviewItem, candidate: CandidateItem | None, at: datetime, horizon_hours: int,
                 outcome: str | None = None) -> dict | None:
    """The model's input row (risk_model's import format) as known at `at`; None if not booked by then."""
    if not _known_by(interview.created_at, at):
        return None
    earlier = [c for c in (candidate.cancellations if candidate else None) or []
               if c.interview_id != interview.interview_id and from_iso(c.at) < at]
    row = {"interview_id": f"{interview.interview_id}@{horizon_hours}h",
           "scheduled_at": from_iso(interview.starts_at).isoformat(),
           "invited_at": from_iso(min(interview.created_at, interview.starts_at)).isoformat(),
           "source": interview.candidate_source, "job_level": interview.job_level,
           "prior_cancellations": str(len(earlier)),
           "feature_completed_parts": str(len(interview.completed_parts or [])),
           "feature_horizon_hours": str(horizon_hours)}
    row.update({column: _flag(interview, attribute, at) for column, attribute in BEHAVIOUR.items()})
    if outcome is not None:
        row["outcome"] = outcome
    return row


def labelled_snapshots(interview: InterviewItem, candidate: CandidateItem | None, outcome: str,
                       outcome_at: datetime) -> list[dict]:
    """The training rows of a finished interview: one per horizon it was still scheduled at."""
    rows = []
    for horizon in HORIZONS_HOURS:
        at = snapshot_time(interview, horizon)
        if at < outcome_at:
            row = snapshot_row(interview, candidate, at, horizon, outcome)
            if row is not None:
                rows.append(row)
    return rows
