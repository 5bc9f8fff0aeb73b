"""The staff console's page. It holds no data: its script signs the staff member in (Cognito managed login,
authorization code flow with PKCE: pages/_staff_session.html.j2) and calls the staff API with their ID token. The
code comes back to this page as ?code=, and is exchanged from the browser at the user pool domain's token
endpoint (so the page may connect there): no token is ever in a URL or a server log."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.core.models import COMPANY_CANCELLERS, CandidateReason, CompanyReason, RequestStatus
from functions.core.i18n import translator
from functions.core.settings import get_settings
from functions.web.responses import page, staff_page_locale

router = APIGatewayRouter()


@router.get("/staff", include_in_schema=False)
def console():
    locale = staff_page_locale(router.current_event)
    t = translator(locale)
    labels = {
        "status": {s.value: t(f"request.{s.value}") for s in RequestStatus},
        "reason": {r.value: t(f"reason.{r.value}") for r in (*CandidateReason, *CompanyReason)},
        "facts": {"reference": t("staff.reference"), "position": t("page.position"), "candidate": t("page.candidate"),
                  "reason": t("page.reason"), "status": t("page.status")},
        "cancelled_before": t("staff.cancelled_before"), "received": t("page.received"),
        "failed": t("page.failed"), "none": t("page.none"),
        "company_cancellers": sorted(role.value for role in COMPANY_CANCELLERS),
    }
    staff_auth = get_settings().staff_auth
    return page("pages/staff.html.j2", locale, title=t("staff.title"), company_reasons=[r.value for r in CompanyReason],
                labels=labels, staff_auth=staff_auth, connect_to=(staff_auth["token"],) if staff_auth else ())
