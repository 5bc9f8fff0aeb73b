"""The nightly job: the period's report from the counters, stored (S3 in the cloud, a folder locally) as HTML,
JSON and CSV, and e-mailed to HR with the HTML and CSV attached."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

from functions.analytics import benchmarks, render, report, risk
from functions.web import emails
from functions.integration.aws import client
from functions.integration.data import risk_score_store
from functions.core.i18n import locale_of
from functions.core.observability import logger
from functions.core.settings import get_settings

CONTENT_TYPES = {"html": "text/html; charset=utf-8", "json": "application/json; charset=utf-8",
                 "csv": "text/csv; charset=utf-8"}


def store_report(name: str, body: str | bytes) -> str:
    """Store a report (or model) file: in the report bucket in the cloud, in REPORT_DIR locally."""
    data = body.encode() if isinstance(body, str) else body
    bucket = get_settings().report_bucket
    if bucket:
        client("s3").put_object(Bucket=bucket, Key=name, Body=data, ServerSideEncryption="aws:kms",
                                ContentType=CONTENT_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream"))
        return f"s3://{bucket}/{name}"
    target = Path(os.environ.get("REPORT_DIR", ".local/reports")) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return str(target)


def period_name(start: date, end: date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()}_{end.isoformat()}"


def produce(start: date, end: date) -> tuple[dict, dict[str, str]]:
    """The report and its three files (extension -> text), without storing or sending anything."""
    built = report.build(start, end, report.collect(start, end), benchmarks.load(),
                         model=risk_score_store.model_summary())
    locale = locale_of(get_settings().staff_locale)
    return built, {"html": render.to_html(built, locale), "json": render.to_json(built),
                   "csv": render.to_csv(built, locale)}


def run(start: date, end: date, send: bool = True) -> dict:
    built, files = produce(start, end)
    name = period_name(start, end)
    stored = {ext: store_report(f"report-{name}.{ext}", body) for ext, body in files.items()}
    rate = built["cancellation_rate"]
    if send:
        emails.send(emails.Message(
            key=f"report:{name}", to=get_settings().hr_email, locale=locale_of(get_settings().staff_locale),
            subject_key="mail.report.subject", body_key="mail.report.body",
            values={"period": name.replace("_", " – "), "requested": built["volume"]["requested"],
                    "count": built["volume"]["requested"],  # picks the plural form of "requests"
                    "rate": "–" if rate is None else f"{rate:.1%}", "stored_at": stored["html"]},
            attachments=[emails.Attachment(f"report-{name}.html", CONTENT_TYPES["html"], files["html"].encode()),
                         emails.Attachment(f"report-{name}.csv", CONTENT_TYPES["csv"], files["csv"].encode())]))
    logger.info("report stored", extra={"period": name, "requests": built["volume"]["requested"]})
    return {"period": name, "stored_at": stored, "requests": built["volume"]["requested"],
            "recommendations": len(built["recommendations"])}


def retrain_risk_model(now: datetime) -> dict:
    """Retrain the cancellation-risk model on the stored history and score the coming interviews with it."""
    result = risk.retrain(now.date(), store_report)
    model = result.pop("model", None)
    if model is not None:
        result["scored"] = risk.score_upcoming(model, now)
    logger.info("risk model", extra={k: v for k, v in result.items() if k != "stored_at"})
    return result
