"""The cost benchmark's counting (benchmarks/cost.py) on one lifecycle of each kind: the counts docs/deploy.md's cost
table is priced from must describe what happened in each lifecycle, or the table is fiction with decimals."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import cost  # noqa: E402

RECRUITER, MANAGER = "chen.jing@company.example.com", "sam.smith@company.example.com"
CANDIDATE_PREFIX = "li.wei"


@pytest.fixture(scope="module")
def measured():
    usage, facts = cost.measure(lifecycles=1)
    return usage, facts


def test_every_kind_ends_its_execution_and_is_billed_for_transitions_events_queues_and_functions(measured):
    usage, facts = measured
    for kind in cost.KINDS:
        counts = usage[kind].counts
        assert facts[kind][0]["status"] == "SUCCEEDED", kind
        assert counts["state_transitions"] >= 1, kind
        assert counts["events_put"] >= 1, kind
        assert counts["lambda_requests"] > counts["api_requests"], kind  # the queue-driven functions ran too
        assert counts["sqs_requests"] >= 3, kind
        assert counts["dynamodb_wru"] >= 2 * usage[kind].calls["dynamodb.TransactWriteItems"], kind


def test_an_approver_is_mailed_only_when_a_person_decides_or_is_escalated_to(measured):
    _, facts = measured
    mailed = {kind: facts[kind][0]["mail_to"] for kind in cost.KINDS}
    assert RECRUITER not in mailed["auto"] and MANAGER not in mailed["auto"]
    assert mailed["approved"].count(RECRUITER) == 1 and mailed["rejected"].count(RECRUITER) == 1
    assert RECRUITER in mailed["escalated"] and MANAGER in mailed["escalated"]


def test_people_s_requests_are_counted_as_api_requests_and_escalation_as_more_transitions(measured):
    usage, _ = measured
    api = {kind: usage[kind].counts["api_requests"] for kind in cost.KINDS}
    # portal, list, submit, status; plus the approver's page and decision when a person decides
    assert api == {"approved": 6, "rejected": 6, "auto": 4, "escalated": 4}
    transitions = {kind: usage[kind].counts["state_transitions"] for kind in cost.KINDS}
    # (the auto-approval's Pass state and a person's decision task each add one state to the common path)
    assert transitions["auto"] == transitions["approved"] < transitions["escalated"]
    assert usage["auto"].calls.get("stepfunctions.SendTaskSuccess", 0) == 0
    assert usage["approved"].calls["stepfunctions.SendTaskSuccess"] == 1


def test_the_table_prices_counts_at_list_prices_per_thousand_and_blends_by_the_weights():
    usage = {kind: cost.Usage() for kind in cost.KINDS}
    for kind in cost.KINDS:
        usage[kind].counts["state_transitions"] = 20  # two lifecycles of 10 transitions
    usage["escalated"].counts["emails"] = 2 * 6
    rendered = cost.table(usage, lifecycles=2)
    transitions_row = next(line for line in rendered.splitlines() if line.startswith("| Step Functions")
                           and "$" in line)
    assert transitions_row.count("$0.2500") == 5  # 10 x $0.025 per 1,000 transitions, per kind and blended
    mail_row = next(line for line in rendered.splitlines() if line.startswith("| SES") and "$" in line)
    assert mail_row.endswith(f"${0.6 * cost.BLEND['escalated']:.4f} |")
    assert "**total without e-mail** | **$0.250** | **$0.250** | **$0.250** | **$0.250** | **$0.250**" in rendered


def test_dynamodb_units_follow_item_size_index_membership_and_transactions():
    import boto3
    from moto import mock_aws

    meter = cost.AwsMeter()
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="sized", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "status", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{"IndexName": "by-status", "Projection": {"ProjectionType": "ALL"},
                                     "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}]}])
        meter.install()
        try:
            # a 3 KB item outside the index: 3 WRU
            dynamodb.put_item(TableName="sized", Item={"pk": {"S": "a"}, "blob": {"S": "x" * 3000}})
            assert meter.take().counts["dynamodb_wru"] == 3
            # a small item that enters the index: 1 + 1
            dynamodb.put_item(TableName="sized", Item={"pk": {"S": "b"}, "status": {"S": "OPEN"}})
            assert meter.take().counts["dynamodb_wru"] == 2
            # in a transaction its index key changes (2 for the index: out of one key, into another) and the write
            # itself doubles; a condition check on the 3 KB item costs as a transactional write of it
            dynamodb.transact_write_items(TransactItems=[
                {"Update": {"TableName": "sized", "Key": {"pk": {"S": "b"}}, "UpdateExpression": "SET #s = :c",
                            "ExpressionAttributeNames": {"#s": "status"},
                            "ExpressionAttributeValues": {":c": {"S": "CLOSED"}}}},
                {"ConditionCheck": {"TableName": "sized", "Key": {"pk": {"S": "a"}},
                                    "ConditionExpression": "attribute_exists(pk)"}}])
            assert meter.take().counts["dynamodb_wru"] == (2 + 2) + 2 * 3
            # reads: an eventually consistent get of 3 KB is half a unit, a consistent one a whole
            dynamodb.get_item(TableName="sized", Key={"pk": {"S": "a"}})
            dynamodb.get_item(TableName="sized", Key={"pk": {"S": "a"}}, ConsistentRead=True)
            used = meter.take()
            assert used.counts["dynamodb_rru"] == 1.5
            assert used.calls["dynamodb.GetItem"] == 2
            # and the benchmark's own calls are not the system's
            with meter.harness():
                dynamodb.get_item(TableName="sized", Key={"pk": {"S": "a"}})
            assert meter.take().calls == {}
        finally:
            meter.uninstall()
