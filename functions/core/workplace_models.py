"""The vocabulary of the staff workplace's risk view, attendance and reports (functions/domain/workplace/risk_watch.py,
functions/cancel/risk_routes.py): kept beside models.py, which holds the rest of the domain's vocabulary, so that
neither grows past one screenful of concerns.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict, Field

from functions.core.models import StaffRole, _Model

# The nightly report is company-wide (every job and department): HR admins read it.
REPORT_READERS = frozenset({StaffRole.ADMIN})


class AttendanceOutcome(StrEnum):
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class AttendanceBody(_Model):
    """Staff mark a finished interview attended or missed (as the AI-interview platform reports them)."""

    model_config = ConfigDict(extra="forbid")
    outcome: AttendanceOutcome


class AttendanceReceipt(_Model):
    interview_id: str
    outcome: AttendanceOutcome
    recorded_at: str
    recorded_by: str = Field(description="staff:<subject> or platform")


class RiskFactor(_Model):
    """One input that raised the interview's risk most (the model's column, the interview's value, its weight in
    log-odds); the console puts it in words."""

    factor: str
    value: str
    weight: float


class AtRiskInterview(_Model):
    interview_id: str
    job_title: str
    department: str
    candidate_name: str
    starts_at: str
    score: float
    threshold: float
    factors: list[RiskFactor]
    reminded_today: bool
    attendance: AttendanceOutcome | None = None


class ReminderReceipt(_Model):
    interview_id: str
    day: str = Field(description="The UTC day this reminder counts for: one per interview and day")


class ReportPeriod(_Model):
    period: str = Field(description="YYYY-MM-DD, or YYYY-MM-DD_YYYY-MM-DD for several days")


class ReportView(_Model):
    period: str
    html: str = Field(description="The report as a complete HTML document, no script: rendered from the stored "
                                  "figures in the reader's language, or as the nightly run stored it")
