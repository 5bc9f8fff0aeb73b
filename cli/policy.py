"""`interviews policy ...`: check a cancellation policy file, and explain where a request would go.

    interviews policy check [FILE]                                  # the shipped default without FILE
    interviews policy explain [--policy FILE] [--request FILE|-]    # request JSON from stdin without --request

Neither touches AWS or the database. Wired into `cli/main.py` through `register(subparsers)`; each sub-command's
`func` returns the exit code. Also runnable alone: `python -m cli.policy check`.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from pydantic import ValidationError

from functions.domain.policy import FALLBACK_SLA_SECONDS, Policy, PolicyError, RequestFacts, evaluate
from functions.domain.policy_source import DEFAULT_POLICY_FILE, load_policy

EXIT_OK = 0
EXIT_INVALID_POLICY = 1
EXIT_BAD_REQUEST = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `policy` command (with `check` and `explain`) to an argparse sub-parser collection."""
    policy = subparsers.add_parser("policy", help="check the cancellation policy and explain its routing")
    actions = policy.add_subparsers(dest="policy_command", required=True)

    check = actions.add_parser("check", help="validate a policy file (the shipped default without FILE)")
    check.add_argument("file", nargs="?", type=Path, help="policy YAML file")
    check.set_defaults(func=check_command)

    explain = actions.add_parser("explain", help="print, as JSON, the route a request would take and why")
    explain.add_argument("--policy", type=Path, help="policy YAML file (default: the shipped default)")
    explain.add_argument("--request", default="-",
                         help="request JSON file, '-' for stdin (the default); fields: "
                              + ", ".join(RequestFacts.model_fields))
    explain.set_defaults(func=explain_command)


def _policy_path(file: Path | None) -> Path:
    # An explicit file or the shipped one: a POLICY_FILE in the shell must not change what is being checked.
    return file if file is not None else DEFAULT_POLICY_FILE


def _shown(path: Path) -> str:
    """The path as a person would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _summary(policy: Policy) -> str:
    names = ", ".join(rule.name for rule in policy.rules)
    return f"{len(policy.rules)} rules ({names}); catch-all '{policy.catch_all.name}'"


def check_command(args: argparse.Namespace) -> int:
    path = _policy_path(args.file)
    try:
        policy = load_policy(path)
    except PolicyError as error:
        _print_policy_error(error)
        return EXIT_INVALID_POLICY
    print(f"ok: {_shown(path)}: {_summary(policy)}")
    return EXIT_OK


def explain_command(args: argparse.Namespace) -> int:
    path = _policy_path(args.policy)
    try:
        policy = load_policy(path)
    except PolicyError as error:
        _print_policy_error(error)
        return EXIT_INVALID_POLICY
    try:
        text = sys.stdin.read() if args.request == "-" else Path(args.request).read_text(encoding="utf-8")
        facts = RequestFacts.model_validate_json(text)
    except OSError as error:
        print(f"error: cannot read the request: {error}", file=sys.stderr)
        return EXIT_BAD_REQUEST
    except ValidationError as error:
        for problem in error.errors():
            field = ".".join(str(part) for part in problem["loc"]) or "request"
            print(f"error: request: {field}: {problem['msg']}", file=sys.stderr)
        return EXIT_BAD_REQUEST
    # Without a deployment at hand, the SLA a rule leaves open is the environment's (or the usual 24 h).
    default_sla = int(os.environ.get("APPROVAL_SLA_SECONDS") or FALLBACK_SLA_SECONDS)
    decision = evaluate(policy, facts, default_sla_seconds=default_sla)
    route = decision.route
    explained = {
        "policy": _shown(path),
        "rule": route.rule,
        "why": route.why,
        "auto_approve": route.auto_approve,
        "escalation_chain": decision.escalation_chain,
        "sla_seconds": route.sla_seconds,
        "remind_before_seconds": decision.remind_before_seconds,
        "on_timeout": decision.on_timeout,
        "default_outcome": route.default_outcome.value,
        "minimum_notice_hours": decision.minimum_notice_hours,
        # Self-service is for candidates; staff may cancel at any notice.
        "self_service_allowed": facts.initiator != "candidate" or facts.hours_until >= decision.minimum_notice_hours,
        "reason_text_required": decision.reason_text_required,
        "may_move": decision.may_move,
        "move_limit": decision.move_limit,
        "retention_template": decision.retention_template,
    }
    print(json.dumps(explained, indent=2, ensure_ascii=False))
    return EXIT_OK


def _print_policy_error(error: PolicyError) -> None:
    print(f"error: invalid policy {error.source}:", file=sys.stderr)
    for problem in error.problems:
        print(f"  {problem}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    # Named like the installed tool, so that usage lines read as they will once cli/main.py registers `policy`.
    parser = argparse.ArgumentParser(prog="interviews", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    register(commands)
    args = parser.parse_args(["policy", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
