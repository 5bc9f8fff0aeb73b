"""The audit trail is append-only: no code path updates or deletes an audit entry.

Three views of the same promise:
- the code: only the data access (functions/integration/data/) touches AuditItem, and only to build one, save it with attribute_not_exists(seq) or
  query; the state machine only Puts audit items, with the same condition;
- the running system: every DynamoDB call of every lifecycle path (auto-approval, approval, rejection,
  escalation to the default, a decision withdrawn after Step Functions refused it, a request parked in
  NEEDS_ATTENTION), from our functions and from the state machine, is recorded at the AWS boundary; none
  writes to the audit table except by a conditional put, and every entry ever written is still there, unchanged;
- IAM (tests/infra/test_infra_security.py): no identity may update or delete audit items.
"""

from __future__ import annotations

import ast
import copy
import json
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import boto3

from functions.domain import approvals, cancellations
from functions.integration.data import request_store
from functions.notify import events
from functions.core.models import Decision, Initiator
from functions.core.errors import ServiceUnavailableError
from tests.integration import faults as aws_faults
from tests.integration.conftest import interview_event
from tests.integration.test_workflow import _approval_token

ROOT = Path(__file__).resolve().parents[2]
ASL = ROOT / "infra" / "constructs" / "cancellation_workflow.asl.json"
# What may be done with the AuditItem model: build one (a call), name its key in a condition, query it.
ALLOWED_USES = {"seq", "query"}
# DynamoDB operations that may reach the audit table, and in a transaction only as a conditional Put.
READS = {"Query", "GetItem", "BatchGetItem", "TransactGetItems", "DescribeTable", "Scan"}  # Scan: this test's


def _audit_uses(tree: ast.AST) -> list[tuple[int, str]]:
    """Each use of AuditItem that is neither a construction, an import nor an allowed attribute."""
    def names_audit(node: ast.AST) -> bool:  # AuditItem, AuditItem(...) or audit_item(...)
        if isinstance(node, ast.Call):
            node = node.func
        return isinstance(node, ast.Name) and node.id in ("AuditItem", "audit_item")

    return [(node.lineno, node.attr) for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and names_audit(node.value) and node.attr not in ALLOWED_USES]


def test_only_the_data_access_module_touches_audit_items_and_only_to_add_or_read_them():
    # Given every module of the product (functions/, local runtime, CLI)
    users, misuse = [], []
    for path in sorted([*ROOT.glob("functions/**/*.py"), *ROOT.glob("local_runtime/**/*.py"),
                        *ROOT.glob("cli/**/*.py")]):
        source = path.read_text()
        if "AuditItem" not in source:
            continue
        users.append(path.relative_to(ROOT).as_posix())
        misuse += [(path.name, line, attr) for line, attr in _audit_uses(ast.parse(source))]
    # Then only the model's module, the transaction helper (which adds) and the request store (which reads) name
    # it, and nothing calls update/delete/batch on it
    assert users == ["functions/integration/data/request_store.py", "functions/integration/data/transactions.py",
                     "functions/integration/tables.py"]
    assert misuse == []
    # and every audit entry is written by a transaction's save with attribute_not_exists(seq)
    source = (ROOT / "functions/integration/data/transactions.py").read_text()
    saves = [line for line in source.splitlines() if "audit_item(" in line and "def " not in line]
    assert saves and all('self.save("audit"' in s and "AuditItem.seq.does_not_exist()" in s for s in saves)
    request_store = (ROOT / "functions/integration/data/request_store.py").read_text()
    assert "AuditItem(" not in request_store and ".save(" not in request_store.split("def audit_trail")[1]


def test_the_state_machine_only_puts_audit_items_and_never_over_an_existing_one():
    definition = json.loads(ASL.read_text())
    audit_writes = [
        (name, kind, body)
        for name, state in definition["States"].items()
        for item in state.get("Parameters", {}).get("TransactItems", [])
        for kind, body in item.items()
        if body.get("TableName") == "${AuditTable}"
    ]
    assert audit_writes, "the workflow writes no audit entry: this test no longer checks anything"
    assert {kind for _, kind, _ in audit_writes} == {"Put"}
    assert all(body["ConditionExpression"] == "attribute_not_exists(seq)" for _, _, body in audit_writes)


def _audit_table_calls(recorded: list[aws_faults.Call], table: str) -> list[aws_faults.Call]:
    return [c for c in recorded if c.service == "dynamodb" and table in c.tables()]


def _writes_to_audit(call: aws_faults.Call, table: str) -> list[str]:
    """How a call writes to the audit table: 'Put' (conditional) is the only acceptable answer."""
    if call.operation in READS:
        return []
    if call.operation == "TransactWriteItems":
        kinds = []
        for item in call.params["TransactItems"]:
            for kind, body in item.items():
                if body.get("TableName") == table:
                    conditional = body.get("ConditionExpression", "").startswith("attribute_not_exists")
                    kinds.append(kind if conditional else f"{kind} (unconditional)")
        return kinds
    return [call.operation]  # PutItem, UpdateItem, DeleteItem, BatchWriteItem, PartiQL...: none is expected


def _all_audit_items(table: str) -> dict[tuple[str, str], dict]:
    items = boto3.client("dynamodb").scan(TableName=table, ConsistentRead=True)["Items"]
    return {(i["request_id"]["S"], i["seq"]["S"]): i for i in items}


def _register(n: int, starts_in=timedelta(days=3)) -> str:
    event = interview_event(f"int-{n}", f"cand-{n}", starts_in=starts_in)
    events.handle("InterviewScheduled", copy.deepcopy(event))
    return f"int-{n}"


def _submit(interview_id: str, candidate_id: str, reason: str = "illness") -> str:
    return cancellations.submit(interview_id=interview_id, initiator=Initiator.CANDIDATE,
                                actor=f"candidate:{candidate_id}", reason_code=reason, reason_text=None,
                                idempotency_key=f"key-{uuid.uuid4()}", candidate_id=candidate_id).request_id


def test_no_lifecycle_path_updates_or_deletes_an_audit_entry(system, monkeypatch):
    # Given every AWS call recorded at the boundary (ours and the state machine's)
    recorded = aws_faults.install(monkeypatch)
    table = system.resources.table_names["TABLE_AUDIT"]
    from functions.domain import cancellations as module

    requests = []
    # When requests take every path: auto-approved, approved, rejected, a decision withdrawn (Step Functions
    # refused it) then made again, and one parked in NEEDS_ATTENTION (its interview started meanwhile)
    _register(1)
    requests.append(_submit("int-1", "cand-1", "schedule_conflict"))
    for n, decision in ((2, Decision.APPROVE), (3, Decision.REJECT)):
        _register(n)
        requests.append(_submit(f"int-{n}", f"cand-{n}"))
        approvals.decide(_approval_token(system, requests[-1]), decision, "ok")
    _register(4)
    requests.append(_submit("int-4", "cand-4"))
    token = _approval_token(system, requests[-1])
    refusal = recorded.fail("stepfunctions", "SendTaskSuccess", times=None)
    try:
        approvals.decide(token, Decision.APPROVE, None)
        raise AssertionError("the decision should have been refused")
    except ServiceUnavailableError:
        refusal.heal()
    approvals.decide(token, Decision.APPROVE, None)
    _register(5, starts_in=timedelta(hours=5))
    requests.append(_submit("int-5", "cand-5"))
    token = _approval_token(system, requests[-1])
    boto3.client("dynamodb").update_item(
        TableName=system.resources.table_names["TABLE_INTERVIEWS"], Key={"interview_id": {"S": "int-5"}},
        UpdateExpression="SET starts_at = :past", ExpressionAttributeValues={":past": {"S": "2020-01-01T00:00:00Z"}})
    approvals.decide(token, Decision.APPROVE, None)
    # and one escalates to the default when nobody decides (an SLA of three seconds). Followed at once: the
    # escalation is audited only if notify opens level 1 before its own SLA passes, so its events are delivered
    # while it runs, not after the other executions.
    short = module.get_settings().model_copy(update={"approval_sla_seconds": 3})
    monkeypatch.setattr(module, "get_settings", lambda: short)
    _register(6)
    requests.append(_submit("int-6", "cand-6"))
    system.execution(requests[-1], timeout=60)
    for request_id in requests:
        system.execution(request_id, timeout=60)
    system.drain()
    written = _all_audit_items(table)

    # Then every path ended, and wrote its trail
    assert [request_store.get_request(r).status for r in requests] == [
        "APPROVED", "APPROVED", "REJECTED", "APPROVED", "NEEDS_ATTENTION", "APPROVED"]
    actions = {a for r in requests for a in (e.action for e in request_store.audit_trail(r))}
    assert {"approved", "rejected", "decision_withdrawn", "escalated", "needs_attention"} <= actions
    # and nothing ever wrote to the audit table except by a conditional put, from any caller
    calls = _audit_table_calls(recorded.calls, table)
    writes = [kind for call in calls for kind in _writes_to_audit(call, table)]
    assert writes and set(writes) == {"Put"}, Counter(writes)
    # and every stored entry is exactly what one of those puts sent (none was changed afterwards)
    sent = {json.dumps(body["Item"], sort_keys=True) for call in calls if call.operation == "TransactWriteItems"
            for item in call.params["TransactItems"] for kind, body in item.items()
            if kind == "Put" and body.get("TableName") == table}
    assert written and all(json.dumps(item, sort_keys=True) in sent for item in written.values())
    assert {r for r, _ in written} == set(requests)

