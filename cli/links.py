"""`interviews links revoke --candidate ID`: make every personal link a candidate was sent answer 410.

For a link that leaked, or a candidate whose contact details changed: links sent from now on work. It writes to
the candidates table named by TABLE_CANDIDATES (as a function would), or to a running local system's with
--local-info (the file `interviews local --info-file` writes).
"""

from __future__ import annotations

import argparse
import sys


def _revoke(args: argparse.Namespace) -> int:
    if args.local_info:
        from cli import local_info

        local_info.use(args.local_info)
    from functions.integration import links

    version = links.revoke_candidate_links(args.candidate)
    if version is None:
        print(f"no candidate {args.candidate}: nothing revoked", file=sys.stderr)
        return 1
    print(f"{args.candidate}: earlier links revoked (links now carry version {version})")
    return 0


def register(commands) -> None:
    links = commands.add_parser("links", help="manage candidates' personal links")
    actions = links.add_subparsers(dest="links_command", required=True)
    revoke = actions.add_parser("revoke", help="revoke every personal link a candidate was sent so far")
    revoke.add_argument("--candidate", required=True, metavar="ID", help="the candidate's id")
    revoke.add_argument("--local-info", help="the info file of a running `interviews local`")
    revoke.set_defaults(func=_revoke)
