"""`interviews candidate export ID` / `interviews candidate erase ID --yes`: a candidate's data rights from the
command line (docs/privacy.md), for an HR admin with access to the tables.

It reads and writes the tables named by the TABLE_* environment variables (as a function would), or those of a
running local system with --local-info (the file `interviews local --info-file` writes). Export prints JSON;
erase asks for --yes, says when the candidate was erased, and answers the same when asked again.
"""

from __future__ import annotations

import argparse
import json
import sys

ERASE_ACTOR = "cli:candidate-erase"


def _connect(args: argparse.Namespace) -> None:
    if args.local_info:
        from cli import local_info

        local_info.use(args.local_info)


def _export(args: argparse.Namespace) -> int:
    _connect(args)
    from functions.core.errors import NotFoundError
    from functions.domain import privacy

    try:
        exported = privacy.export(args.candidate_id)
    except NotFoundError:
        print(f"no candidate {args.candidate_id}: nothing exported", file=sys.stderr)
        return 1
    print(json.dumps(exported, indent=2, ensure_ascii=False, sort_keys=True))
    return 0


def _erase(args: argparse.Namespace) -> int:
    if not args.yes:
        print(f"erasing {args.candidate_id} removes their personal data for good: add --yes to confirm",
              file=sys.stderr)
        return 2
    _connect(args)
    from functions.core.errors import NotFoundError
    from functions.domain import privacy

    try:
        erasure = privacy.erase(args.candidate_id, actor=ERASE_ACTOR)
    except NotFoundError:
        print(f"no candidate {args.candidate_id}: nothing erased", file=sys.stderr)
        return 1
    print(f"{erasure.candidate_id}: personal data erased at {erasure.erased_at}")
    return 0


def register(commands) -> None:
    candidate = commands.add_parser("candidate", help="a candidate's data rights: export, erase")
    actions = candidate.add_subparsers(dest="candidate_command", required=True)
    export = actions.add_parser("export", help="print everything stored about a candidate as JSON")
    export.add_argument("candidate_id", metavar="ID")
    export.add_argument("--local-info", help="the info file of a running `interviews local`")
    export.set_defaults(func=_export)
    erase = actions.add_parser("erase", help="erase a candidate's personal data from every table")
    erase.add_argument("candidate_id", metavar="ID")
    erase.add_argument("--yes", action="store_true", help="confirm: the data cannot be brought back")
    erase.add_argument("--local-info", help="the info file of a running `interviews local`")
    erase.set_defaults(func=_erase)
