"""Outbound events: every event on the bus during real lifecycles matches its published JSON Schema.

A tap (an extra rule on the test bus matching all our sources -> a queue) captures what an ATS subscriber would
receive; the state machine is the real ASL executed by moto, the notify handler runs in the loop.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from jsonschema import Draft202012Validator

from functions.domain import approvals, cancellations
from functions.integration.data import interview_store
from functions.core.models import Decision, Initiator
from tests.integration.conftest import interview_event
from tests.integration.test_workflow import _approval_token

SCHEMAS = Path(__file__).resolve().parents[2] / "functions" / "integration" / "schemas"
OUR_SOURCES = [{"prefix": "interviews."}]  # interviews.cancellations (ours) and interviews.ats (the ATS)


def validator(detail_type: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{detail_type}.v1.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


class Tap:
    """A queue subscribed to everything our sources put on the bus, as an outside subscriber's would be."""

    def __init__(self, bus_name: str, name: str = "test-tap"):
        self.sqs, self.seen = boto3.client("sqs"), []
        self.url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events = boto3.client("events")
        events.put_rule(Name=name, EventBusName=bus_name, EventPattern=json.dumps({"source": OUR_SOURCES}))
        events.put_targets(Rule=name, EventBusName=bus_name, Targets=[{"Id": "tap", "Arn": arn}])

    def events(self) -> list[dict]:
        """Everything captured so far (read and removed from the queue, kept here)."""
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return self.seen
            self.seen += [json.loads(m["Body"]) for m in messages]
            self.sqs.delete_message_batch(QueueUrl=self.url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])

    def of(self, detail_type: str) -> list[dict]:
        return [e["detail"] for e in self.events() if e["detail-type"] == detail_type]


@pytest.fixture
def tap(system):
    return Tap(system.resources.bus_name)


def put_from_ats(system, detail_type: str, detail: dict) -> None:
    response = boto3.client("events").put_events(Entries=[{
        "Source": "interviews.ats", "DetailType": detail_type, "Detail": json.dumps(detail),
        "EventBusName": system.resources.bus_name}])
    assert response["FailedEntryCount"] == 0


def _submit(interview_id: str, candidate_id: str, reason: str):
    return cancellations.submit(interview_id=interview_id, initiator=Initiator.CANDIDATE,
                                actor=f"candidate:{candidate_id}", reason_code=reason, reason_text=None,
                                idempotency_key=f"key-{interview_id}", candidate_id=candidate_id)


def test_every_event_of_five_lifecycles_matches_its_schema(system, tap, monkeypatch):
    # Given five interviews the ATS schedules through the bus (one starts in 5 hours, the others in 3 days)
    names = ["auto", "approve", "reject", "timeout", "attention"]
    for name in names:
        starts_in = timedelta(hours=5) if name == "attention" else timedelta(days=3)
        put_from_ats(system, "InterviewScheduled",
                     {"version": "1", **interview_event(f"int-{name}", f"cand-{name}", starts_in=starts_in)})
    system.drain(rounds=10, quiet_rounds=1)
    assert all(interview_store.get_interview(f"int-{name}") for name in names)

    # When each runs a different lifecycle: nobody decides within a 1-second SLA (escalation, then the default),
    short = cancellations.get_settings().model_copy(update={"approval_sla_seconds": 1})
    monkeypatch.setattr(cancellations, "get_settings", lambda: short)
    timeout = _submit("int-timeout", "cand-timeout", "illness")
    monkeypatch.undo()
    # a schedule conflict is approved by policy, an approver approves, an approver rejects,
    auto = _submit("int-auto", "cand-auto", "schedule_conflict")
    approve = _submit("int-approve", "cand-approve", "illness")
    reject = _submit("int-reject", "cand-reject", "illness")
    # and an interview starts before its approval arrives (needs attention)
    attention = _submit("int-attention", "cand-attention", "illness")
    approvals.decide(_approval_token(system, approve.request_id), Decision.APPROVE, "get well soon")
    approvals.decide(_approval_token(system, reject.request_id), Decision.REJECT, "we can move it instead")
    attention_token = _approval_token(system, attention.request_id)
    boto3.client("dynamodb").update_item(
        TableName=system.resources.table_names["TABLE_INTERVIEWS"], Key={"interview_id": {"S": "int-attention"}},
        UpdateExpression="SET starts_at = :past", ExpressionAttributeValues={":past": {"S": "2020-01-01T00:00:00Z"}})
    approvals.decide(attention_token, Decision.APPROVE, None)
    final = {r.request_id: system.execution(r.request_id)["status"]
             for r in (timeout, auto, approve, reject, attention)}
    system.drain()

    # Then every lifecycle ended as expected
    assert final == {timeout.request_id: "SUCCEEDED", auto.request_id: "SUCCEEDED", approve.request_id: "SUCCEEDED",
                     reject.request_id: "SUCCEEDED", attention.request_id: "FAILED"}
    captured = tap.events()
    # and every captured event validates against the schema of its detail-type, from the source we document
    for event in captured:
        errors = [e.message for e in validator(event["detail-type"]).iter_errors(event["detail"])]
        assert errors == [], (event["detail-type"], errors)
        expected_source = "interviews.ats" if event["detail-type"] == "InterviewScheduled" else "interviews.cancellations"
        assert event["source"] == expected_source
    # and the tap saw each lifecycle's events, nothing more
    kinds = {}
    for event in captured:
        key = event["detail"].get("request_id") or event["detail"]["interview_id"]
        kinds.setdefault(key, []).append((event["detail-type"], event["detail"].get("level")))
    assert sorted(kinds[auto.request_id]) == [("CancellationApproved", None), ("CancellationRequested", None)]
    assert sorted(kinds[approve.request_id]) == [
        ("ApprovalRequested", 0), ("CancellationApproved", None), ("CancellationRequested", None)]
    assert sorted(kinds[reject.request_id]) == [
        ("ApprovalRequested", 0), ("CancellationRejected", None), ("CancellationRequested", None)]
    assert sorted(kinds[timeout.request_id]) == [
        ("ApprovalRequested", 0), ("ApprovalRequested", 1), ("CancellationApproved", None),
        ("CancellationRequested", None)]
    assert sorted(kinds[attention.request_id]) == [
        ("ApprovalRequested", 0), ("CancellationNeedsAttention", None), ("CancellationRequested", None)]
    assert sorted(k for k in kinds if k.startswith("int-")) == [f"int-{n}" for n in sorted(names)]
    assert len(captured) == 5 + 2 + 3 + 3 + 4 + 3
    # and the facts a subscriber relies on are right
    approved = {d["request_id"]: d for d in tap.of("CancellationApproved")}
    assert approved[auto.request_id]["actor"] == "policy:auto-approve"
    assert approved[approve.request_id]["actor"] == "approver:rec-1"
    assert approved[timeout.request_id]["actor"] == "policy:default"
    assert approved[approve.request_id]["slot_id"] == "slot-int-approve"


def test_the_schemas_refuse_what_a_subscriber_could_not_rely_on():
    # Given a valid CancellationApproved detail
    good = validator("CancellationApproved").schema["examples"][0]
    assert validator("CancellationApproved").is_valid(good)
    # When a field is missing, unknown, of another outcome, or a time without a timezone
    broken = [
        {k: v for k, v in good.items() if k != "slot_id"},
        {**good, "task_token": "secret"},
        {**good, "outcome": "rejected"},
        {**good, "decided_at": "yesterday"},
        {**good, "version": "2"},
    ]
    # Then validation fails for each
    assert [validator("CancellationApproved").is_valid(b) for b in broken] == [False] * len(broken)
