"""Handler figures: peak memory serving requests, AWS calls per HTTP request, and state transitions per
lifecycle; then whether the README still says what was measured. Prints tables; asserts nothing (figures, not
flaky checks). Cold starts are benchmarks/cold_start.py's.

    .venv/bin/python benchmarks/handlers.py

Everything runs on loopback against moto's server; the measured functions run in a fresh child process each,
as a Lambda cold start would. The exact figures (calls, states) are compared with the README's "Benchmarks"
block, and each that differs is named: "AWS calls for POST decision: README says 3, measured 6".
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _local_system as local  # noqa: E402

REPO = local.REPO
README_BLOCK = re.compile(r"`make bench` \(`benchmarks/handlers.py`\).*?```\n(.*?)```", re.S)
README_FIGURE = re.compile(r"^  (\S.*?)\s{2,}(\d+)( states entered)?\s*$")


def _serve(env: dict, function: str, requests: list[dict]) -> dict:
    child = subprocess.run([sys.executable, str(REPO / "benchmarks" / "_serve_requests.py"), function,
                            json.dumps(requests)], env=env, capture_output=True, text=True)
    if child.returncode != 0:
        raise RuntimeError(child.stdout + child.stderr)
    return json.loads(child.stdout.strip().splitlines()[-1])


def readme_figures(readme: str) -> dict[str, int]:
    """The exact figures of the README's `make bench` block: calls per request and states per lifecycle."""
    block = README_BLOCK.search(readme)
    if block is None:
        raise RuntimeError("README.md has no `make bench` block under Benchmarks")
    return {m[1].strip(): int(m[2]) for line in block[1].splitlines() if (m := README_FIGURE.match(line))}


def drifts(readme: dict[str, int], measured: dict[str, int], units: dict[str, str]) -> list[str]:
    """One sentence per figure the README states differently from the measurement (or does not state)."""
    said = []
    for name, value in measured.items():
        if readme.get(name) != value:
            written = readme[name] if name in readme else "nothing"
            said.append(f"{units[name]} for {name}: README says {written}, measured {value}")
    said.extend(f"{name}: README says {readme[name]}, not measured any more" for name in readme.keys() - measured.keys())
    return said


def main() -> int:
    system = local.start(prefix="bench")
    env = system.env
    local.seed_interviews("bench-1", "bench-2", "bench-3")
    # An instance's first cancellation also reads the published policy (kept for PUBLISHED_MAX_AGE_SECONDS):
    # shown on its own, so that the other rows are what every later request costs.
    cancel_figures = _serve(env, "cancel", [
        local.cancellation("bench-3", "illness") | {"name": "POST cancellation, an instance's first"},
        local.cancellation("bench-1", "illness"), local.cancellation("bench-2", "schedule_conflict"),
        {"name": "GET my interviews", "method": "GET", "path": "/api/candidate/interviews",
         "headers": local.candidate_auth()},
    ])
    from functions.domain.cancellations import request_id_for

    request_id = request_id_for("candidate:cand-1", "bench-1", "bench-bench-1")
    auto_id = request_id_for("candidate:cand-1", "bench-2", "bench-bench-2")
    token = local.approval_token(system, request_id)
    approve_figures = _serve(env, "approve", [
        {"name": "GET approval page", "method": "GET", "path": f"/approvals/{token}"},
        {"name": "POST decision", "method": "POST", "path": f"/approvals/{token}",
         "headers": {"Content-Type": "application/x-www-form-urlencoded"}, "body": "decision=approve"},
    ])
    status_figures = _serve(env, "cancel", [
        {"name": "GET my request's status", "method": "GET", "path": f"/api/candidate/requests/{request_id}",
         "headers": local.candidate_auth()}])
    measured: dict[str, int] = {}
    units: dict[str, str] = {}
    operations: dict[str, str] = {}
    print("AWS API calls per HTTP request (request path only; target <= 3)")
    for figures in (cancel_figures, status_figures, approve_figures):
        for name, calls in figures["calls"].items():
            print(f"  {name:44s} {calls}")
            operations[name] = ", ".join(figures["operations"][name])
            measured[name], units[name] = calls, "AWS calls"
    print("\nWhich calls")
    for name, called in operations.items():
        print(f"  {name:44s} {called}")
    print("\nPeak memory of one cold function instance serving those requests (target <= 128 MB)")
    print(f"  cancel  {cancel_figures['peak_rss_mb']:6.1f} MB")
    print(f"  approve {approve_figures['peak_rss_mb']:6.1f} MB")

    from boto3 import client

    sfn = client("stepfunctions")
    print("\nState transitions per lifecycle")
    for label, execution in {"approver approves": request_id, "auto-approve": auto_id}.items():
        arn = system.created.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{execution}"
        for _ in range(100):
            if sfn.describe_execution(executionArn=arn)["status"] != "RUNNING":
                break
            time.sleep(0.1)
        history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        entered = sum(1 for e in history if e["type"].endswith("StateEntered"))
        print(f"  {label:44s} {entered} states entered")
        measured[label], units[label] = entered, "States entered"
    system.stop()

    differing = drifts(readme_figures((REPO / "README.md").read_text(encoding="utf-8")), measured, units)
    print("\nREADME figures against these measurements")
    for sentence in differing:
        print(f"  DRIFT  {sentence}")
    if not differing:
        print(f"  all {len(measured)} exact figures in README.md match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
