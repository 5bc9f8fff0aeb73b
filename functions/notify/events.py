"""What happens when an event arrives on the bus: who is told what, and the bookkeeping that goes with it.

Every step is safe to repeat: store writes are conditional, and e-mails and texts are sent once per message key.
This service's own events are checked against the stored state first (integration/event_trust.py): one that
contradicts it is dropped with nothing sent and nothing written, and so is every event about a candidate whose
personal data was erased (functions/domain/privacy.py).
"""

from __future__ import annotations

from typing import Callable

from functions.domain import approvals, intake, interview_policy, privacy, retention, waitlist
from functions.domain.calendar import invitations
from functions.domain.calendar import interviewer_calendars
from functions.integration import event_trust as trust
from functions.integration import links, sms
from functions.notify.readers import (approval_buttons, approver_locale, calendar_file, candidate_locale,
                                     common_values, invitation_actions, staff_locale)
from functions.notify.workplace import on_attendance, on_reminder_requested
from functions.web import emails
from functions.integration.data import approval_store, candidate_store, interview_store, request_store, slot_store, suppression_store
from functions.core.clock import local_text, to_iso, utc_now
from functions.core.models import CompanyReason, InterviewScheduled, RequestStatus
from functions.core.i18n import locale_of, translator
from functions.core.observability import logger
from functions.core.settings import get_settings


def on_interview_scheduled(detail: dict) -> None:
    """The candidate's invitation (their personal link); unless the ATS invited, with our calendar REQUEST,
    which the interviewer gets too."""
    event = InterviewScheduled.model_validate({k: v for k, v in detail.items() if k != "version"})
    created, _ = intake.register(event)
    candidate = event.candidate
    interview, profile = interview_store.interview_with_profile(event.interview_id, candidate.candidate_id)
    invite = invitations.invitation(interview, profile, locale_of(candidate.locale)) if interview is not None else None
    ics = [calendar_file("invitation.ics", "REQUEST", invite)] if invite else []
    emails.send(emails.Message(
        key=f"{event.interview_id}:invitation", to=str(candidate.email), locale=locale_of(candidate.locale),
        subject_key="mail.invitation.subject", body_key="mail.invitation.body",
        values={"name": candidate.name, "job_title": event.job.title,
                "starts_at": local_text(interview.starts_at if interview else event.starts_at, candidate.timezone,
                                          locale_of(candidate.locale)),
                "duration_minutes": int(interview.duration_minutes if interview else event.duration_minutes)},
        link=created.candidate_link, attachments=ics,
        actions=invitation_actions(candidate.candidate_id, event.interview_id, interview),
        notes=["mail.prepare.device", "mail.prepare.early", "mail.prepare.job",
               *(["mail.prepare.calendar"] if ics else [])],
    ))
    if ics:
        emails.send(emails.Message(
            key=f"{event.interview_id}:invitation:interviewer", to=interview.interviewer.email,
            locale=staff_locale(interview.interviewer), subject_key="mail.invitation_interviewer.subject",
            body_key="mail.invitation_interviewer.body", attachments=[calendar_file("invitation.ics", "REQUEST",
            invitations.invitation(interview, profile, staff_locale(interview.interviewer)))],
            values=common_values(interview, profile, for_staff=True, staff=staff_locale(interview.interviewer)),
        ))
    if interview is not None and interview.reapplied_after:
        tell_recruiter_of_reapplication(interview, profile)
    if interview is not None:
        interviewer_calendars.scheduled(interview, profile)  # last: if it fails, the retry sends no mail twice


def tell_recruiter_of_reapplication(interview, profile) -> None:
    """A candidate who cancelled before is registered again: the job's recruiter hears it at once, with the
    earlier reasons (once per interview; the console flags the same)."""
    locale = staff_locale(interview.recruiter)
    t = translator(locale)
    records = list(profile.cancellations or [])[:len(interview.reapplied_after)] if profile else []
    reasons = "; ".join(f"{t('reason.' + r.reason_code)} ({r.job_title}, {r.at[:10]})" for r in records) or \
        "; ".join(t(f"reason.{code}") for code in interview.reapplied_after)
    emails.send(emails.Message(
        key=f"{interview.interview_id}:reapplied", to=interview.recruiter.email, locale=locale,
        subject_key="mail.reapplied.subject", body_key="mail.reapplied.body",
        values={**common_values(interview, profile, True, locale), "candidate": profile.name if profile else "",
                "reasons": reasons},
        link=f"{get_settings().public_base_url}/staff",
    ))


def on_cancellation_requested(detail: dict) -> None:
    request = trust.requested(detail)
    if request.initiator != "candidate":
        if request.reason_code == CompanyReason.INTERVIEWER_UNAVAILABLE:
            on_interviewer_unavailable(request.request_id, request.interview_id, request.candidate_id)
        return  # company-initiated: the candidate hears once it is decided
    interview, candidate = interview_store.interview_with_profile(detail["interview_id"], detail["candidate_id"])
    if interview is None or candidate is None:
        raise LookupError(f"request {detail['request_id']} refers to a missing interview or candidate")
    locale = candidate_locale(candidate)
    status = translator(locale)("request.RECEIVED")
    emails.send(emails.Message(
        key=f"{detail['request_id']}:receipt", to=candidate.email, locale=locale,
        subject_key="mail.receipt.subject", body_key="mail.receipt.body",
        values={**common_values(interview, candidate), "request_id": detail["request_id"], "status": status},
        link=links.portal_url(candidate.candidate_id),
    ))
    if sms.wanted(candidate):
        sms.send(sms.Text(key=f"{detail['request_id']}:receipt:sms", to=candidate.phone, locale=locale,
                          body_key="sms.receipt", values={**common_values(interview, candidate),
                                                          "request_id": detail["request_id"]}))


def on_interviewer_unavailable(request_id: str, interview_id: str, candidate_id: str) -> None:
    """The interviewer dropped the interview from their calendar (functions/domain/calendar/interviewer_changes.py):
    the recruiter is told, and the candidate is offered the job's free times to move to (their portal)."""
    interview, candidate = interview_store.interview_with_profile(interview_id, candidate_id)
    if interview is None:
        raise LookupError(f"request {request_id} refers to a missing interview")
    emails.send(emails.Message(
        key=f"{request_id}:interviewer_unavailable", to=interview.recruiter.email,
        locale=staff_locale(interview.recruiter),
        subject_key="mail.interviewer_unavailable.subject", body_key="mail.interviewer_unavailable.body",
        values={**common_values(interview, candidate, True, staff_locale(interview.recruiter)),
                "interviewer": interview.interviewer.name,
                "request_id": request_id}))
    if candidate is not None:
        emails.send(emails.Message(
            key=f"{request_id}:move_offer", to=candidate.email, locale=candidate_locale(candidate),
            subject_key="mail.move_offer.subject", body_key="mail.move_offer.body",
            values=common_values(interview, candidate), link=links.portal_url(candidate.candidate_id)))


def on_approval_requested(detail: dict) -> None:
    requested = approvals.ApprovalRequested.model_validate(detail)
    request = trust.approval_requested(requested.request_id, requested.interview_id, requested.candidate_id,
                                       requested.level, requested.approver, requested.sla_seconds,
                                       requested.task_token)
    approval = approvals.open_approval(requested, request.remind_before_seconds)
    if approval is None:
        approval = approval_store.get_approval(requested.request_id)
        if approval is None or approval.level != requested.level or approval.task_token != requested.task_token:
            return  # a stale redelivery: a later level is already open
    interview = interview_store.get_interview(requested.interview_id)
    candidate = candidate_store.get_candidate(requested.candidate_id)
    locale = approver_locale(interview, approval.approver_email)
    t = translator(locale)
    emails.send(emails.Message(
        key=f"{requested.request_id}:approval:{requested.level}", to=approval.approver_email, locale=locale,
        subject_key="mail.approval.subject", body_key="mail.approval.body",
        values={**common_values(interview, candidate, True, locale), "candidate": candidate.name if candidate else "",
                "reason": t(f"reason.{request.reason_code}"), "due_at": local_text(approval.due_at, "UTC", locale),
                "request_id": requested.request_id},
        **approval_buttons(approvals.link_for(approval, requested.sla_seconds)),
    ))
    if approval.escalated_from_email:
        emails.send(emails.Message(
            key=f"{requested.request_id}:escalated:{requested.level}", to=approval.escalated_from_email,
            locale=approver_locale(interview, approval.escalated_from_email), subject_key="mail.escalated.subject", body_key="mail.escalated.body",
            values={"request_id": requested.request_id, "approver": requested.approver.name,
                    "job_title": interview.job_title},
        ))


def on_cancellation_approved(detail: dict) -> None:
    request, _ = trust.decided(detail, RequestStatus.APPROVED)
    interview, candidate = interview_store.interview_with_profile(request.interview_id, request.candidate_id)
    locale = candidate_locale(candidate)
    ics = calendar_file("cancel.ics", "CANCEL",
                        invitations.cancellation(interview, candidate, detail["request_id"], locale))
    # "Book a new time" only after the cancellations the policy allows it for (not e.g. screening_failed).
    rebook = interview_policy.rebooking_allowed(request.initiator, request.reason_code)
    if candidate is not None:
        candidate_store.add_cancellation_to_profile(
            candidate.candidate_id, request_id=request.request_id, interview_id=interview.interview_id,
            job_title=interview.job_title, initiator=request.initiator, reason_code=request.reason_code,
            at=request.decided_at or detail["decided_at"])
        emails.send(emails.Message(
            key=f"{detail['request_id']}:approved:candidate", to=candidate.email, locale=locale,
            subject_key="mail.approved.subject",
            body_key="mail.approved.body" if rebook else "mail.approved_final.body",
            values=common_values(interview, candidate), link=links.portal_url(candidate.candidate_id),
            link_label_key="mail.button.rebook" if rebook else "mail.button.portal",
            attachments=[ics], rating_link=links.rating_url(detail["request_id"]),
        ))
    emails.send(emails.Message(
        key=f"{detail['request_id']}:approved:interviewer", to=interview.interviewer.email,
        locale=staff_locale(interview.interviewer), subject_key="mail.interviewer.subject",
        body_key="mail.interviewer.body", attachments=[calendar_file("cancel.ics", "CANCEL", invitations.cancellation(
            interview, candidate, detail["request_id"], staff_locale(interview.interviewer)))],
        values=common_values(interview, candidate, True, staff_locale(interview.interviewer)),
    ))
    if sms.wanted(candidate):
        sms.send(sms.Text(key=f"{detail['request_id']}:approved:sms", to=candidate.phone, locale=locale,
                          body_key="sms.approved" if rebook else "sms.approved_final",
                          values={**common_values(interview, candidate),
                                  "link": links.portal_url(candidate.candidate_id)}))
    offer_released_slot(detail["request_id"], detail["slot_id"], interview.job_title, detail["candidate_id"])
    interviewer_calendars.cancelled(interview)


def on_interview_moved(detail: dict) -> None:
    """Both calendars get the interview at its new time (same UID, higher SEQUENCE); the old slot is offered."""
    trust.moved(detail)
    interview, candidate = interview_store.interview_with_profile(detail["interview_id"], detail["candidate_id"])
    sequence = int(detail["sequence"])
    ics = calendar_file("invite.ics", "REQUEST", invitations.move(interview, candidate, detail["starts_at"], sequence,
                                                                  candidate_locale(candidate)))
    key = f"{interview.interview_id}:moved:{sequence}"
    if candidate is not None:
        values = {**common_values(interview, candidate),
                  "starts_at": local_text(detail["starts_at"], candidate.timezone, candidate_locale(candidate))}
        emails.send(emails.Message(
            key=f"{key}:candidate", to=candidate.email, locale=candidate_locale(candidate),
            subject_key="mail.moved.subject", body_key="mail.moved.body", values=values,
            link=links.portal_url(candidate.candidate_id), attachments=[ics]))
    emails.send(emails.Message(
        key=f"{key}:interviewer", to=interview.interviewer.email, locale=staff_locale(interview.interviewer),
        subject_key="mail.moved_interviewer.subject", body_key="mail.moved_interviewer.body",
        values={**common_values(interview, candidate, True, staff_locale(interview.interviewer)),
                "starts_at": local_text(detail["starts_at"], "UTC", staff_locale(interview.interviewer))},
        attachments=[calendar_file("invite.ics", "REQUEST", invitations.move(
            interview, candidate, detail["starts_at"], sequence, staff_locale(interview.interviewer)))]))
    if detail.get("from_slot_id"):
        offer_released_slot(key, detail["from_slot_id"], interview.job_title, detail["candidate_id"])
    interviewer_calendars.moved(interview, candidate, detail["starts_at"], sequence)


def offer_released_slot(release_id: str, slot_id: str, job_title: str, candidate_id: str) -> None:
    """Slot backfill: everyone waiting for the job is offered the released slot; the first to claim gets it."""
    for offer in waitlist.offer_released_slot(slot_id, release_id, job_title, exclude_candidate=candidate_id):
        send_offer(release_id, offer)


def send_offer(release_id: str, offer) -> None:
    """The offer e-mail, once per release and candidate, with the link to its claim page."""
    locale = locale_of(offer.locale)
    emails.send(emails.Message(
        key=f"{release_id}:offer:{offer.candidate_id}", to=offer.email, locale=locale,
        subject_key="mail.offer.subject", body_key="mail.offer.body",
        values={"name": offer.name, "job_title": offer.job_title,
                "starts_at": local_text(offer.starts_at, offer.timezone, locale),
                "expires_at": local_text(offer.expires_at, offer.timezone, locale)},
        link=waitlist.offer_link(offer),
    ))


def on_cancellation_rejected(detail: dict) -> None:
    request, _ = trust.decided(detail, RequestStatus.REJECTED)
    interview, candidate = interview_store.interview_with_profile(request.interview_id, request.candidate_id)
    locale = candidate_locale(candidate)
    t = translator(locale)
    comment = request.decision_comment or t("request.REJECTED")
    request_store.save_retention_draft(detail["request_id"], retention.draft(request, interview, candidate))
    if candidate is not None:
        emails.send(emails.Message(
            key=f"{detail['request_id']}:rejected:candidate", to=candidate.email, locale=locale,
            subject_key="mail.rejected.subject", body_key="mail.rejected.body",
            values={**common_values(interview, candidate), "comment": comment, "contact": interview.recruiter.email},
            actions=[emails.Action("mail.button.contact", f"mailto:{interview.recruiter.email}")],
            rating_link=links.rating_url(detail["request_id"]),
        ))
    if sms.wanted(candidate):
        sms.send(sms.Text(key=f"{detail['request_id']}:rejected:sms", to=candidate.phone, locale=locale,
                          body_key="sms.rejected", values={**common_values(interview, candidate),
                                                           "contact": interview.recruiter.email}))


def on_retention_message_sent(detail: dict) -> None:
    """The approver's retention message, as they edited it, to the candidate (once per request)."""
    request = trust.retention_sent(detail)
    candidate = candidate_store.get_candidate(request.candidate_id) if request else None
    if request is None or candidate is None or not request.retention_message:
        raise LookupError(f"retention message for {detail['request_id']} not found")
    interview = interview_store.get_interview(request.interview_id)
    emails.send(emails.Message(
        key=f"{request.request_id}:retention", to=candidate.email, locale=candidate_locale(candidate),
        subject_key="mail.retention.subject", body_key="mail.retention.body",
        values={"job_title": interview.job_title, "message": request.retention_message},
        link=links.portal_url(candidate.candidate_id)))


def on_needs_attention(detail: dict) -> None:
    trust.needs_attention(detail)
    error = detail.get("error") or {}
    emails.send(emails.Message(
        key=f"{detail['request_id']}:attention", to=get_settings().hr_email, locale=staff_locale(),
        subject_key="mail.attention.subject", body_key="mail.attention.body",
        values={"request_id": detail["request_id"], "interview_id": detail["interview_id"],
                "error": error.get("Error", "unknown") if isinstance(error, dict) else str(error)},
    ))


# ---- slot backfill ------------------------------------------------------------------------------------------------

def on_candidate_waitlisted(detail: dict) -> None:
    waitlist.join(waitlist.CandidateWaitlisted.model_validate(detail))


def on_slot_claimed(detail: dict) -> None:
    """The claimant hears the slot is theirs; everyone else offered this release hears it is gone."""
    trust.slot_claimed(detail)
    slot_id, release_id, winner = detail["slot_id"], detail["release_id"], detail["candidate_id"]
    claimed = slot_store.get_offer(slot_id, winner)
    if release_id.startswith("rebook:"):  # claimed from the portal after a cancellation, not from an offer
        candidate = candidate_store.get_candidate(winner)
        if candidate is not None:
            interview = interview_store.get_interview(release_id.removeprefix("rebook:"))
            emails.send(emails.Message(
                key=f"{release_id}:claimed:{winner}", to=candidate.email, locale=candidate_locale(candidate),
                subject_key="mail.claimed.subject", body_key="mail.claimed.body",
                values={"name": candidate.name, "job_title": interview.job_title if interview else "",
                        "starts_at": local_text(detail["starts_at"], candidate.timezone,
                                                candidate_locale(candidate))}))
    elif claimed is not None and claimed.release_id == release_id:
        emails.send(emails.Message(
            key=f"{release_id}:claimed:{winner}", to=claimed.email, locale=locale_of(claimed.locale),
            subject_key="mail.claimed.subject", body_key="mail.claimed.body",
            values={"name": claimed.name, "job_title": claimed.job_title,
                    "starts_at": local_text(claimed.starts_at, claimed.timezone, locale_of(claimed.locale))},
        ))
    for offer in waitlist.others_to_tell(slot_id, release_id, winner):
        emails.send(emails.Message(
            key=f"{release_id}:gone:{offer.candidate_id}", to=offer.email, locale=locale_of(offer.locale),
            subject_key="mail.offer_gone.subject", body_key="mail.offer_gone.body",
            values={"name": offer.name, "job_title": offer.job_title,
                    "starts_at": local_text(offer.starts_at, offer.timezone, locale_of(offer.locale))},
        ))


# ---- SES feedback: bounces and complaints ----------------------------------------------------------------------------

SES_SOURCE = "aws.ses"  # AWS refuses PutEvents with an "aws." source: such an event really comes from SES


def on_mail_feedback(detail_type: str, detail: dict, source: str | None) -> None:
    """A permanent bounce or a complaint suppresses the address: later mail to it is skipped, not retried."""
    if source != SES_SOURCE:
        logger.warning("mail feedback ignored: not from SES", extra={"detail_type": detail_type})
        return
    if detail_type == "Email Bounced":
        feedback = detail.get("bounce") or {}
        if feedback.get("bounceType") != "Permanent":  # Transient or Undetermined: SES and the retry cope
            logger.info("bounce not permanent: address kept", extra={"bounce_type": feedback.get("bounceType")})
            return
        reason, recipients = "bounce", feedback.get("bouncedRecipients") or []
    else:
        feedback = detail.get("complaint") or {}
        reason, recipients = "complaint", feedback.get("complainedRecipients") or []
    addresses = [r.get("emailAddress") for r in recipients if r.get("emailAddress")]
    at = feedback.get("timestamp") or to_iso(utc_now())
    added = sum(suppression_store.suppress_address(a, reason, at, feedback.get("feedbackId")) for a in addresses)
    # Counts only: the addresses are personal data.
    logger.info("addresses suppressed", extra={"reason": reason, "recipients": len(addresses), "new": added,
                                                "ses_message_id": (detail.get("mail") or {}).get("messageId")})


HANDLERS: dict[str, Callable[[dict], None]] = {
    "InterviewScheduled": on_interview_scheduled,
    "CancellationRequested": on_cancellation_requested,
    "ApprovalRequested": on_approval_requested,
    "CancellationApproved": on_cancellation_approved,
    "CancellationRejected": on_cancellation_rejected,
    "CancellationNeedsAttention": on_needs_attention,
    "InterviewMoved": on_interview_moved,
    "RetentionMessageSent": on_retention_message_sent,
    "CandidateWaitlisted": on_candidate_waitlisted,
    "SlotClaimed": on_slot_claimed,
    "ReminderRequested": on_reminder_requested,
}
# Handlers that need the event's source: attendance comes from the platform or (recorded already) from staff.
SOURCED_HANDLERS: dict[str, Callable[[str, dict, str | None], None]] = {
    "InterviewAttended": on_attendance,
    "InterviewMissed": on_attendance,
}
MAIL_FEEDBACK = frozenset({"Email Bounced", "Email Complaint Received"})


def _candidate_of(detail: dict) -> str | None:
    """The candidate an event is about: named at the top (our events) or in its candidate (the ATS's)."""
    candidate = detail.get("candidate")
    return detail.get("candidate_id") or (candidate.get("candidate_id") if isinstance(candidate, dict) else None)


def handle(detail_type: str, detail: dict, source: str | None = None) -> None:
    if detail_type in MAIL_FEEDBACK:
        on_mail_feedback(detail_type, detail, source)
        return
    handler = HANDLERS.get(detail_type)
    if detail_type in SOURCED_HANDLERS:
        handler = lambda d: SOURCED_HANDLERS[detail_type](detail_type, d, source)  # noqa: E731
    if handler is None:
        raise ValueError(f"no handler for {detail_type}")
    if privacy.is_erased(_candidate_of(detail)):
        # Erased on request or by retention: nothing is sent to or about them, and nothing of them stored again.
        logger.info("event ignored: its candidate was erased", extra={
            "detail_type": detail_type, "request_id": detail.get("request_id"),
            "interview_id": detail.get("interview_id")})
        return
    try:
        if detail_type == "InterviewScheduled" and source == trust.OWN_SOURCE:
            trust.registered(detail)  # the registration API's announcement of what it stored
        handler(detail)
    except trust.Mismatch as mismatch:  # ids and the reason only: the detail may hold personal data
        logger.warning("event ignored: it contradicts the stored state", extra={
            "detail_type": detail_type, "why": str(mismatch), "request_id": detail.get("request_id"),
            "interview_id": detail.get("interview_id")})
