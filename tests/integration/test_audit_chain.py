"""The audit trail is hash-chained across both of its writers (our functions and the state machine), and
`interviews audit verify` names an entry overwritten, deleted or moved directly in the table."""

from __future__ import annotations

from datetime import timedelta

import boto3
import pytest

from cli.main import main
from functions.core.audit_chain import GENESIS
from functions.core.models import Decision
from functions.domain import approvals, audit
from functions.integration.data import request_store
from tests.integration.test_workflow import _approval_token, _submit


def _approved_request(system, scheduled) -> str:
    """A request approved by its approver: received, routed, approval_requested, decision_approved (written by
    our functions) and approved (written by the state machine)."""
    scheduled()
    request_id = _submit().request_id
    approvals.decide(_approval_token(system, request_id), Decision.APPROVE, "get well soon")
    assert system.execution(request_id)["status"] == "SUCCEEDED"
    system.drain()
    return request_id


def _table(system) -> str:
    return system.resources.table_names["TABLE_AUDIT"]


def _stored(system, request_id: str) -> list[dict]:
    return boto3.client("dynamodb").query(
        TableName=_table(system), KeyConditionExpression="request_id = :r",
        ExpressionAttributeValues={":r": {"S": request_id}}, ConsistentRead=True)["Items"]


def test_every_entry_follows_the_one_before_including_the_state_machines(system, scheduled):
    # GIVEN a request approved by its approver
    request_id = _approved_request(system, scheduled)
    # WHEN its trail is read as stored
    records = request_store.audit_records(request_id)
    # THEN each entry carries a hash and follows the entry before it, the first one the genesis
    assert [r.entry.action for r in records] == [
        "received", "routed", "approval_requested", "decision_approved", "approved"]
    assert [r.prev_hash for r in records] == [GENESIS] + [r.hash for r in records[:-1]]
    # and each hash is what our code computes, the state machine's (States.Hash) too
    assert all(r.hash and r.recomputed() == r.hash for r in records)
    assert records[-1].seq.endswith("#approved#sfn")
    # and the whole trail verifies
    report = audit.verify(request_id)
    assert report.ok and report.notes == [], (report.problems, report.notes)


def test_the_needs_attention_entry_the_state_machine_writes_after_a_failure_is_chained_too(system, scheduled):
    # GIVEN a pending request whose interview then starts, so that the workflow's cancellation fails
    scheduled(starts_in=timedelta(hours=5))
    request_id = _submit().request_id
    token = _approval_token(system, request_id)
    boto3.client("dynamodb").update_item(
        TableName=system.resources.table_names["TABLE_INTERVIEWS"], Key={"interview_id": {"S": "int-1"}},
        UpdateExpression="SET starts_at = :past", ExpressionAttributeValues={":past": {"S": "2020-01-01T00:00:00Z"}})
    # WHEN the approver approves and the workflow parks the request
    approvals.decide(token, Decision.APPROVE, None)
    assert system.execution(request_id)["status"] == "FAILED"
    # THEN its needs_attention entry (the error as JSON, hashed by States.Hash) follows the decision, unbroken
    records = request_store.audit_records(request_id)
    assert [r.entry.action for r in records][-2:] == ["decision_approved", "needs_attention"]
    assert records[-1].prev_hash == records[-2].hash and records[-1].recomputed() == records[-1].hash
    assert records[-1].entry.why and records[-1].entry.why.startswith("{")
    assert audit.check_chain(records) == ([], [])


def test_an_entry_overwritten_in_the_table_is_reported(system, scheduled, capsys):
    # GIVEN an approved request's verified trail
    request_id = _approved_request(system, scheduled)
    assert main(["audit", "verify", request_id]) == 0
    # WHEN someone with table access overwrites the approver's decision with another actor (a plain PutItem)
    decision = next(i for i in _stored(system, request_id) if i["action"]["S"] == "decision_approved")
    boto3.client("dynamodb").put_item(TableName=_table(system),
                                      Item={**decision, "actor": {"S": "approver:someone-else"}})
    capsys.readouterr()
    # THEN `interviews audit verify` fails and names the changed entry
    assert main(["audit", "verify", request_id]) == 1
    out = capsys.readouterr().out
    assert f"{request_id}: INCOMPLETE" in out
    assert "'decision_approved' at" in out and "was changed after it was written" in out


def test_an_entry_the_state_machine_wrote_and_someone_overwrote_is_reported(system, scheduled):
    # GIVEN an approved request; WHEN the state machine's 'approved' entry gets another reason
    request_id = _approved_request(system, scheduled)
    approved = next(i for i in _stored(system, request_id) if i["action"]["S"] == "approved")
    boto3.client("dynamodb").put_item(TableName=_table(system), Item={**approved, "why": {"S": "policy"}})
    # THEN verify reports that entry as changed, and only that one
    problems = audit.verify(request_id).problems
    assert len(problems) == 1 and problems[0].startswith("'approved' at") and "was changed" in problems[0]


def test_an_entry_deleted_from_the_table_is_reported(system, scheduled, capsys):
    # GIVEN an approved request
    request_id = _approved_request(system, scheduled)
    # WHEN someone deletes the approval request from its trail
    requested = next(i for i in _stored(system, request_id) if i["action"]["S"] == "approval_requested")
    boto3.client("dynamodb").delete_item(TableName=_table(system),
                                         Key={"request_id": requested["request_id"], "seq": requested["seq"]})
    # THEN verify reports an entry missing before the decision, and the table holds one entry fewer
    assert main(["audit", "verify", request_id]) == 1
    out = capsys.readouterr().out
    assert "an entry is missing before 'decision_approved'" in out
    assert len(_stored(system, request_id)) == 4


def test_an_entry_moved_to_another_place_in_the_trail_is_reported(system, scheduled):
    # GIVEN an approved request
    request_id = _approved_request(system, scheduled)
    # WHEN someone moves the approval request to the end (deleted, then put again under a later key, unchanged)
    client = boto3.client("dynamodb")
    requested = next(i for i in _stored(system, request_id) if i["action"]["S"] == "approval_requested")
    client.delete_item(TableName=_table(system), Key={"request_id": requested["request_id"], "seq": requested["seq"]})
    client.put_item(TableName=_table(system), Item={**requested, "seq": {"S": "9999-12-31T00:00:00.000Z#moved"}})
    # THEN verify reports the moved entry as changed and the trail as reordered
    problems = audit.verify(request_id).problems
    assert any(p.startswith("'approval_requested'") and "was changed" in p for p in problems), problems
    assert any("'decision_approved'" in p and "reordered" in p for p in problems), problems


@pytest.mark.parametrize("field", ["hash", "prev_hash"])
def test_an_entry_whose_chain_fields_were_removed_is_reported(system, scheduled, field):
    # GIVEN an approved request; WHEN an entry in the middle loses its hash or its link
    request_id = _approved_request(system, scheduled)
    routed = next(i for i in _stored(system, request_id) if i["action"]["S"] == "routed")
    boto3.client("dynamodb").put_item(TableName=_table(system), Item={k: v for k, v in routed.items() if k != field})
    # THEN verify reports it: nothing can be taken out of the chain quietly
    problems = audit.verify(request_id).problems
    assert any("'routed'" in p for p in problems), problems
