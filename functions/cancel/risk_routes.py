"""The staff workplace's risk view, attendance and reports (issue #15): the staff API its pages call.

Why a router of its own: the console's other routes (routes.py) are about requests; these are about interviews at
risk and the nightly report, with their own roles (reports are company-wide: HR admins), and they keep their pages
(functions/cancel/risk_pages.py) apart from the console's main page.
"""

from __future__ import annotations

import json
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from jinja2 import UndefinedError

from functions.core.errors import NotFoundError
from functions.core.i18n import locale_of
from functions.core.ids import ID_MAX_LENGTH, ID_PATTERN
from functions.core.observability import logger
from functions.core.settings import get_settings
from functions.core.workplace_models import (REPORT_READERS, AtRiskInterview, AttendanceBody, AttendanceReceipt,
                                             ReminderReceipt, ReportPeriod, ReportView)
from functions.domain.workplace import risk_watch
from functions.integration import report_files
from functions.web import report_html
from functions.web.responses import staff_from_claims, staff_problem_responses, undecodable_body_problem

router = APIGatewayRouter()
router.exception_handler(UnicodeDecodeError)(undecodable_body_problem)

Identifier = Annotated[str, Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
Period = Annotated[str, Path(min_length=6, max_length=21, pattern=f"^(?:latest|{report_files.PERIOD})$",
                             description="`latest`, a day (YYYY-MM-DD) or a range (YYYY-MM-DD_YYYY-MM-DD)")]
Language = Annotated[str | None, Query(max_length=35, description="The reader's language (a tag: zh-CN, ja, ...); "
                                                                  "else Accept-Language, else the default")]


def _staff(allowed=None):
    claims = router.current_event.request_context.authorizer.claims
    return staff_from_claims(claims, allowed) if allowed else staff_from_claims(claims)


@router.get("/api/staff/risk", summary="Interviews at risk of not taking place, with why", tags=["staff"],
            description="Scheduled interviews of the last day and the next two whose cancellation-risk score (the "
                        "nightly model's) reaches the threshold in force, soonest first, within the caller's scope; "
                        "each with the factors that raised its score most.",
            responses={200: {"description": "Interviews at risk"}, **staff_problem_responses(401, 403)})
def interviews_at_risk() -> list[AtRiskInterview]:
    return risk_watch.at_risk(_staff().scope())


@router.post("/api/staff/interviews/<interview_id>/reminders", summary="Remind the candidate now", tags=["staff"],
             description="Sends the candidate the interview reminder now, once per interview and (UTC) day: a second "
                         "request that day is 409 `reminded_today` and sends nothing.",
             responses={202: {"description": "The reminder is on its way"},
                        **staff_problem_responses(401, 403, 404, 409, 422, 503)})
def remind_candidate(interview_id: Identifier) -> tuple[ReminderReceipt, int]:
    staff = _staff()
    return risk_watch.remind_now(interview_id, staff.scope(), staff.actor), 202


@router.put("/api/staff/interviews/<interview_id>/attendance", summary="Record whether the candidate came",
            tags=["staff"],
            description="After the start: `attended` or `no_show`, recorded once (the same again answers the record; "
                        "another outcome is 409 `attendance_recorded`). Announced as InterviewAttended or "
                        "InterviewMissed: the analytics count it and the risk model learns from it.",
            responses={200: {"description": "Recorded"}, **staff_problem_responses(401, 403, 404, 409, 422, 503)})
def record_attendance(interview_id: Identifier, body: AttendanceBody) -> AttendanceReceipt:
    staff = _staff()
    return risk_watch.record_attendance(interview_id, body.outcome, staff.scope(), staff.actor)


@router.get("/api/staff/reports", summary="The stored nightly reports", tags=["staff"],
            description="HR admins: the periods with a stored report, newest first.",
            responses={200: {"description": "Report periods"}, **staff_problem_responses(401, 403)})
def reports() -> list[ReportPeriod]:
    _staff(REPORT_READERS)
    return [ReportPeriod(period=p) for p in report_files.periods()]


@router.get("/api/staff/reports/<period>", summary="One nightly report (or the latest)", tags=["staff"],
            description="The stored report, rendered again from its figures in the reader's language (`lang`, "
                        "else Accept-Language); a report whose figures cannot be read is the HTML stored with it.",
            responses={200: {"description": "The report"}, **staff_problem_responses(401, 403, 404, 422)})
def report(period: Period, lang: Language = None) -> ReportView:
    _staff(REPORT_READERS)
    if period == "latest":
        period = next(iter(report_files.periods()), "")
    html = report_files.read(period) if period else None
    if html is None:
        raise NotFoundError("No report for this period.", code="report_not_found")
    locale = locale_of(get_settings().staff_locale, router.current_event.headers.get("Accept-Language"), lang)
    return ReportView(period=period, html=_in_language(period, locale) or html)


def _in_language(period: str, locale) -> str | None:
    """The period's report rendered from its stored JSON for the reader; None if the JSON is missing or is not a
    report this version can render (then the HTML stored with it is shown as it is)."""
    try:
        figures = json.loads(report_files.read(period, "json") or "null")
    except ValueError:
        return None
    if not isinstance(figures, dict) or "recommendations" not in figures:
        return None
    try:
        return report_html.to_html(figures, locale)
    except (KeyError, TypeError, ValueError, AttributeError, UndefinedError):
        logger.warning("stored report not renderable", extra={"period": period})
        return None
