"""What happens when an event arrives on the bus: who is told what, and the bookkeeping that goes with it.

Every step is safe to repeat: store writes are conditional and e-mails are sent once per message key.
"""

from __future__ import annotations

from typing import Callable

from functions.shared import approvals, calendar, intake, links, mail, store
from functions.shared.clock import local_text
from functions.shared.domain import InterviewScheduled, Locale
from functions.shared.i18n import locale_of, translator
from functions.shared.settings import get_settings
from functions.shared.tables import CancellationRecord, CandidateItem, InterviewItem


def _candidate_locale(candidate: CandidateItem | None) -> Locale:
    return locale_of(candidate.locale if candidate else None)


def _staff_locale() -> Locale:
    return locale_of(get_settings().staff_locale)


def _common(interview: InterviewItem, candidate: CandidateItem | None, zone: str | None = None) -> dict:
    """Values most messages use; times in the reader's timezone (the candidate's, unless `zone` says)."""
    zone = zone or (candidate.timezone if candidate else None)
    return {"job_title": interview.job_title, "starts_at": local_text(interview.starts_at, zone),
            "name": candidate.name if candidate else "", "interview_id": interview.interview_id}


def on_interview_scheduled(detail: dict) -> None:
    event = InterviewScheduled.model_validate({k: v for k, v in detail.items() if k != "version"})
    created, _ = intake.register(event)
    candidate = event.candidate
    mail.send(mail.Message(
        key=f"{event.interview_id}:invitation", to=str(candidate.email), locale=candidate.locale,
        subject_key="mail.invitation.subject", body_key="mail.invitation.body",
        values={"name": candidate.name, "job_title": event.job.title,
                "starts_at": local_text(event.starts_at, candidate.timezone)},
        link=created.candidate_link,
    ))


def on_cancellation_requested(detail: dict) -> None:
    if detail["initiator"] != "candidate":
        return  # company-initiated: the candidate hears once it is decided
    interview = store.get_interview(detail["interview_id"])
    candidate = store.get_candidate(detail["candidate_id"])
    if interview is None or candidate is None:
        raise LookupError(f"request {detail['request_id']} refers to a missing interview or candidate")
    locale = _candidate_locale(candidate)
    status = translator(locale)("request.RECEIVED")
    mail.send(mail.Message(
        key=f"{detail['request_id']}:receipt", to=candidate.email, locale=locale,
        subject_key="mail.receipt.subject", body_key="mail.receipt.body",
        values={**_common(interview, candidate), "request_id": detail["request_id"], "status": status},
        link=links.portal_url(candidate.candidate_id),
    ))


def on_approval_requested(detail: dict) -> None:
    requested = approvals.ApprovalRequested.model_validate(detail)
    approval = approvals.open_approval(requested)
    if approval is None:
        approval = store.get_approval(requested.request_id)
        if approval is None or approval.level != requested.level or approval.task_token != requested.task_token:
            return  # a stale redelivery: a later level is already open
    interview = store.get_interview(requested.interview_id)
    candidate = store.get_candidate(requested.candidate_id)
    request = store.get_request(requested.request_id)
    locale = _staff_locale()
    t = translator(locale)
    mail.send(mail.Message(
        key=f"{requested.request_id}:approval:{requested.level}", to=approval.approver_email, locale=locale,
        subject_key="mail.approval.subject", body_key="mail.approval.body",
        values={**_common(interview, candidate, zone="UTC"), "candidate": candidate.name if candidate else "",
                "reason": t(f"reason.{request.reason_code}"), "due_at": local_text(approval.due_at, "UTC"),
                "request_id": requested.request_id},
        link=approvals.link_for(approval, requested.sla_seconds),
    ))
    if approval.escalated_from_email:
        mail.send(mail.Message(
            key=f"{requested.request_id}:escalated:{requested.level}", to=approval.escalated_from_email,
            locale=locale, subject_key="mail.escalated.subject", body_key="mail.escalated.body",
            values={"request_id": requested.request_id, "approver": requested.approver.name,
                    "job_title": interview.job_title},
        ))


def on_cancellation_approved(detail: dict) -> None:
    interview = store.get_interview(detail["interview_id"])
    candidate = store.get_candidate(detail["candidate_id"])
    locale = _candidate_locale(candidate)
    invite = calendar.cancellation(
        interview_id=interview.interview_id, title=interview.job_title, starts_at=interview.starts_at,
        duration_minutes=int(interview.duration_minutes), sequence=int(interview.calendar_sequence) + 1,
        organizer_email=get_settings().mail_sender,
        attendee_emails=[e for e in (candidate.email if candidate else None, interview.interviewer.email) if e],
    )
    ics = mail.Attachment("cancel.ics", "text/calendar; method=CANCEL", invite)
    if candidate is not None:
        store.add_cancellation_to_profile(candidate.candidate_id, CancellationRecord(
            request_id=detail["request_id"], interview_id=interview.interview_id, job_title=interview.job_title,
            initiator=detail["initiator"], reason_code=detail["reason_code"], at=detail["decided_at"]))
        mail.send(mail.Message(
            key=f"{detail['request_id']}:approved:candidate", to=candidate.email, locale=locale,
            subject_key="mail.approved.subject", body_key="mail.approved.body",
            values=_common(interview, candidate), link=links.portal_url(candidate.candidate_id),
            attachments=[ics],
        ))
    mail.send(mail.Message(
        key=f"{detail['request_id']}:approved:interviewer", to=interview.interviewer.email,
        locale=_staff_locale(), subject_key="mail.interviewer.subject", body_key="mail.interviewer.body",
        values=_common(interview, candidate, zone="UTC"), attachments=[ics],
    ))


def on_cancellation_rejected(detail: dict) -> None:
    interview = store.get_interview(detail["interview_id"])
    candidate = store.get_candidate(detail["candidate_id"])
    locale = _candidate_locale(candidate)
    t = translator(locale)
    comment = detail.get("comment") or t("request.REJECTED")
    store.save_retention_draft(detail["request_id"], retention_draft(locale, interview, candidate))
    if candidate is not None:
        mail.send(mail.Message(
            key=f"{detail['request_id']}:rejected:candidate", to=candidate.email, locale=locale,
            subject_key="mail.rejected.subject", body_key="mail.rejected.body",
            values={**_common(interview, candidate), "comment": comment, "contact": interview.recruiter.email},
        ))


def retention_draft(locale: Locale, interview: InterviewItem, candidate: CandidateItem | None) -> str:
    """A starting point for HR's retention message; HR edits it before sending."""
    t = translator(locale)
    return t("mail.rejected.body", **_common(interview, candidate), comment="",
             contact=interview.recruiter.email)


def on_needs_attention(detail: dict) -> None:
    error = detail.get("error") or {}
    mail.send(mail.Message(
        key=f"{detail['request_id']}:attention", to=get_settings().hr_email, locale=_staff_locale(),
        subject_key="mail.attention.subject", body_key="mail.attention.body",
        values={"request_id": detail["request_id"], "interview_id": detail["interview_id"],
                "error": error.get("Error", "unknown") if isinstance(error, dict) else str(error)},
    ))


HANDLERS: dict[str, Callable[[dict], None]] = {
    "InterviewScheduled": on_interview_scheduled,
    "CancellationRequested": on_cancellation_requested,
    "ApprovalRequested": on_approval_requested,
    "CancellationApproved": on_cancellation_approved,
    "CancellationRejected": on_cancellation_rejected,
    "CancellationNeedsAttention": on_needs_attention,
}


def handle(detail_type: str, detail: dict) -> None:
    handler = HANDLERS.get(detail_type)
    if handler is None:
        raise ValueError(f"no handler for {detail_type}")
    handler(detail)
