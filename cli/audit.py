"""`interviews audit verify REQUEST_ID...`: is each request's trail complete, ordered and unchanged since it was
written? Any entry overwritten, missing or reordered breaks the trail's hash chain (docs/audit.md) and is named.

It reads the tables named by the TABLE_* environment variables (as a function would), or those of a running
local system with --local-info (the file `interviews local --info-file` writes).
"""

from __future__ import annotations

import argparse


def _verify(args: argparse.Namespace) -> int:
    if args.local_info:
        from cli import local_info

        local_info.use(args.local_info)
    from functions.domain.audit import verify

    failed = 0
    for request_id in args.request_ids:
        report = verify(request_id)
        print(f"{request_id}: {'complete' if report.ok else 'INCOMPLETE'} ({report.entries} entries)")
        for problem in report.problems:
            print(f"  - {problem}")
        for note in report.notes:
            print(f"  note: {note}")
        failed += not report.ok
    return 1 if failed else 0


def register(commands) -> None:
    audit = commands.add_parser("audit", help="check audit trails")
    actions = audit.add_subparsers(dest="audit_command", required=True)
    verify = actions.add_parser("verify", help="check that requests' trails are complete, ordered and unchanged")
    verify.add_argument("request_ids", nargs="+", metavar="REQUEST_ID")
    verify.add_argument("--local-info", help="the info file of a running `interviews local`")
    verify.set_defaults(func=_verify)
