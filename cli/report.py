"""`interviews report`: the analytics report of a period, now, from the per-day counters.

    interviews report --day 2030-01-12 [--local-info local.json] [--mail]
    interviews report --days 7 --out reports/

It reads the tables named by the TABLE_* environment variables (as the function would), or those of a running
local system with --local-info (the file `interviews local --info-file` writes). Without --out it stores where
the function would (REPORT_BUCKET, else REPORT_DIR or .local/reports); --mail also e-mails HR.
"""

from __future__ import annotations

import argparse
import os
from datetime import date, timedelta


def _report(args: argparse.Namespace) -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")  # the figures, not the function's logs
    if args.local_info:
        from cli import local_info

        local_info.use(args.local_info)
        os.environ.pop("REPORT_BUCKET", None)
    if args.out:
        os.environ["REPORT_DIR"] = args.out
        os.environ.pop("REPORT_BUCKET", None)
    from functions.analytics import nightly

    if args.day:
        start = end = date.fromisoformat(args.day)
    else:
        end = date.fromisoformat(args.until) if args.until else date.today() - timedelta(days=1)
        start = end - timedelta(days=args.days - 1)
    result = nightly.run(start, end, send=args.mail)
    print(f"report {result['period']}: {result['requests']} requests, {result['recommendations']} recommendations")
    for kind, where in result["stored_at"].items():
        print(f"  {kind:4s} {where}")
    return 0


def register(commands) -> None:
    report = commands.add_parser("report", help="the analytics report of a day or of the last N days")
    period = report.add_mutually_exclusive_group()
    period.add_argument("--day", help="one day, YYYY-MM-DD (UTC)")
    period.add_argument("--days", type=int, default=1, help="the N days up to --until (default: up to yesterday)")
    report.add_argument("--until", help="last day of --days, YYYY-MM-DD (default yesterday; today counts so far)")
    report.add_argument("--out", help="write the HTML, JSON and CSV files into this folder")
    report.add_argument("--mail", action="store_true", help="also e-mail the report to HR (HR_EMAIL)")
    report.add_argument("--local-info", help="the info file of a running `interviews local`")
    report.set_defaults(func=_report)
