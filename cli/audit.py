"""`interviews audit verify REQUEST_ID...`: is each request's trail complete and ordered?

It reads the tables named by the TABLE_* environment variables (as a function would), or those of a running
local system with --local-info (the file `interviews local --info-file` writes).
"""

from __future__ import annotations

import argparse
import json
import os


def _verify(args: argparse.Namespace) -> int:
    if args.local_info:
        with open(args.local_info, encoding="utf-8") as handle:
            info = json.load(handle)
        os.environ.update({**info["tables"], "AWS_ENDPOINT_URL": info["aws_endpoint"],
                           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "local",
                           "AWS_SECRET_ACCESS_KEY": "local", "EVENT_BUS_NAME": "unused",
                           "PUBLIC_BASE_URL": info["base_url"]})
    from functions.shared.audit import verify

    failed = 0
    for request_id in args.request_ids:
        report = verify(request_id)
        print(f"{request_id}: {'complete' if report.ok else 'INCOMPLETE'} ({report.entries} entries)")
        for problem in report.problems:
            print(f"  - {problem}")
        failed += not report.ok
    return 1 if failed else 0


def register(commands) -> None:
    audit = commands.add_parser("audit", help="check audit trails")
    actions = audit.add_subparsers(dest="audit_command", required=True)
    verify = actions.add_parser("verify", help="check that requests' trails are complete and ordered")
    verify.add_argument("request_ids", nargs="+", metavar="REQUEST_ID")
    verify.add_argument("--local-info", help="the info file of a running `interviews local`")
    verify.set_defaults(func=_verify)
