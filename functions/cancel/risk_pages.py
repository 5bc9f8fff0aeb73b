"""The staff workplace's pages for interviews at risk (/staff/risk) and the nightly reports (/staff/reports).

Like the console's main page (console.py) they hold no data: their script calls the staff API
(functions/cancel/risk_routes.py) with the signed-in user's token, kept for the tab in sessionStorage
("staff_token"). Pages of their own, so that the console's main page stays as it is.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.core.i18n import catalog, translator
from functions.core.workplace_models import REPORT_READERS
from functions.core.settings import get_settings
from functions.web.responses import page, staff_page_locale

router = APIGatewayRouter()
FACTOR_PREFIX = "risk.factor."


def _locale():
    return staff_page_locale(router.current_event)


@router.get("/staff/risk", include_in_schema=False)
def risk_page():
    locale = _locale()
    t = translator(locale)
    labels = {
        # The model's factors in words: "<factor>.<value>" for yes/no facts, else "<factor>" with {value}.
        "factors": {key.removeprefix(FACTOR_PREFIX): text for key, text in catalog(locale).items()
                    if key.startswith(FACTOR_PREFIX)},
        "reminded": t("risk.reminded"), "recorded": t("risk.recorded"), "failed": t("page.failed"),
        "attendance": {"attended": t("risk.attended"), "no_show": t("risk.no_show")},
    }
    return page("pages/staff_risk.html.j2", locale, title=t("risk.title"), labels=labels,
                sign_in_url=get_settings().staff_sign_in_url)


@router.get("/staff/reports", include_in_schema=False)
def reports_page():
    locale = _locale()
    t = translator(locale)
    labels = {"none": t("reports.none"), "failed": t("page.failed"), "readers": sorted(r.value for r in REPORT_READERS)}
    return page("pages/staff_reports.html.j2", locale, title=t("reports.title"), labels=labels,
                sign_in_url=get_settings().staff_sign_in_url)
