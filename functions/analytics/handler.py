"""Lambda run by the nightly schedule: summarise yesterday's cancellations and store the report."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.analytics.summary import daily_summary, yesterday
from functions.shared.aws import client
from functions.shared.clock import utc_now
from functions.shared.observability import logger, metrics
from functions.shared.settings import get_settings


def store_report(name: str, body: str) -> str:
    bucket = get_settings().report_bucket
    if bucket:
        client("s3").put_object(Bucket=bucket, Key=name, Body=body.encode(), ServerSideEncryption="aws:kms")
        return f"s3://{bucket}/{name}"
    folder = Path(os.environ.get("REPORT_DIR", ".local/reports"))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(body, encoding="utf-8")
    return str(folder / name)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    requested = (event.get("detail") or {}).get("day")
    day = date.fromisoformat(requested) if requested else yesterday(utc_now().date())
    summary = daily_summary(day)
    where = store_report(f"summary-{day.isoformat()}.json", json.dumps(summary, indent=2))
    logger.info("nightly summary stored", extra={"day": day.isoformat(), "requests": summary["requests"]})
    return {"day": day.isoformat(), "stored_at": where, "requests": summary["requests"]}
