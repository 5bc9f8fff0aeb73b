"""The schedules of notify: hourly, candidates reminded a day ahead (and nudged when the risk model says so) and
approvers reminded of decisions that are still open; nightly, the retention run (functions/domain/privacy.py);
every 15 minutes, waitlist offers nobody claimed in time passed on to the next candidates in line."""

from __future__ import annotations

import traceback
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from functions.core.clock import from_iso, local_text, utc_now
from functions.core.models import InterviewStatus, RequestStatus
from functions.core.observability import logger
from functions.core.settings import get_settings
from functions.domain import approvals, privacy, waitlist
from functions.domain.measures import nudge_holdout
from functions.integration.data import (
    approval_store,
    candidate_store,
    interview_store,
    request_store,
    risk_score_store,
)
from functions.notify.events import send_offer
from functions.notify.readers import (approval_buttons, approver_locale, candidate_locale, reminder_buttons,
                                     reminder_values)
from functions.web import emails

REMINDER_LEAD = timedelta(hours=24)

if TYPE_CHECKING:  # stored items are read here, never built
    from functions.integration.tables import CandidateItem, InterviewItem


# The model's probability of not attending from which a candidate is nudged, when the nightly model reached no
# precision target (otherwise its own threshold, chosen on the latest held-out history: risk_threshold.py).
DEFAULT_RISK_THRESHOLD = risk_score_store.DEFAULT_NUDGE_THRESHOLD


def high_risk(interview: InterviewItem, candidate: CandidateItem) -> bool:
    """The nightly risk model's score against its threshold when it scored the interview; otherwise a rule:
    cancelled before, or started nothing yet."""
    score = risk_score_store.risk_score(interview.interview_id)
    if score is not None:
        threshold = risk_score_store.nudge_threshold()
        return score >= (DEFAULT_RISK_THRESHOLD if threshold is None else threshold)
    return len(candidate.cancellations or []) >= 1 or not list(interview.completed_parts or [])


def send_reminders(now: datetime) -> dict:
    """Remind every candidate whose interview starts 24 to 25 hours after the run's hour; nudge those at risk,
    except the held-out share of them.

    One index query for that hour. Each mail goes once per interview and start time, so a retried run (the
    scheduler retries a failed one) resends nothing; a failure is raised after trying everyone else.
    """
    hour = now.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    bucket = (hour + REMINDER_LEAD).strftime("%Y-%m-%dT%H")
    reminded = nudged = held_out = failed = 0
    for interview in interview_store.interviews_starting_in_hour(bucket):
        if interview.status != InterviewStatus.SCHEDULED.value:
            continue
        candidate = candidate_store.get_candidate(interview.candidate_id)
        if candidate is None or candidate.erased_at:  # an erased candidate is sent nothing
            continue
        locale = candidate_locale(candidate)
        values = reminder_values(interview, candidate)
        join = reminder_buttons(values, candidate)
        try:
            reminded += emails.send(emails.Message(
                key=f"{interview.interview_id}:reminder:{interview.starts_at}", to=candidate.email, locale=locale,
                subject_key="mail.reminder.subject", body_key="mail.reminder.body", values=values,
                **join))
            if not high_risk(interview, candidate):
                continue
            # The randomized holdout: a share of the high-risk interviews gets no nudge (nudge_holdout.py).
            arm = nudge_holdout.assign(interview.interview_id, get_settings().nudge_holdout_share)
            if arm == nudge_holdout.HELD_OUT:
                held_out += 1
            else:
                nudged += emails.send(emails.Message(
                    key=f"{interview.interview_id}:nudge:{interview.starts_at}", to=candidate.email, locale=locale,
                    subject_key="mail.nudge.subject", body_key="mail.nudge.body", values=values,
                    **join))
        except Exception as exc:  # noqa: BLE001 - try everyone, then fail the run so that the scheduler retries it
            # The error's type and where, not its text: SES's can name the recipient.
            logger.error("reminder failed", extra={"interview_id": interview.interview_id,
                                                   "error_type": type(exc).__name__,
                                                   "stack": traceback.format_tb(exc.__traceback__)})
            failed += 1
    result = {"hour": bucket, "reminded": reminded, "nudged": nudged, "held_out": held_out, "failed": failed}
    logger.info("reminders run", extra=result)
    if failed:
        raise RuntimeError(f"{failed} reminders failed in the run for {bucket}")
    return result


def remind_approvers(now: datetime) -> dict:
    """Remind each approver whose reminder falls in this hour and who has not decided yet, once per level."""
    bucket = now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H")
    reminded = 0
    for approval in approval_store.approvals_to_remind(bucket):
        if approval.decision is not None:
            continue
        request = request_store.get_request(approval.request_id)
        if request is None or request.status != RequestStatus.PENDING_APPROVAL.value:
            continue
        interview = interview_store.get_interview(request.interview_id)
        remaining = max(1, int((from_iso(approval.due_at) - now).total_seconds()))
        locale = approver_locale(interview, approval.approver_email)
        reminded += emails.send(emails.Message(
            key=f"{approval.request_id}:approval-reminder:{int(approval.level)}", to=approval.approver_email,
            locale=locale, subject_key="mail.approval_reminder.subject",
            body_key="mail.approval_reminder.body",
            values={"job_title": interview.job_title, "request_id": approval.request_id,
                    "due_at": local_text(approval.due_at, "UTC", locale)},
            # A fresh single-use link for the same approver and level; whichever is used first decides.
            **approval_buttons(approvals.link_for(approval, remaining))))
    return {"hour": bucket, "approvers_reminded": reminded}


def run_schedule(event: dict) -> dict:
    """A scheduled invocation (EventBridge Scheduler): the job named in its detail, at its scheduled time."""
    job = (event.get("detail") or {}).get("job")
    now = from_iso(event["time"]) if event.get("time") else utc_now()
    if job == "reminders":
        return {**remind_approvers(now), **send_reminders(now)}
    if job == "retention":  # nightly: personal data of interviews that ended before the retention period
        return privacy.apply_retention(from_iso(event["time"]) if event.get("time") else utc_now())
    if job == "offer-expiry":
        return pass_on_expired_offers(now)
    raise ValueError(f"no scheduled job {job!r}")


def pass_on_expired_offers(now: datetime) -> dict:
    """Waitlist offers nobody claimed in time expire; their slots are offered to the next candidates in line."""
    passed = waitlist.expire_offers(now)
    for release_id, offers in passed:
        for offer in offers:
            send_offer(release_id, offer)
    return {"releases_passed_on": len(passed), "offers_open": sum(len(offers) for _, offers in passed)}
