"""The candidate's personal page and its tracked links. GET only, and neither changes an interview or request:
the page reads; the tracked links note what the candidate opened (behaviour.py) and redirect."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.cancel import request_view
from functions.domain import behaviour, moves, waitlist
from functions.domain.calendar import invitations
from functions.integration import links
from functions.integration.data import candidate_store, interview_store, request_store
from functions.cancel.views import interview_view
from functions.core.clock import local_text
from functions.core.models import CandidateReason, InterviewStatus
from functions.core.errors import DomainError
from functions.core.i18n import catalog, locale_of, translator
from functions.domain import interview_policy
from functions.web import calendar_links
from functions.web.responses import error_page, page

router = APIGatewayRouter()


def _accept_language() -> str | None:
    return router.current_event.headers.get("Accept-Language")


def _chosen_language() -> str | None:
    return (router.current_event.query_string_parameters or {}).get("lang")


def _js_messages(locale) -> dict:
    """What the page's script shows, in the page's language ({placeholders} are filled in by the script)."""
    t, raw = translator(locale), catalog(locale)
    return {
        "steps": {"PENDING_APPROVAL": t("timeline.PENDING_APPROVAL"), "FINAL": t("timeline.FINAL")},
        "final": {s: t(f"request.{s}") for s in ("APPROVED", "REJECTED", "NEEDS_ATTENTION")},
        "interview": {"APPROVED": t("status.CANCELLED"), "REJECTED": t("status.SCHEDULED"),
                      "NEEDS_ATTENTION": t("status.CANCELLATION_PENDING")},
        "auto": t("timeline.AUTO"), "received": t("page.received"), "failed": t("page.failed"),
        "no_slots": t("page.no_slots"), "moved": raw["page.moved"], "reference": raw["page.reference"],
        "rebooked": raw["page.rebooked"], "sms_withdrawn": t("page.sms_withdrawn"),
        "waitlist_on": t("page.waitlist_on"), "waitlist_off": t("page.waitlist_off"),
    }


@router.get("/portal/<token>", include_in_schema=False)
def portal(token: str):
    try:
        candidate_id = links.candidate_of(token)
    except DomainError as exc:
        return error_page(exc, _accept_language(), _chosen_language())
    candidate = candidate_store.get_candidate(candidate_id)
    zone = candidate.timezone if candidate else "UTC"
    locale = locale_of(candidate.locale if candidate else None, _accept_language(), _chosen_language())
    t = translator(locale)
    # Only the candidate's own requests: one the company started is not shown until its outcome reaches them.
    every_request = request_store.requests_of(candidate_id)
    requests = sorted(request_view.own_requests(every_request, candidate_id),
                      key=lambda r: r.created_at, reverse=True)
    interviews = interview_store.interviews_of(candidate_id)
    titles = {i.interview_id: i.job_title for i in interviews}
    pending = request_view.own_pending_requests(interviews)
    items = []
    for interview in interviews:
        latest = next((r for r in requests if r.interview_id == interview.interview_id), None)
        items.append({
            "view": interview_view(interview, pending.get(interview.interview_id)),
            "local_time": local_text(interview.starts_at, zone, locale),
            "moves_left": moves.moves_left(interview), "rebooked": bool(interview.rebooked_slot_id),
            # The interviewer dropped it from their calendar: the candidate is offered another time.
            "move_offered": moves.offered_move(interview) is not None,
            "may_rebook": interview_policy.may_rebook(interview, every_request), "job_id": interview.job_id,
            **_waitlist_place(interview, interviews, every_request, candidate_id),
            "has_description": bool(interview.description_url), "has_intro": bool(interview.company_intro_url),
            "calendar_links": _calendar_links(interview, t),
            # The timeline follows the latest request while it is open, and shows how the last one ended.
            "request": latest,
        })
    history = [{"created": local_text(r.created_at, zone, locale), "job_title": titles.get(r.interview_id, ""),
                "reason_code": r.reason_code, "reason_text": r.reason_text, "status": r.status}
               for r in requests]
    return page(
        "pages/portal.html.j2", locale, title=t("page.my_interviews"), token=token, interviews=items,
        history=history, reasons=[r.value for r in CandidateReason], timezone=zone,
        # Read per page: the policy in force may be a version published in the editor since the last page.
        minimum_notice_hours=int(interview_policy.CANDIDATE_MINIMUM_NOTICE.total_seconds() // 3600),
        js_messages=_js_messages(locale),
        # The control to stop texts, while the candidate has a phone and agreed (docs/privacy.md).
        sms_consent=bool(candidate and candidate.phone and candidate.sms_opt_in),
    )


def _waitlist_place(interview, interviews: list, requests: list, candidate_id: str) -> dict:
    """May the candidate wait for a time of this interview's job (after a cancellation they may rebook), and do they?"""
    may_wait = interview.status == InterviewStatus.CANCELLED and waitlist.may_wait(
        [i for i in interviews if i.job_id == interview.job_id], requests)
    return {"may_wait": may_wait, "waiting": may_wait and waitlist.is_waiting(interview.job_id, candidate_id)}


def _calendar_links(interview, t) -> dict | None:
    """Google and Outlook.com "add to calendar" links, titled in the page's language; None once cancelled."""
    if interview.status == InterviewStatus.CANCELLED:
        return None
    values = (t("calendar.summary", job_title=interview.job_title), interview.starts_at,
              int(interview.duration_minutes))
    return {"google": calendar_links.google(*values), "outlook": calendar_links.outlook(*values)}


@router.get("/portal/<token>/interviews/<interview_id>/calendar.ics", include_in_schema=False)
def calendar_file(token: str, interview_id: str):
    """The interview as an .ics file to import (same UID as the e-mailed invitation: one entry, kept up to date)."""
    try:
        content = invitations.download_for(links.candidate_of(token), interview_id, _chosen_language())
    except DomainError as exc:
        return error_page(exc, _accept_language(), _chosen_language())
    return Response(status_code=200, body=content.decode("utf-8"), headers={
        "Content-Type": "text/calendar; charset=utf-8; method=PUBLISH",
        "Content-Disposition": 'attachment; filename="interview.ics"',
        "Cache-Control": "no-store"})  # the address holds the candidate's token


@router.get("/portal/<token>/go/<interview_id>/<target>", include_in_schema=False)
def tracked_link(token: str, interview_id: str, target: str):
    try:
        url = behaviour.follow(links.candidate_of(token), interview_id, target)
    except DomainError as exc:
        return error_page(exc, _accept_language(), _chosen_language())
    return Response(status_code=302, headers={"Location": url, "Cache-Control": "no-store"}, body="")

