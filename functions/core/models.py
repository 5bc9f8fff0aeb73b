"""The domain's vocabulary: statuses, initiators, reasons, and the shapes that cross the API and the bus."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator
from pydantic import BaseModel, ConfigDict, EmailStr, Field, HttpUrl, ValidationInfo, field_validator, model_validator

from functions.core.ids import Identifier, PersonId


class InterviewStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    CANCELLATION_PENDING = "CANCELLATION_PENDING"
    CANCELLED = "CANCELLED"


class RequestStatus(StrEnum):
    RECEIVED = "RECEIVED"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    APPROVED = "APPROVED"  # the interview is cancelled
    REJECTED = "REJECTED"  # the interview is kept
    NEEDS_ATTENTION = "NEEDS_ATTENTION"


FINAL_REQUEST_STATUSES = frozenset({RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.NEEDS_ATTENTION})


class Initiator(StrEnum):
    CANDIDATE = "candidate"
    COMPANY = "company"


class CandidateReason(StrEnum):
    SCHEDULE_CONFLICT = "schedule_conflict"
    JOB_MISMATCH = "job_mismatch"
    EMERGENCY = "emergency"
    ILLNESS = "illness"
    OTHER = "other"


class CompanyReason(StrEnum):
    POSITION_PAUSED = "position_paused"
    SCHEDULING_ERROR = "scheduling_error"
    DUPLICATE_BOOKING = "duplicate_booking"
    SCREENING_FAILED = "screening_failed"
    # The interviewer deleted or declined the interview in their connected calendar (the calendar sync opens it).
    INTERVIEWER_UNAVAILABLE = "interviewer_unavailable"
    OTHER = "other"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class Outcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class StaffRole(StrEnum):
    RECRUITER = "recruiter"
    DEPARTMENT_MANAGER = "department_manager"
    ADMIN = "admin"


class Behaviour(StrEnum):
    """What a candidate did before the interview: the risk model's strongest signals."""

    VIEWED_JD = "viewed_jd"
    DOWNLOADED_INTRO = "downloaded_intro"
    CLICKED_LINK = "clicked_link"


# Who may cancel for the company. Not the department manager: they decide such cancellations (separation of duties).
COMPANY_CANCELLERS = frozenset({StaffRole.RECRUITER, StaffRole.ADMIN})


class Locale(StrEnum):
    """The languages we have messages in. A reader's stored tag may be any other; i18n.locale_of picks among these."""

    EN = "en"
    ZH_CN = "zh-CN"
    ZH_TW = "zh-TW"
    JA = "ja"
    KO = "ko"
    ES = "es"


# A language tag as another system sends it (BCP 47-like: "fr-CA", "zh-Hant-HK"). Stored as given, whether or not we
# have that language: a language we lack must never lose an interview; readers fall back (see i18n.locale_of).
LocaleTag = Annotated[str, Field(min_length=2, max_length=35, pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")]


# ---- people and interviews (what other systems send us) -------------------------------------------------------

# Control characters (C0, DEL, C1) and Unicode line/paragraph separators. A name or a title is one line of text: a
# CR/LF in it would reach a mail's Subject header, a calendar's SUMMARY and the CSV report.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _single_line(text: str) -> str:
    if _CONTROL.search(text):
        raise ValueError("must be one line of text: no control characters (line breaks, tabs, NUL)")
    return text


# Free single-line text (names, job titles, departments): refused with 422 naming the field, on the API and the bus.
SingleLineText = Annotated[str, AfterValidator(_single_line),
                           Field(json_schema_extra={"pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]*$"})]


class _Model(BaseModel):
    """Validators are built when a model is first used, not when this module is imported: each function uses a
    few of these models, and building all of them was most of this module's import time. (A route's models are
    built when its router is included, at import; the SnapStart hook builds every one before the snapshot.)"""

    model_config = ConfigDict(defer_build=True)


class Person(_Model):
    model_config = ConfigDict(extra="forbid")
    person_id: PersonId
    name: SingleLineText = Field(min_length=1, max_length=200)
    email: EmailStr
    # The person's own language, when the ATS knows it: their mails use it (resolved like a candidate's: a language
    # we lack falls back to the same language, then the deployment's default). Absent: the deployment's default.
    locale: LocaleTag | None = None


class Job(_Model):
    model_config = ConfigDict(extra="forbid")
    job_id: Identifier
    title: SingleLineText = Field(min_length=1, max_length=200)
    level: SingleLineText = Field(min_length=1, max_length=40)
    department: SingleLineText = Field(min_length=1, max_length=100)
    recruiter: Person
    department_manager: Person
    description_url: HttpUrl | None = None
    company_intro_url: HttpUrl | None = None


class CandidateIn(_Model):
    model_config = ConfigDict(extra="forbid")
    candidate_id: Identifier
    name: SingleLineText = Field(min_length=1, max_length=200)
    email: EmailStr
    phone: SingleLineText | None = Field(None, max_length=32)
    sms_opt_in: bool = False  # agreed to text messages (receipt and outcome) at `phone`
    locale: LocaleTag = "en"  # kept as the ATS sent it, e.g. "fr-CA"
    timezone: SingleLineText = Field("UTC", max_length=64)
    source: SingleLineText = Field("direct", max_length=64)
    resume_url: HttpUrl | None = None


class CalendarRef(_Model):
    """The ATS's own calendar invitation for the interview: when given, the ATS invited the attendees and our
    updates (moves, cancellations) must name its UID and organizer and continue from its SEQUENCE."""

    model_config = ConfigDict(extra="forbid")
    uid: str = Field(min_length=1, max_length=255, pattern=r"^[\x21-\x7E]+$",
                     description="the UID of the ATS's VEVENT (printable ASCII, no spaces)")
    sequence: int = Field(0, ge=0, le=1_000_000, description="the SEQUENCE the ATS last sent for it")
    organizer: EmailStr = Field(description="the ORGANIZER's address of the ATS's invitation")


class InterviewScheduled(_Model):
    """Detail of the InterviewScheduled event (version 1), and the body of the staff API that creates one."""

    model_config = ConfigDict(extra="forbid")
    interview_id: Identifier
    candidate: CandidateIn
    job: Job
    interviewer: Person
    slot_id: Identifier
    starts_at: str = Field(description="ISO 8601 with a timezone")
    duration_minutes: int = Field(45, ge=5, le=480)
    ai_interview_url: HttpUrl
    completed_parts: list[SingleLineText] = Field(default_factory=list, max_length=20)
    calendar: CalendarRef | None = None  # absent: we send the invitation and own its UID

    @model_validator(mode="after")
    def _starts_at_has_timezone(self) -> InterviewScheduled:
        from datetime import datetime

        try:
            moment = datetime.fromisoformat(self.starts_at.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError("starts_at must be an ISO 8601 date-time") from exc
        if moment.tzinfo is None:
            raise ValueError("starts_at must carry a timezone")
        return self


# ---- cancellation requests --------------------------------------------------------------------------------------

class _CancellationBody(_Model):
    model_config = ConfigDict(extra="forbid")

    @field_validator("reason_text", check_fields=False)
    @classmethod
    def _other_needs_text(cls, text: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("reason_code") == "other" and not (text or "").strip():
            raise ValueError("reason_text is required when reason_code is 'other'")
        return text


class CandidateCancellation(_CancellationBody):
    reason_code: CandidateReason
    # Declared after reason_code so that its validator can see the code.
    reason_text: str | None = Field(None, max_length=2000, validate_default=True,
                                    description="Required when reason_code is 'other'")


class CompanyCancellation(_CancellationBody):
    reason_code: CompanyReason
    reason_text: str | None = Field(None, max_length=2000, validate_default=True,
                                    description="Required when reason_code is 'other'")


class Approver(_Model):
    approver_id: str
    name: str
    email: str
    role: str


class Route(_Model):
    """Where a request goes. Computed once at submission and handed to the workflow as its input."""

    auto_approve: bool
    approvers: list[Approver] = Field(default_factory=list)
    sla_seconds: int
    default_outcome: Outcome
    rule: str
    why: str


class AuditEntry(_Model):
    at: str
    actor: str
    action: str
    from_status: str | None = None
    to_status: str | None = None
    why: str | None = None


class Receipt(_Model):
    request_id: str
    interview_id: str
    status: RequestStatus
    initiator: Initiator
    reason_code: str
    reason_text: str | None = None
    created_at: str
    route: str = Field(description="Who decides: 'auto-approve' or the approver's role")
    status_url: str


class InterviewView(_Model):
    interview_id: str
    job_title: str
    department: str
    starts_at: str
    duration_minutes: int
    ai_interview_url: str
    status: InterviewStatus
    pending_request_id: str | None = None
    completed_parts: list[str]
    moves: int = 0


class SlotView(_Model):
    slot_id: str
    starts_at: str


class RebookReceipt(SlotView):
    """The new interview booked after a cancellation: its slot, id, the cancelled one, the parts carried over."""

    interview_id: str
    rebooked_from: str
    completed_parts: list[str]


class MoveBody(_Model):
    model_config = ConfigDict(extra="forbid")
    slot_id: Identifier


class MoveReceipt(_Model):
    interview_id: str
    slot_id: str
    starts_at: str
    moves_left: int


class SlotsPublished(_Model):
    """Body of the staff API that opens interview slots of a job for booking and moves."""

    model_config = ConfigDict(extra="forbid")
    starts_at: list[str] = Field(min_length=1, max_length=100, description="ISO 8601 date-times with a timezone")

    @field_validator("starts_at")
    @classmethod
    def _with_timezone(cls, values: list[str]) -> list[str]:
        from datetime import datetime

        for value in values:
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError as exc:
                raise ValueError(f"{value!r} is not an ISO 8601 date-time") from exc
            if moment.tzinfo is None:
                raise ValueError(f"{value!r} must carry a timezone")
        return values


class RequestView(Receipt):
    decided_at: str | None = None
    decision_comment: str | None = None
    contact_email: str | None = None
    timeline: list[AuditEntry]


class StaffRequestView(RequestView):
    job_title: str
    candidate_name: str
    # The candidate's earlier cancellations (reason codes, oldest first): "cancelled before: schedule conflict".
    cancelled_before: list[str]


class OpenRequest(_Model):
    request_id: str
    interview_id: str
    job_title: str
    candidate_name: str
    initiator: Initiator
    reason_code: str
    status: RequestStatus
    route: str
    created_at: str
    cancelled_before: list[str]


class Reapplication(_Model):
    """An interview registered for a candidate who had cancelled before: what the staff console flags."""

    interview_id: str
    job_title: str
    candidate_name: str
    starts_at: str
    registered_at: str
    cancelled_before: list[str] = Field(description="the reason codes of the earlier cancellations, oldest first")


class InterviewCreated(_Model):
    interview_id: str
    candidate_link: str


class WaitlistCandidate(_Model):
    model_config = ConfigDict(extra="forbid")
    candidate_id: Identifier
    name: SingleLineText = Field(min_length=1, max_length=200)
    email: EmailStr
    locale: LocaleTag = "en"  # kept as given; readers fall back to a language we have
    timezone: SingleLineText = Field("UTC", max_length=64)


class WaitlistPlace(_Model):
    """Whether the candidate is on the job's waitlist, after joining or leaving it."""

    job_id: str
    waiting: bool


class CandidateWaitlisted(_Model):
    """Detail of the CandidateWaitlisted event (version 1)."""

    model_config = ConfigDict(extra="forbid")
    version: str = "1"
    job_id: Identifier
    candidate: WaitlistCandidate


def build_all() -> None:
    """Build every model's validator now (before a SnapStart snapshot: no request then builds one)."""
    from functions.core import workplace_models  # its models import this module's base

    for value in [*globals().values(), *vars(workplace_models).values()]:
        if isinstance(value, type) and issubclass(value, _Model) and value is not _Model:
            value.model_rebuild()
