"""The nightly reports as stored files, read back for the staff console: the report bucket in the cloud, REPORT_DIR
(or .local/reports) locally, the same places functions/analytics/nightly.py writes them (`report-<period>.<ext>`).

Why here: the analytics function writes the reports, the cancel function (the staff API) only reads them; the
reading needs S3 or the folder, which is integration's business, not the route's.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from botocore.exceptions import ClientError

from functions.core.settings import get_settings
from functions.integration.aws import client

# A report's period: one day or a range of days ("2026-11-30" or "2026-11-01_2026-11-30").
PERIOD = r"\d{4}-\d{2}-\d{2}(?:_\d{4}-\d{2}-\d{2})?"
_NAME = re.compile(rf"^report-({PERIOD})\.html$")


def _folder() -> Path:
    return Path(os.environ.get("REPORT_DIR", ".local/reports"))


def periods() -> list[str]:
    """The periods with a stored HTML report, newest end first (then the shorter period first)."""
    bucket = get_settings().report_bucket
    if bucket:
        names = []
        for page in client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="report-"):
            names += [item["Key"] for item in page.get("Contents") or []]
    else:
        names = [path.name for path in _folder().glob("report-*.html")] if _folder().is_dir() else []
    found = [m.group(1) for m in (_NAME.match(name) for name in names) if m]
    return sorted(found, key=lambda p: (p.rpartition("_")[2], p.count("_") == 0, p), reverse=True)


def read(period: str, extension: str = "html") -> str | None:
    """One stored report file as text; None if there is none for the period."""
    if not re.fullmatch(PERIOD, period) or extension not in ("html", "json", "csv"):
        return None
    name = f"report-{period}.{extension}"
    bucket = get_settings().report_bucket
    if bucket:
        try:
            return client("s3").get_object(Bucket=bucket, Key=name)["Body"].read().decode("utf-8")
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
    path = _folder() / name
    return path.read_text(encoding="utf-8") if path.is_file() else None
