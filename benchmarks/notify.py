"""The notify handler's cost per message for a batch of 10 SQS records: wall time and AWS calls, against moto
in-process (mock_aws), beside a baseline measured in the same run (a batch of 10 records that do nothing: the
Lambda/Powertools batch machinery alone). Prints a table; asserts nothing (figures, not flaky checks).

    .venv/bin/python benchmarks/notify.py [--repeat 5]

AWS calls are counted by wrapping botocore's BaseClient._make_api_call, which boto3 and PynamoDB both go through.
moto answers in-process, so the times are the handler's own work plus moto's; against AWS, add each call's
network round trip (a few ms within a region) times the calls per message.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import sys
import time
import uuid
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
PREFIX = "bench"
BATCH = 10


def _environment() -> None:
    """As tests/conftest.py: before anything under functions/ is imported (settings are read once)."""
    from infra import topology

    os.environ.update({
        "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_SESSION_TOKEN": "bench",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
        **{t.env_var: f"{PREFIX}-{t.name}" for t in topology.TABLES},
        "EVENT_BUS_NAME": f"{PREFIX}-interviews-local",
        "STATE_MACHINE_ARN": f"arn:aws:states:us-east-1:123456789012:stateMachine:{PREFIX}-cancellation",
        "LINK_SIGNING_KEY": "bench-signing-key", "PUBLIC_BASE_URL": "http://bench",
        "MAIL_SENDER": "no-reply@interviews.example.com", "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "interview-cancellations", "POWERTOOLS_METRICS_NAMESPACE": "InterviewCancellations",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    })
    os.environ.pop("AWS_ENDPOINT_URL", None)


class Calls:
    """Counts AWS API calls by operation while installed."""

    def __init__(self):
        from botocore.client import BaseClient

        self.by_operation: collections.Counter = collections.Counter()
        original = BaseClient._make_api_call

        def counting(client, operation_name, params):
            self.by_operation[operation_name] += 1
            return original(client, operation_name, params)

        BaseClient._make_api_call = counting

    def take(self) -> collections.Counter:
        taken, self.by_operation = self.by_operation, collections.Counter()
        return taken


def _interview(n: str, starts_in: timedelta) -> dict:
    event = json.loads((REPO / "tests" / "events" / "interview_scheduled.json").read_text())
    event["interview_id"], event["slot_id"] = f"int-{n}", f"slot-{n}"
    event["candidate"]["candidate_id"] = f"cand-{n}"
    event["starts_at"] = (datetime.now(timezone.utc) + starts_in).replace(microsecond=0).isoformat()
    return event


def _batch(detail_type: str, details: list[dict]) -> dict:
    from local_runtime.lambda_events import sqs_event

    messages = []
    for detail in details:
        envelope = {"version": "0", "id": str(uuid.uuid4()), "detail-type": detail_type,
                    "source": "interviews.cancellations", "account": "123456789012",
                    "time": "2030-01-01T00:00:00Z", "region": "us-east-1", "resources": [], "detail": detail}
        messages.append({"MessageId": str(uuid.uuid4()), "ReceiptHandle": uuid.uuid4().hex,
                         "Body": json.dumps(envelope), "Attributes": {"ApproximateReceiveCount": "1"}})
    return sqs_event(messages, f"arn:aws:sqs:us-east-1:123456789012:{PREFIX}-notify")


def _requested(n: str, initiator: str = "candidate") -> dict:
    return {"version": "1", "request_id": f"req-{n}", "interview_id": f"int-{n}", "candidate_id": f"cand-{n}",
            "initiator": initiator, "reason_code": "illness", "auto_approve": False, "rule": "bench"}


def _approved(n: str) -> dict:
    return {"version": "1", "request_id": f"req-{n}", "interview_id": f"int-{n}", "candidate_id": f"cand-{n}",
            "slot_id": f"slot-{n}", "initiator": "candidate", "reason_code": "illness", "outcome": "approved",
            "actor": "approver:rec-1", "comment": "", "decided_at": "2030-01-01T00:00:00.000Z"}


def _store_request(dynamodb, n: str, status: str) -> None:
    item = {"request_id": f"req-{n}", "interview_id": f"int-{n}", "candidate_id": f"cand-{n}", "status": status,
            "initiator": "candidate", "reason_code": "illness", "created_at": "2030-01-01T00:00:00.000Z",
            "decided_at": "2030-01-01T00:00:00.000Z"}
    dynamodb.put_item(TableName=f"{PREFIX}-requests", Item={k: {"S": v} for k, v in item.items()})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="batches per scenario (the median is printed)")
    args = parser.parse_args()
    _environment()

    import boto3
    from moto import mock_aws

    # Setup registers interviews outside a Lambda invocation, which Powertools' idempotency warns about.
    warnings.filterwarnings("ignore", message="Couldn't determine the remaining time left")

    with mock_aws():
        from functions.notify.handler import lambda_handler
        from functions.notify import events
        from local_runtime import resources
        from local_runtime.lambda_events import LambdaContext

        resources.create(prefix=PREFIX)
        calls = Calls()

        def invoke(event: dict) -> tuple[float, collections.Counter]:
            calls.take()
            start = time.perf_counter()
            response = lambda_handler(event, LambdaContext(function_name="notify"))
            elapsed = time.perf_counter() - start
            assert response == {"batchItemFailures": []}, response
            return elapsed, calls.take()

        # Interviews the receipts and approvals refer to (registered outside the measurement).
        runs = args.repeat + 1  # the first batch of each scenario warms caches and is not counted
        ids = [[f"{s}-{r}-{i}" for i in range(BATCH)] for s in range(2) for r in range(runs)]
        for group in ids:
            for n in group:
                events.handle("InterviewScheduled", _interview(n, timedelta(days=3)))
        # The approvals' slots are released, as the workflow's transaction does before CancellationApproved.
        dynamodb = boto3.client("dynamodb")
        for n in (n for group in ids[runs:] for n in group):
            dynamodb.update_item(TableName=f"{PREFIX}-slots", Key={"slot_id": {"S": f"slot-{n}"}},
                                 UpdateExpression="SET #s = :a REMOVE interview_id",
                                 ExpressionAttributeNames={"#s": "status"},
                                 ExpressionAttributeValues={":a": {"S": "AVAILABLE"}})

        # The requests, stored as the cancel function and the workflow leave them: notify acts on our own events
        # only when they agree with the stored state (functions/notify/trust.py).
        for group, status in ((g, "RECEIVED") for g in ids[:runs]):
            for n in group:
                _store_request(dynamodb, n, status)
        for n in (n for group in ids[runs:] for n in group):
            _store_request(dynamodb, n, "APPROVED")
            dynamodb.update_item(TableName=f"{PREFIX}-interviews", Key={"interview_id": {"S": f"int-{n}"}},
                                 UpdateExpression="SET #s = :c", ExpressionAttributeNames={"#s": "status"},
                                 ExpressionAttributeValues={":c": {"S": "CANCELLED"}})

        scenarios = {
            "baseline: 10 no-op records": lambda r: _batch(
                "CancellationRequested", [_requested(f"noop-{r}-{i}", "company") for i in range(BATCH)]),
            "InterviewScheduled (register + invitation)": lambda r: _batch(
                "InterviewScheduled", [_interview(f"new-{r}-{i}", timedelta(days=3)) for i in range(BATCH)]),
            "CancellationRequested (receipt mail)": lambda r: _batch(
                "CancellationRequested", [_requested(n) for n in ids[r]]),
            "CancellationRequested redelivered (sends nothing)": lambda r: _batch(
                "CancellationRequested", [_requested(n) for n in ids[r]]),
            "CancellationApproved (2 mails + ICS, profile, slot offers)": lambda r: _batch(
                "CancellationApproved", [_approved(n) for n in ids[runs + r]]),
        }
        figures = {}
        for name, make in scenarios.items():
            times, counted = [], None
            for r in range(runs):
                elapsed, by_operation = invoke(make(r))
                if r:
                    times.append(elapsed)
                    counted = by_operation
            figures[name] = (statistics.median(times), counted)

    base_seconds, base_calls = figures["baseline: 10 no-op records"]
    print(f"notify handler, batch of {BATCH} SQS records, in-process moto (mock_aws), "
          f"median of {args.repeat} batches per scenario")
    print(f"{'scenario':58} {'ms/batch':>9} {'ms/msg':>7} {'+ms/msg':>8} {'AWS calls/msg':>14}  calls per batch")
    for name, (seconds, by_operation) in figures.items():
        total = sum(by_operation.values())
        extra = (seconds - base_seconds) * 1000 / BATCH
        detail = ", ".join(f"{op} {count}" for op, count in sorted(by_operation.items())) or "-"
        print(f"{name:58} {seconds * 1000:9.1f} {seconds * 1000 / BATCH:7.2f} {extra:8.2f} "
              f"{total / BATCH:14.1f}  {detail}")
    print("+ms/msg: over the baseline's time per message. Against AWS add one network round trip per call.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
