"""An in-process system: moto's mock runs the real state machine; queue messages reach the notify handler as
SQS batch events; API calls reach the handlers as API Gateway proxy events."""

from __future__ import annotations

import copy
import json
import logging
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest
from moto import mock_aws
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

from local_runtime import moto_dynamodb, resources
from local_runtime.delivery import deliver_once
from local_runtime.lambda_events import LambdaContext, api_gateway_event
from tests.conftest import PREFIX

EVENTS = Path(__file__).resolve().parent.parent / "events"
# Executions a test left waiting keep running in moto's threads after the mock stops and complain about it.
logging.getLogger("moto.stepfunctions").setLevel(logging.CRITICAL)


def interview_event(interview_id="int-1", candidate_id="cand-1", starts_in=timedelta(days=3), **changes) -> dict:
    event = json.loads((EVENTS / "interview_scheduled.json").read_text())
    event["interview_id"], event["slot_id"] = interview_id, f"slot-{interview_id}"
    event["candidate"]["candidate_id"] = candidate_id
    event["starts_at"] = (datetime.now(timezone.utc) + starts_in).replace(microsecond=0).isoformat()
    event.update(changes)
    return event


class InProcessSystem:
    def __init__(self, created: resources.Resources):
        self.resources = created

    # -- functions ------------------------------------------------------------------------------------------------
    def invoke(self, function: str, event: dict) -> dict:
        from infra import topology
        import importlib

        handler = next(f.handler for f in topology.FUNCTIONS if f.name == function)
        module, _, attribute = handler.rpartition(".")
        return getattr(importlib.import_module(module), attribute)(event, LambdaContext(function_name=function))

    def http(self, method: str, path: str, *, function: str = "cancel", resource: str | None = None,
             body: dict | str | None = None, headers: dict | None = None, claims: dict | None = None,
             query: dict | None = None) -> dict:
        raw = body if isinstance(body, str) else (json.dumps(body) if body is not None else "")
        event = api_gateway_event(method=method, path=path, resource=resource or path, path_parameters={},
                                  query=query or {}, headers={"Content-Type": "application/json", **(headers or {})},
                                  body=raw.encode(), claims=claims, source_ip="127.0.0.1")
        return self.invoke(function, event)

    # -- the bus and the workflow ---------------------------------------------------------------------------------
    def drain(self, rounds: int = 30, quiet_rounds: int = 3) -> None:
        """Deliver queued events until the queues stay empty for a few rounds (the workflow may still emit)."""
        quiet = 0
        for _ in range(rounds):
            delivered = sum(deliver_once(q, self.invoke) for q in self.resources.queues)
            quiet = quiet + 1 if delivered == 0 else 0
            if quiet >= quiet_rounds:
                return
            time.sleep(0.2)

    def execution(self, request_id: str, until=("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"), timeout=60.0):
        """The request's execution once its status is one of `until`; an error if it is not by `timeout` (generous:
        a loaded machine is slow, and waiting ends as soon as the status is reached)."""
        sfn = boto3.client("stepfunctions")
        arn = self.resources.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{request_id}"
        deadline = time.monotonic() + timeout
        while True:
            self.drain(rounds=2, quiet_rounds=1)
            described = sfn.describe_execution(executionArn=arn)
            if described["status"] in until:
                return described
            assert time.monotonic() < deadline, \
                f"the execution of {request_id} is {described['status']} after {timeout} s"
            time.sleep(0.2)

    def sent_mail(self) -> list[dict]:
        from local_runtime import outbox

        return outbox.messages()

    def dlq_depth(self) -> int:
        sqs = boto3.client("sqs")
        return sum(int(sqs.get_queue_attributes(QueueUrl=q.dlq_url, AttributeNames=["ApproximateNumberOfMessages"])
                       ["Attributes"]["ApproximateNumberOfMessages"]) for q in self.resources.queues)


def store_request(system, request_id: str, interview_id: str, candidate_id: str, status: str, **fields: str) -> None:
    """A request stored as the cancel function and the workflow leave it (no workflow runs): the notify function
    acts on this service's events only when they agree with it. APPROVED also cancels the interview, as the
    workflow's transaction does."""
    item = {"request_id": request_id, "interview_id": interview_id, "candidate_id": candidate_id, "status": status,
            "initiator": "candidate", "reason_code": "illness", "created_at": "2030-01-01T00:00:00.000Z",
            **({"decided_at": "2030-01-01T00:00:00.000Z"} if status in ("APPROVED", "REJECTED") else {}), **fields}
    dynamodb = boto3.client("dynamodb")
    dynamodb.put_item(TableName=system.resources.table_names["TABLE_REQUESTS"],
                      Item={k: {"S": v} for k, v in item.items()})
    if status == "APPROVED":
        dynamodb.update_item(
            TableName=system.resources.table_names["TABLE_INTERVIEWS"], Key={"interview_id": {"S": interview_id}},
            UpdateExpression="SET #s = :cancelled", ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":cancelled": {"S": "CANCELLED"}})


def header(response: dict, name: str) -> str | None:
    """A response header, whichever of the two header maps the resolver used."""
    for key, value in (response.get("headers") or {}).items():
        if key.lower() == name.lower():
            return value
    for key, values in (response.get("multiValueHeaders") or {}).items():
        if key.lower() == name.lower():
            return values[0]
    return None


# moto's Step Functions waits out each Retry's backoff in real time: a step that fails until healed waited up to
# 31 s. Here it waits a tenth of that. These tests check where a request ends, not how long a backoff is (the Retry
# clauses themselves: tests/unit/test_workflow_definition.py and the synthesized template).
RETRY_WAIT_SCALE = 0.1


@pytest.fixture
def system(monkeypatch):
    moto_dynamodb.serialise_operations()
    monkeypatch.setattr(retrier_decl, "time", SimpleNamespace(sleep=lambda seconds: time.sleep(
        seconds * RETRY_WAIT_SCALE)))
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        created = InProcessSystem(resources.create(prefix=PREFIX))
        yield created
        # Executions run in threads; stop them so none writes into the next test's fresh mock.
        sfn = boto3.client("stepfunctions")
        for execution in sfn.list_executions(stateMachineArn=created.resources.state_machine_arn,
                                             statusFilter="RUNNING")["executions"]:
            try:
                sfn.stop_execution(executionArn=execution["executionArn"])
            except Exception:  # noqa: BLE001 - moto cannot stop an execution that has not begun; it ends alone
                pass


@pytest.fixture
def scheduled(system):
    """One interview registered through the InterviewScheduled path, three days ahead."""
    from functions.notify import events

    def register(**kwargs) -> dict:
        event = interview_event(**kwargs)
        events.handle("InterviewScheduled", copy.deepcopy(event))
        return event

    return register
