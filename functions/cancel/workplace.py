"""The staff workplace's pages beside the console (/staff): "waiting for me" and the interview and request search.

Like the console they hold no data: their scripts call the staff API with the signed-in staff member's ID token,
kept in the tab's sessionStorage under "staff_token" (set by /staff, or from the sign-in's #id_token fragment).
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.core.i18n import translator
from functions.core.models import (COMPANY_CANCELLERS, CandidateReason, CompanyReason, Initiator, InterviewStatus,
                                   RequestStatus)
from functions.core.settings import get_settings
from functions.web.responses import page, staff_page_locale

router = APIGatewayRouter()


def _locale():
    return staff_page_locale(router.current_event)


def _labels(t) -> dict:
    return {
        "request_status": {s.value: t(f"request.{s.value}") for s in RequestStatus},
        "interview_status": {s.value: t(f"status.{s.value}") for s in InterviewStatus},
        "reason": {r.value: t(f"reason.{r.value}") for r in (*CandidateReason, *CompanyReason)},
        "initiator": {i.value: t(f"staff.initiator_{i.value}") for i in Initiator},
        "decided": {"approved": t("page.decided", decision=t("page.approve")),
                    "rejected": t("page.decided", decision=t("page.reject"))},
        "already_decided": t("page.already_decided"), "failed": t("page.failed"), "received": t("page.received"),
        "none": t("page.none"), "level": t("staff.level"), "due": t("staff.due"),
        "interview_time": t("page.interview_time"), "reason_label": t("page.reason"),
        "company_cancellers": sorted(role.value for role in COMPANY_CANCELLERS),
        "cancel_for_company": t("staff.cancel_for_company"), "company_submit": t("staff.company_submit"),
        "reason_text": t("page.reason_text"), "page_n": t("staff.page_n", n="{n}"),
    }


@router.get("/staff/approvals", include_in_schema=False)
def approvals_page():
    locale = _locale()
    t = translator(locale)
    return page("pages/staff_approvals.html.j2", locale, title=t("staff.approvals_title"), labels=_labels(t),
                sign_in_url=get_settings().staff_sign_in_url)


@router.get("/staff/interviews", include_in_schema=False)
def interviews_page():
    locale = _locale()
    t = translator(locale)
    return page("pages/staff_interviews.html.j2", locale, title=t("staff.interviews_title"), labels=_labels(t),
                interview_statuses=[s.value for s in InterviewStatus], request_statuses=[s.value for s in RequestStatus],
                company_reasons=[r.value for r in CompanyReason], sign_in_url=get_settings().staff_sign_in_url)
