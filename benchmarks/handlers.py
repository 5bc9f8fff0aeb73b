"""Handler figures: cold import time against bare boto3, peak memory serving requests, AWS calls per HTTP
request, and state transitions per lifecycle. Prints a table; asserts nothing (figures, not flaky checks).

    .venv/bin/python benchmarks/handlers.py [--repeat 7]

Everything runs on loopback against moto's server; the measured functions run in a fresh child process each,
as a Lambda cold start would.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

HANDLERS = ["functions.cancel.handler", "functions.approve.handler", "functions.notify.handler",
            "functions.analytics.handler"]
IMPORT_SNIPPET = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def _env(extra: dict) -> dict:
    return {**os.environ, **extra, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "0"}


def cold_import_seconds(module: str, env: dict, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", IMPORT_SNIPPET.format(module=module)], env=env,
                             capture_output=True, text=True, check=True)
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def _serve(env: dict, function: str, requests: list[dict]) -> dict:
    child = subprocess.run([sys.executable, str(REPO / "benchmarks" / "_serve_requests.py"), function,
                            json.dumps(requests)], env=env, capture_output=True, text=True)
    if child.returncode != 0:
        raise RuntimeError(child.stdout + child.stderr)
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer
    import requests

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    aws = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": endpoint, "MOTO_PORT": str(port)}
    os.environ.update(aws)
    requests.post(f"{endpoint}/moto-api/config", json={"stepfunctions": {"execute_state_machine": True}},
                  timeout=10)
    from local_runtime import resources

    created = resources.create(prefix="bench")
    env = _env({**aws, **created.environment(), "LINK_SIGNING_KEY": "bench-key", "PUBLIC_BASE_URL": "http://bench",
                "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR",
                "POWERTOOLS_METRICS_NAMESPACE": "Bench"})

    print("Cold import (median of %d fresh interpreters)" % args.repeat)
    baseline = cold_import_seconds("boto3", env, args.repeat)
    print(f"  {'import boto3 (baseline)':34s} {baseline * 1000:7.1f} ms   1.00x")
    for module in HANDLERS:
        seconds = cold_import_seconds(module, env, args.repeat)
        print(f"  {module:34s} {seconds * 1000:7.1f} ms   {seconds / baseline:.2f}x")

    # Set up through the domain in this process; measure each function in a cold child of its own.
    os.environ.update({k: v for k, v in env.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")})
    from functions.integration import links
    from functions.integration.data import approval_store
    from functions.notify import events
    from local_runtime.delivery import deliver_once

    event = json.loads((REPO / "tests/events/interview_scheduled.json").read_text())
    for interview_id in ("bench-1", "bench-2", "bench-3"):
        events.handle("InterviewScheduled", {**event, "interview_id": interview_id,
                                                    "slot_id": f"slot-{interview_id}"})
    auth = {"Authorization": f"Bearer {links.candidate_token('cand-1')}", "Content-Type": "application/json"}

    def cancel_request(interview_id: str, reason: str) -> dict:
        return {"name": f"POST cancellation ({reason})", "method": "POST",
                "path": f"/api/candidate/interviews/{interview_id}/cancellations",
                "headers": {**auth, "Idempotency-Key": f"bench-{interview_id}"},
                "body": json.dumps({"reason_code": reason})}

    cancel_figures = _serve(env, "cancel", [
        cancel_request("bench-1", "illness"), cancel_request("bench-2", "schedule_conflict"),
        {"name": "GET my interviews", "method": "GET", "path": "/api/candidate/interviews", "headers": auth},
    ])
    from functions.domain.cancellations import request_id_for

    request_id = request_id_for("candidate:cand-1", "bench-1", "bench-bench-1")
    auto_id = request_id_for("candidate:cand-1", "bench-2", "bench-bench-2")
    approval = None
    for _ in range(200):
        for queue in created.queues:
            deliver_once(queue, lambda f, e: importlib.import_module(f"functions.{f}.handler").lambda_handler(
                e, __import__("local_runtime.lambda_events", fromlist=["x"]).LambdaContext(function_name=f)))
        approval = approval_store.get_approval(request_id)
        if approval:
            break
        time.sleep(0.1)
    token = links.approver_token(request_id, 0, approval.approver_id, 3600)
    approve_figures = _serve(env, "approve", [
        {"name": "GET approval page", "method": "GET", "path": f"/approvals/{token}"},
        {"name": "POST decision", "method": "POST", "path": f"/approvals/{token}",
         "headers": {"Content-Type": "application/x-www-form-urlencoded"}, "body": "decision=approve"},
    ])
    status_figures = _serve(env, "cancel", [
        {"name": "GET my request's status", "method": "GET", "path": f"/api/candidate/requests/{request_id}",
         "headers": auth}])
    print("\nAWS API calls per HTTP request (request path only; target <= 3)")
    for figures in (cancel_figures, status_figures, approve_figures):
        for name, calls in figures["calls"].items():
            print(f"  {name:44s} {calls}")
    print("\nPeak memory of one cold function instance serving those requests (target <= 128 MB)")
    print(f"  cancel  {cancel_figures['peak_rss_mb']:6.1f} MB")
    print(f"  approve {approve_figures['peak_rss_mb']:6.1f} MB")
    executions = {"approver approves": request_id, "auto-approve": auto_id}

    from boto3 import client

    sfn = client("stepfunctions")
    print("\nState transitions per lifecycle")
    for label, request_id in executions.items():
        arn = created.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{request_id}"
        for _ in range(100):
            if sfn.describe_execution(executionArn=arn)["status"] != "RUNNING":
                break
            time.sleep(0.1)
        history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        entered = sum(1 for e in history if e["type"].endswith("StateEntered"))
        print(f"  {label:44s} {entered} states entered")
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
