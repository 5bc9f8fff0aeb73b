"""`interviews`: the project's command-line tool."""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import signal
import sys


def _local(args: argparse.Namespace) -> int:
    from local_runtime import demo
    from local_runtime.system import LocalSystem, wait_forever

    # `kill -USR1 <pid>` writes every thread's stack to stderr: what to look at if Ctrl-C ever seems to hang.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    # Ctrl-C (and a plain `kill`) stop it, even when started in the background by a shell without job control,
    # which makes children ignore SIGINT (Python then installs no KeyboardInterrupt handler of its own).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    system = LocalSystem(port=args.port, sla_seconds=args.sla_seconds, log_level=args.log_level,
                         with_calendars=not args.no_calendars).start()
    try:
        if not args.no_demo:
            demo.seed(system)
        tokens = {role: system.staff_token(role) for role in ("recruiter", "department_manager", "admin")}
        ats_token = system.ats_token()
        expired = system.expired_tokens()
        links = _candidate_links(system.base_url)
        if args.info_file:
            # Tests also get staff of other jobs and departments (the same roles, other person ids): scope checks.
            others = {"recruiter_other_job": system.staff_token("recruiter", "recruiter-2", person_id="rec-2"),
                      "department_manager_other_department": system.staff_token(
                          "department_manager", "department_manager-2", person_id="mgr-2")}
            with open(args.info_file, "w", encoding="utf-8") as out:
                json.dump({"base_url": system.base_url, "staff_tokens": {**tokens, **others},
                           "ats_token": ats_token, "candidate_links": links,
                           "staff_password": system.sign_in.password,
                           "aws_endpoint": system.environment["AWS_ENDPOINT_URL"], "expired_tokens": expired,
                           "tables": system.resources.table_names,
                           "state_machine_arn": system.resources.state_machine_arn,
                           "calendars": system.calendars.info()}, out)
        print(f"\nInterview cancellations is running at {system.base_url}\n")
        print(f"  Mail outbox (every e-mail, with its links):  {system.base_url}/_local/outbox")
        print(f"  API documentation:                          {system.base_url}/docs")
        for name, link in links.items():
            print(f"  Candidate portal of {name}: {link}")
        for calendar in system.calendars.calendars:
            print(f"  Calendar of {calendar.name} (CalDAV, {calendar.username} / {calendar.password}): {calendar.url}")
        print(f"\n  Staff console: {system.base_url}/staff  (sign in as recruiter-1@example.com, "
              f"department_manager-1@example.com or admin-1@example.com; password {system.sign_in.password})")
        print("\n  Staff tokens (send as 'Authorization: Bearer <token>'):")
        for role, token in tokens.items():
            print(f"    {role}: {token}")
        print("\n  ATS token (registers interviews: POST /api/staff/interviews; no staff token can):")
        print(f"    {ats_token}")
        print(f"\n  Run the nightly job now: curl -X POST {system.base_url}/_local/run/nightly-analytics")
        print("\nPress Ctrl-C to stop.", flush=True)
        wait_forever()
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
    finally:
        system.stop()
    # moto runs each Step Functions execution in a thread of its own that waits out its task's timeout (up to the
    # SLA, level after level); everything they hold is in memory and gone with us, so don't wait for them.
    sys.stdout.flush()
    os._exit(0)


def _candidate_links(base_url: str) -> dict[str, str]:
    """The personal links from the invitation e-mails, as a candidate would find them."""
    import re

    import requests

    links = {}
    for message in requests.get(f"{base_url}/_local/outbox.json", timeout=10).json():
        found = re.search(r"(http://\S+/portal/\S+)", message["text"])
        if found:
            links.setdefault(message["to"], found.group(1))
    return links


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="interviews", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    local = commands.add_parser("local", help="run the whole system on this machine (moto, loopback only)")
    local.add_argument("--port", type=int, default=8000, help="HTTP port on 127.0.0.1 (0: any free port)")
    local.add_argument("--sla-seconds", type=int, default=24 * 3600, help="approval SLA per approver")
    local.add_argument("--no-demo", action="store_true", help="start empty, without demo interviews")
    local.add_argument("--info-file", help="write the base URL, staff tokens and candidate links here as JSON")
    local.add_argument("--no-calendars", action="store_true",
                       help="start no CalDAV server (Radicale) for the demo interviewers' calendars")
    local.add_argument("--log-level", default="WARNING", help="the functions' log level (INFO shows every event)")
    local.set_defaults(func=_local)

    from cli import audit as audit_cli
    from cli import candidate as candidate_cli
    from cli import dlq as dlq_cli
    from cli import history as history_cli
    from cli import links as links_cli
    from cli import model as model_cli
    from cli import policy as policy_cli
    from cli import report as report_cli

    model_cli.register(commands)
    policy_cli.register(commands)
    audit_cli.register(commands)
    candidate_cli.register(commands)
    dlq_cli.register(commands)
    links_cli.register(commands)
    report_cli.register(commands)
    history_cli.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
