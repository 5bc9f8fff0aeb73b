"""Child of benchmarks/handlers.py: a cold process that serves one lifecycle's HTTP requests, counting every
AWS API call the handlers make, and reports its peak memory. Prints one JSON line."""

from __future__ import annotations

import json
import os
import re
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import botocore.client  # noqa: E402

calls = {"n": 0}
_original = botocore.client.BaseClient._make_api_call


def _counting(self, operation, params):
    calls["n"] += 1
    return _original(self, operation, params)


botocore.client.BaseClient._make_api_call = _counting

from functions.approve.handler import lambda_handler as approve  # noqa: E402
from functions.cancel.handler import lambda_handler as cancel  # noqa: E402
from functions.notify.handler import lambda_handler as notify  # noqa: E402
from functions.shared import links, notifications, store  # noqa: E402
from local_runtime.delivery import deliver_once  # noqa: E402
from local_runtime.lambda_events import LambdaContext, api_gateway_event  # noqa: E402
from local_runtime.resources import Queue  # noqa: E402

EVENT = json.loads((Path(__file__).resolve().parents[1] / "tests/events/interview_scheduled.json").read_text())
QUEUES = [Queue(**q) for q in json.loads(os.environ["BENCH_QUEUES"])]
HANDLERS = {"notify": notify}


def http(handler, method, path, body=None, headers=None, name=""):
    event = api_gateway_event(method=method, path=path, resource=path, path_parameters={}, query={},
                              headers={"Content-Type": "application/json", **(headers or {})},
                              body=(body or "").encode(), claims=None, source_ip="127.0.0.1")
    before = calls["n"]
    response = handler(event, LambdaContext(function_name=name))
    return response, calls["n"] - before


def drain_until(predicate, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for queue in QUEUES:
            deliver_once(queue, lambda f, e: HANDLERS[f](e, LambdaContext(function_name=f)))
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    raise TimeoutError


def main() -> None:
    figures, executions = {}, {}
    for interview_id, reason in (("bench-1", "illness"), ("bench-2", "schedule_conflict")):
        event = {**EVENT, "interview_id": interview_id, "slot_id": f"slot-{interview_id}"}
        notifications.handle("InterviewScheduled", event)
        token = links.candidate_token("cand-1")
        auth = {"Authorization": f"Bearer {token}"}
        response, n = http(cancel, "POST", f"/api/candidate/interviews/{interview_id}/cancellations",
                           json.dumps({"reason_code": reason}), {**auth, "Idempotency-Key": f"bench-{interview_id}"},
                           "cancel")
        request_id = json.loads(response["body"])["request_id"]
        executions["auto-approve" if reason == "schedule_conflict" else "approver approves"] = request_id
        if reason == "illness":
            figures["POST cancellation (candidate)"] = n
            figures["GET my interviews"] = http(cancel, "GET", "/api/candidate/interviews", None, auth, "cancel")[1]
            figures["GET my request's status"] = http(cancel, "GET", f"/api/candidate/requests/{request_id}", None,
                                                      auth, "cancel")[1]
            approval = drain_until(lambda: store.get_approval(request_id))
            link_token = links.approver_token(request_id, 0, approval.approver_id, 3600)
            figures["GET approval page"] = http(approve, "GET", f"/approvals/{link_token}", None, {}, "approve")[1]
            figures["POST decision"] = http(approve, "POST", f"/approvals/{link_token}", "decision=approve",
                                            {"Content-Type": "application/x-www-form-urlencoded"}, "approve")[1]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"calls": figures, "peak_rss_mb": peak_mb, "executions": executions}))


if __name__ == "__main__":
    main()
