"""What staff do about interviews at risk: see the upcoming (and just finished) interviews whose cancellation-risk
score is at or above the threshold in force, with the factors that raised it; have the candidate reminded now,
once per interview and day; and record whether the candidate came.

Why: the nightly model scores the coming interviews (functions/analytics/risk.py) but its scores only chose who got
an automatic nudge; nobody saw them, and no-shows were recorded by nothing, so the model never learned from them.
Attendance recorded here (or reported by the AI-interview platform) goes on the bus as InterviewAttended or
InterviewMissed: analytics counts it and keeps it as the model's training history (functions/analytics/ingest.py).

Scope: as for requests (functions/domain/scopes.py): a recruiter reaches their jobs, a department manager their
department, an admin everything; anything else is "not found".
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from functions.core.clock import from_iso, to_iso, utc_now
from functions.core.errors import ConflictError, NotFoundError
from functions.core.models import InterviewStatus
from functions.core.workplace_models import (AtRiskInterview, AttendanceOutcome, AttendanceReceipt, ReminderReceipt,
                                             RiskFactor)
from functions.domain.scopes import StaffScope
from functions.integration import events
from functions.integration.data import candidate_store, interview_store, risk_score_store

# The window the risk view shows: interviews that started in the last LOOK_BACK (to record whether the candidate
# came) and those the nightly scores reach ahead (functions/analytics/risk.py scores 22-51 hours ahead).
LOOK_BACK_HOURS, LOOK_AHEAD_HOURS = 24, 51
REMINDER_MARK_SECONDS = 3 * 24 * 3600
EVENT_OF = {AttendanceOutcome.ATTENDED: ("InterviewAttended", "attended_at"),
            AttendanceOutcome.NO_SHOW: ("InterviewMissed", "missed_at")}


def at_risk(scope: StaffScope, now: datetime | None = None) -> list[AtRiskInterview]:
    """The interviews in the window whose stored score reaches the threshold, soonest first, within `scope`."""
    now = now or utc_now()
    hour = now.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    interviews = [i for h in range(-LOOK_BACK_HOURS, LOOK_AHEAD_HOURS + 1)
                  for i in interview_store.interviews_starting_in_hour((hour + timedelta(hours=h)).strftime("%Y-%m-%dT%H"))
                  if i.status == InterviewStatus.SCHEDULED.value and scope.covers(i)]
    scores = risk_score_store.risk_scores([i.interview_id for i in interviews])
    threshold = risk_score_store.at_risk_threshold()
    today = now.astimezone(timezone.utc).date().isoformat()
    found = []
    for interview in sorted(interviews, key=lambda i: i.starts_at):
        score, factors = scores.get(interview.interview_id, (None, []))
        if score is None or score < threshold:
            continue
        candidate = candidate_store.get_candidate(interview.candidate_id)
        if candidate is None or candidate.erased_at:
            continue
        found.append(AtRiskInterview(
            interview_id=interview.interview_id, job_title=interview.job_title, department=interview.department,
            candidate_name=candidate.name or "", starts_at=interview.starts_at, score=round(score, 4),
            threshold=round(threshold, 4), factors=[RiskFactor.model_validate(f) for f in factors],
            reminded_today=risk_score_store.reminded_now(interview.interview_id, today),
            attendance=interview.attendance))
    return found


def _interview_in_scope(interview_id: str, scope: StaffScope):
    interview = interview_store.get_interview(interview_id)
    if interview is None or not scope.covers(interview):
        raise NotFoundError("No such interview.", code="interview_not_found")
    return interview


def remind_now(interview_id: str, scope: StaffScope, actor: str, now: datetime | None = None) -> ReminderReceipt:
    """Have the candidate reminded of a coming interview now (notify sends the reminder mail), once per UTC day:
    a second time that day is 409 and sends nothing."""
    now = now or utc_now()
    interview = _interview_in_scope(interview_id, scope)
    if interview.status != InterviewStatus.SCHEDULED.value:
        raise ConflictError("This interview is no longer scheduled.", code="interview_not_scheduled")
    if from_iso(interview.starts_at) <= now:
        raise ConflictError("This interview has already started.", code="interview_started")
    day = now.astimezone(timezone.utc).date().isoformat()
    if not risk_score_store.claim_reminder_now(interview_id, day, actor, int(time.time()) + REMINDER_MARK_SECONDS):
        raise ConflictError("The candidate was already reminded today.", code="reminded_today")
    try:
        events.publish("ReminderRequested", {"interview_id": interview_id, "candidate_id": interview.candidate_id,
                                             "day": day})
    except Exception:
        risk_score_store.release_reminder_now(interview_id, day)  # nothing was handed on: a retry may send it
        raise
    return ReminderReceipt(interview_id=interview_id, day=day)


def record_attendance(interview_id: str, outcome: AttendanceOutcome, scope: StaffScope, actor: str,
                      now: datetime | None = None) -> AttendanceReceipt:
    """Record once whether the candidate came to an interview that has started, and announce it. The same outcome
    again answers the stored record (and announces it again: a retry after a failed announcement); another
    outcome than the one recorded is 409 and changes nothing."""
    now = now or utc_now()
    interview = _interview_in_scope(interview_id, scope)
    if interview.status != InterviewStatus.SCHEDULED.value:
        raise ConflictError("This interview is no longer scheduled.", code="interview_not_scheduled")
    if from_iso(interview.starts_at) > now:
        raise ConflictError("The interview has not started yet.", code="attendance_too_early")
    stored = interview_store.record_attendance(interview_id, outcome.value, to_iso(now), actor)
    if stored is None:
        raise NotFoundError("No such interview.", code="interview_not_found")
    if stored.attendance != outcome.value:
        raise ConflictError("Another attendance is already recorded for this interview.",
                            code="attendance_recorded")
    detail_type, at_field = EVENT_OF[outcome]
    events.publish(detail_type, {"interview_id": interview_id, "candidate_id": interview.candidate_id,
                                 at_field: stored.attendance_at})
    return AttendanceReceipt(interview_id=interview_id, outcome=outcome, recorded_at=stored.attendance_at,
                             recorded_by=stored.attendance_by)
