"""Cold starts as a person or a queue meets them: for each function, a fresh interpreter imports the handler in
the production environment (tracing on, as deployed) and serves its first request against the local system
(moto's server on loopback); the baseline, in the same run, is a fresh interpreter that imports boto3 and makes
one DynamoDB call. Prints the median of N runs of each, interleaved so that the machine's load falls on all
alike, and two ratios per function: import only, and import plus the first answer. Then, per function, a fresh
interpreter that imports only the modules other than ours that the handler loads, in the same order: the floor
that our own code sits on. Asserts nothing.

    .venv/bin/python benchmarks/cold_start.py [--repeat 5]

What it does not show: SnapStart (cancel and approve in the cloud), which restores an initialized process
instead of importing; this measures the cold path SnapStart saves and the queue-driven functions still take.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import subprocess
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _local_system as local  # noqa: E402

CHILD = Path(__file__).resolve().parent / "_cold_child.py"
FUNCTIONS = ("cancel", "approve", "notify", "analytics")


def _api_event(request: dict) -> dict:
    from local_runtime.lambda_events import api_gateway_event

    return api_gateway_event(method=request["method"], path=request["path"], resource=request["path"],
                             path_parameters={}, query={}, headers=request.get("headers", {}),
                             body=request.get("body", "").encode(), claims=None, source_ip="127.0.0.1")


def _queue_event(system: local.LocalSystem, function: str, interview_id: str) -> dict:
    """One InterviewScheduled from the ATS, as the function's queue delivers it."""
    from local_runtime.lambda_events import sqs_event

    envelope = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "InterviewScheduled",
                "source": "interviews.ats", "account": "123456789012", "time": "2030-01-01T00:00:00Z",
                "region": "us-east-1", "resources": [],
                "detail": {**local.EVENT, "interview_id": interview_id, "slot_id": f"slot-{interview_id}"}}
    queue = next(q for q in system.created.queues if q.function == function)
    return sqs_event([{"MessageId": str(uuid.uuid4()), "ReceiptHandle": "bench", "Body": json.dumps(envelope)}],
                     f"arn:aws:sqs:us-east-1:123456789012:{queue.rule}")


def _run(kind: str, payload, env: dict):
    text = payload if isinstance(payload, str) else json.dumps(payload)
    child = subprocess.run([sys.executable, str(CHILD), kind, text], env=env, capture_output=True, text=True)
    if child.returncode != 0:
        raise RuntimeError(f"{kind}: {child.stdout[-2000:]}{child.stderr[-2000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


FIRST_REQUEST = {"cancel": "POST cancellation", "approve": "GET approval page",
                 "notify": "InterviewScheduled (1 record)", "analytics": "InterviewScheduled (1 record)"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    system = local.start(prefix="cold")
    cancels = [f"cold-cancel-{i}" for i in range(args.repeat)]
    local.seed_interviews("cold-approve", *cancels)
    cancel_handler = importlib.import_module("functions.cancel.handler").lambda_handler
    from functions.domain.cancellations import request_id_for
    from local_runtime.lambda_events import LambdaContext

    answer = cancel_handler(_api_event(local.cancellation("cold-approve", "illness")),
                            LambdaContext(function_name="cancel"))
    if answer["statusCode"] != 202:
        raise RuntimeError(f"the cancellation to approve was refused: {answer}")
    token = local.approval_token(system, request_id_for("candidate:cand-1", "cold-approve", "bench-cold-approve"))

    def payload(function: str, i: int) -> dict:
        if function == "cancel":
            return _api_event(local.cancellation(cancels[i], "schedule_conflict"))
        if function == "approve":
            return _api_event({"method": "GET", "path": f"/approvals/{token}"})
        return _queue_event(system, function, f"cold-{function}-{i}")

    baseline_call = {"table": system.created.environment()["TABLE_INTERVIEWS"],
                     "key": {"interview_id": {"S": "cold-approve"}}}
    libraries = {function: _run("modules-of", function, local.production_env(system, function))
                 for function in FUNCTIONS}
    rows = ("boto3", *FUNCTIONS, *(f"{function} libraries" for function in FUNCTIONS))
    samples: dict[str, list[dict]] = {name: [] for name in rows}
    for i in range(args.repeat):  # interleaved: a busy moment on the machine falls on every row alike
        samples["boto3"].append(_run("boto3", baseline_call, local.production_env(system, "baseline")))
        for function in FUNCTIONS:
            samples[function].append(_run(function, payload(function, i), local.production_env(system, function)))
            samples[f"{function} libraries"].append(
                _run("libraries", libraries[function], local.production_env(system, function)))
    system.stop()

    def median(name: str, key: str) -> float:
        return statistics.median(s[key] for s in samples[name])

    base_import, base_first = median("boto3", "import"), median("boto3", "first")
    print(f"Cold start, production environment (tracing on), median of {args.repeat} fresh interpreters each")
    print(f"  {'':10s} {'first request':30s} {'import ms':>9s} {'ratio':>6s}  {'+ first answer ms':>17s} {'ratio':>6s}")
    print(f"  {'baseline':10s} {'import boto3, one GetItem':30s} {base_import * 1000:9.1f} {1:6.2f}x"
          f"  {base_first * 1000:17.1f} {1:6.2f}x")
    for function in FUNCTIONS:
        imported, first = median(function, "import"), median(function, "first")
        print(f"  {function:10s} {FIRST_REQUEST[function]:30s} {imported * 1000:9.1f} {imported / base_import:6.2f}x"
              f"  {first * 1000:17.1f} {first / base_first:6.2f}x")
    print("  target: <= 2.00x for both ratios")
    print("The same imports without our code: each handler's libraries alone, in the order it imports them")
    for function in FUNCTIONS:
        alone, imported = median(f"{function} libraries", "import"), median(function, "import")
        print(f"  {function:10s} {len(libraries[function]):4d} modules {'':17s} {alone * 1000:9.1f} "
              f"{alone / base_import:6.2f}x  (our code: {(imported - alone) * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
