"""Build topology.py's tables, bus, queues, rules and state machine on moto (in-process or its server).

The same ASL file the CDK app deploys is loaded here, with the same substitutions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import boto3

from infra import topology

REPO = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"
BUS_NAME = "interviews-local"
SENDER = "no-reply@interviews.example.com"
# As in the cloud (6 x the function's timeout), a message being handled is not handed to a second poller. A failed
# one is made visible again after a couple of seconds instead (local_runtime/delivery.py), not the cloud's minutes.
VISIBILITY_TIMEOUT_SECONDS = 180
MAX_RECEIVE_COUNT = 5


@dataclass(frozen=True)
class Queue:
    rule: str
    function: str
    url: str
    dlq_url: str


@dataclass(frozen=True)
class Resources:
    table_names: dict[str, str]  # env var -> table name
    bus_name: str
    state_machine_arn: str
    queues: tuple[Queue, ...]

    def environment(self) -> dict[str, str]:
        return {**self.table_names, "EVENT_BUS_NAME": self.bus_name, "STATE_MACHINE_ARN": self.state_machine_arn}


def asl_definition(table_names: dict[str, str], bus_name: str) -> str:
    substitutions = {
        "EventBusName": bus_name,
        "InterviewsTable": table_names["TABLE_INTERVIEWS"],
        "RequestsTable": table_names["TABLE_REQUESTS"],
        "SlotsTable": table_names["TABLE_SLOTS"],
        "AuditTable": table_names["TABLE_AUDIT"],
        "ApprovalsTable": table_names["TABLE_APPROVALS"],
    }
    text = (REPO / topology.STATE_MACHINE_ASL).read_text(encoding="utf-8")
    for key, value in substitutions.items():
        text = text.replace("${" + key + "}", value)
    return text


def _create_table(dynamodb, spec: topology.Table, name: str) -> None:
    keys = [(spec.partition_key, "HASH")] + ([(spec.sort_key, "RANGE")] if spec.sort_key else [])
    attributes = {k for k, _ in keys}
    indexes = []
    for index in spec.indexes:
        index_keys = [(index.partition_key, "HASH")] + ([(index.sort_key, "RANGE")] if index.sort_key else [])
        attributes |= {k for k, _ in index_keys}
        indexes.append({"IndexName": index.name, "Projection": {"ProjectionType": "ALL"},
                        "KeySchema": [{"AttributeName": k, "KeyType": t} for k, t in index_keys]})
    request = {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": k, "KeyType": t} for k, t in keys],
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
    }
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    dynamodb.create_table(**request)
    if spec.ttl_attribute:
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": spec.ttl_attribute})


def create(prefix: str = "local") -> Resources:
    """Create everything; boto3 clients follow AWS_ENDPOINT_URL (the server) or mock_aws (in-process)."""
    dynamodb = boto3.client("dynamodb")
    table_names = {}
    for spec in topology.TABLES:
        name = f"{prefix}-{spec.name}"
        _create_table(dynamodb, spec, name)
        table_names[spec.env_var] = name

    events = boto3.client("events")
    sqs = boto3.client("sqs")
    bus_name = f"{prefix}-{BUS_NAME}"
    events.create_event_bus(Name=bus_name)
    queues = []
    for rule in topology.RULES:
        dlq_url = sqs.create_queue(QueueName=f"{prefix}-{rule.name}-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(QueueName=f"{prefix}-{rule.name}", Attributes={
            "VisibilityTimeout": str(VISIBILITY_TIMEOUT_SECONDS),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT}),
        })["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name=f"{prefix}-{rule.name}", EventBusName=bus_name,
                        EventPattern=json.dumps(rule.pattern()))
        events.put_targets(Rule=f"{prefix}-{rule.name}", EventBusName=bus_name, Targets=[{"Id": "queue", "Arn": arn}])
        queues.append(Queue(rule.name, rule.function, url, dlq_url))

    state_machine_arn = boto3.client("stepfunctions").create_state_machine(
        name=f"{prefix}-cancellation", type="STANDARD",
        definition=asl_definition(table_names, bus_name),
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/{prefix}-workflow",
    )["stateMachineArn"]
    boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
    return Resources(table_names, bus_name, state_machine_arn, tuple(queues))
