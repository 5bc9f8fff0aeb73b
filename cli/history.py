"""`interviews history import --csv F`: interviews from an earlier system as the risk model's training history,
with the nightly report's counters back-filled, and a cleaning report.

    interviews history import --csv history.csv --local-info local.json          # a running `interviews local`
    interviews history import --csv history.csv --stack InterviewCancellations-prod-platform   # a deployed stack
    interviews history import --csv history.csv --timezone Asia/Kolkata --dry-run  # the cleaning report only

The file is in the import format of `interviews model train --csv` (docs/model-card.md). Each row is kept,
dropped with a reason, or reported as a duplicate; times are written in UTC (--timezone: the zone of times
written without an offset). A wrong file (not UTF-8, a missing or protected column) writes nothing. Each
interview is written once: importing the same file again adds nothing and reports its rows as already imported.
Tables: those of a running local system (--local-info, the file `interviews local --info-file` writes), of a
deployed stack (--stack, its outputs), or else the TABLE_* environment variables (as a function reads them).
--train then trains the risk model as the nightly run would (stored where the function stores it).

Wired into `cli/main.py` through `register(subparsers)`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

EXIT_OK = 0
EXIT_WRITE_FAILED = 1
EXIT_BAD_INPUT = 2
SHOWN_PER_REASON = 5  # example rows listed per drop reason; the counts are always complete


def register(subparsers: argparse._SubParsersAction) -> None:
    history = subparsers.add_parser("history", help="import earlier interviews as the risk model's history")
    actions = history.add_subparsers(dest="history_command", required=True)
    imports = actions.add_parser("import", help="clean an import-format CSV and write it as history + counters")
    imports.add_argument("--csv", required=True, help="the history, in the import format (with outcomes)")
    imports.add_argument("--timezone", default="UTC",
                         help="IANA zone of the times written without a UTC offset (default UTC)")
    imports.add_argument("--dry-run", action="store_true", help="print the cleaning report, write nothing")
    imports.add_argument("--train", action="store_true",
                         help="then train the risk model on the whole history, as the nightly run does")
    imports.add_argument("--progress-every", type=int, default=200, metavar="N",
                         help="a progress line on stderr every N rows written (default 200)")
    where = imports.add_mutually_exclusive_group()
    where.add_argument("--local-info", help="the info file of a running `interviews local`")
    where.add_argument("--stack", help="a deployed stack: its tables from the stack's outputs")
    imports.set_defaults(func=import_command)


def _use_tables(args: argparse.Namespace) -> None:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    if args.local_info:
        from cli import local_info

        local_info.use(args.local_info)
        os.environ.pop("REPORT_BUCKET", None)
    elif args.stack:
        from cli import deployed

        deployed.use(args.stack)
    from pydantic import ValidationError

    from functions.core.settings import Settings

    try:
        Settings.model_validate(dict(os.environ))  # as a function reads them (not the cached copy)
    except ValidationError as error:
        names = sorted({str(problem["loc"][0]) for problem in error.errors()})
        raise ValueError(f"{', '.join(names)} not set: give --local-info or --stack, or set them as for a "
                         "function") from None


def cleaning_report(cleaned) -> list[str]:
    """The cleaning report's lines: what was read, kept, dropped (by reason, with examples), duplicated, and
    how the times were normalised."""
    from functions.analytics.history_import.cleaning import DROP_REASONS

    times = cleaned.times
    converted = times["converted_from_offset"] + times["read_in_zone"]
    lines = [f"cleaning {cleaned.path}",
             f"  rows read   {cleaned.rows_read}",
             f"  kept        {len(cleaned.kept)}",
             f"  dropped     {len(cleaned.dropped)}"]
    for reason, count in cleaned.dropped_by_reason().items():
        lines.append(f"    {count:6d}  {reason}: {DROP_REASONS[reason]}")
        examples = [d for d in cleaned.dropped if d.reason == reason]
        lines += [f"              {d.detail}" for d in examples[:SHOWN_PER_REASON]]
        if len(examples) > SHOWN_PER_REASON:
            lines.append(f"              ... and {len(examples) - SHOWN_PER_REASON} more")
    identical = sum(d.identical for d in cleaned.duplicates)
    lines.append(f"  duplicates  {len(cleaned.duplicates)} in the file ({identical} identical, "
                 f"{len(cleaned.duplicates) - identical} with other values; the first row is kept)")
    lines += [f"              line {d.line}: repeats line {d.first_line}"
              for d in cleaned.duplicates[:SHOWN_PER_REASON]]
    lines.append(f"  times       {converted} normalised to UTC ({times['converted_from_offset']} had an offset, "
                 f"{times['read_in_zone']} were read in {cleaned.zone}), {times['already_utc']} already in UTC, "
                 f"{times['date_only']} bare dates kept as dates (no time of day to convert)")
    if cleaned.ignored_columns:
        lines.append(f"  ignored     column(s) not in the import format, never stored: "
                     f"{', '.join(cleaned.ignored_columns)}")
    return lines


def _progress(total: int, started: float):
    def show(result) -> None:
        print(f"history import: {result.handled}/{total} rows ({result.written} written, {len(result.already)} "
              f"already imported), {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    return show


def write_report(written) -> list[str]:
    identical = sum(a.identical for a in written.already)
    lines = [f"  written     {written.written} history rows, with the report's counters",
             f"  already imported  {len(written.already)} ({identical} identical, "
             f"{len(written.already) - identical} with other values: the stored rows stay)"]
    if written.days:
        days = sorted(written.days)
        lines.append(f"  counters    back-filled on {len(days)} days from {days[0]} to {days[-1]} (bookings on the "
                     "invitation's day, outcomes on the start's)")
    return lines


def import_command(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfoNotFoundError

    from functions.analytics.history_import import cleaning
    from functions.analytics.risk_rows import HistoryFormatError

    try:
        cleaned = cleaning.clean_file(args.csv, args.timezone)
    except (OSError, HistoryFormatError) as error:
        print(f"error: {error}; nothing was written", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (ZoneInfoNotFoundError, ValueError):
        print(f"error: --timezone {args.timezone!r} is not an IANA time zone; nothing was written", file=sys.stderr)
        return EXIT_BAD_INPUT
    print("\n".join(cleaning_report(cleaned)), flush=True)
    if args.dry_run:
        print("dry run: nothing written")
        return EXIT_OK
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        _use_tables(args)
    except (OSError, ValueError, KeyError, BotoCoreError, ClientError) as error:
        print(f"error: cannot find the tables ({error}); nothing was written", file=sys.stderr)
        return EXIT_BAD_INPUT
    from functions.analytics.history_import import writing

    written = writing.write(cleaned.kept, _progress(len(cleaned.kept), time.monotonic()), max(1, args.progress_every))
    print("\n".join(write_report(written)))
    if written.failed_at_line is not None:
        print(f"error: stopped at line {written.failed_at_line} ({written.failure}); {written.written} rows were "
              "written before it. Run the same import again to write the rest.", file=sys.stderr)
        return EXIT_WRITE_FAILED
    if args.train:
        return _train()
    return EXIT_OK


def _train() -> int:
    from functions.analytics import nightly
    from functions.core.clock import utc_now

    result = nightly.retrain_risk_model(utc_now())
    if not result["trained"]:
        print(f"model not trained: {result['rows']} history rows, {result['why']}")
        return EXIT_OK
    print(f"model trained on {result['rows']} history rows: held-out ROC AUC {result['roc_auc']:.3f}, "
          f"nudge threshold {result['nudge_threshold']}")
    for kind, where in result["stored_at"].items():
        print(f"  {kind:7s} {where}")
    return EXIT_OK
