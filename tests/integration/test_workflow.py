"""The state machine, executed by moto from the same ASL file CDK deploys, with the notify handler in the loop."""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta

import boto3
import pytest

from functions.domain import approvals, audit, cancellations
from functions.integration import links
from functions.integration.data import candidate_store, interview_store, request_store, slot_store
from functions.core.models import Decision, Initiator
from functions.core.errors import ConflictError, DomainError, LinkExpiredError


def _submit(reason="illness", key=None):
    # A fresh key per test: request ids derive from it, and an execution a previous test left behind in moto's
    # threads must never share an id with this test's request.
    key = key or f"key-{uuid.uuid4()}"
    return cancellations.submit(interview_id="int-1", initiator=Initiator.CANDIDATE, actor="candidate:cand-1",
                                reason_code=reason, reason_text=None, idempotency_key=key, candidate_id="cand-1")


def _approval_token(system, request_id: str, level: int = 0, timeout: float = 40) -> str:
    """The token from the approval e-mail for this request and level, as the approver would click it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        system.drain(rounds=3, quiet_rounds=1)
        for message in reversed(system.sent_mail()):
            found = re.search(r"/approvals/(\S+)", message["text"])
            if found:
                try:
                    link = links.approver_link_of(found.group(1))
                except DomainError:  # another test's mail cannot be read with this test's expectations
                    continue
                if (link.request_id, link.level) == (request_id, level):
                    return found.group(1)
        time.sleep(0.2)
    raise AssertionError("no approval e-mail")


def _actions(request_id: str) -> list[str]:
    return [e.action for e in request_store.audit_trail(request_id)]


def _assert_trail_complete(request_id: str) -> None:
    report = audit.verify(request_id)
    assert report.ok, report.problems


def test_schedule_conflict_with_notice_is_cancelled_automatically(system, scheduled):
    # Given an interview three days ahead
    scheduled()
    # When the candidate cancels for a schedule conflict
    receipt = _submit(reason="schedule_conflict")
    execution = system.execution(receipt.request_id)
    system.drain()
    # Then the workflow cancelled it without an approver, released the slot and told candidate and interviewer
    assert execution["status"] == "SUCCEEDED"
    assert interview_store.get_interview("int-1").status == "CANCELLED"
    assert slot_store.get_slot("slot-int-1").status == "AVAILABLE"
    assert request_store.get_request(receipt.request_id).status == "APPROVED"
    assert _actions(receipt.request_id) == ["received", "routed", "approved"]
    recipients = {m["to"] for m in system.sent_mail() if m["attachments"]}
    assert recipients == {"li.wei@mail.example.com", "jun.park@company.example.com"}
    assert candidate_store.get_candidate("cand-1").cancellations[0].reason_code == "schedule_conflict"
    _assert_trail_complete(receipt.request_id)


def test_an_approver_decision_cancels_the_interview(system, scheduled):
    scheduled()
    receipt = _submit()
    token = _approval_token(system, receipt.request_id)
    # When the recruiter approves from the e-mailed link
    assert approvals.decide(token, Decision.APPROVE, "get well soon").value == "approved"
    execution = system.execution(receipt.request_id)
    # Then the interview is cancelled and the trail shows every step with its actor
    assert execution["status"] == "SUCCEEDED"
    assert interview_store.get_interview("int-1").status == "CANCELLED"
    trail = request_store.audit_trail(receipt.request_id)
    assert [e.action for e in trail] == ["received", "routed", "approval_requested", "decision_approved", "approved"]
    assert trail[-1].actor == "approver:rec-1" and all(e.at for e in trail)
    _assert_trail_complete(receipt.request_id)


def test_a_rejection_keeps_the_interview_and_drafts_a_retention_message(system, scheduled):
    scheduled()
    receipt = _submit()
    token = _approval_token(system, receipt.request_id)
    approvals.decide(token, Decision.REJECT, "we can move it instead")
    system.execution(receipt.request_id)
    system.drain()
    interview = interview_store.get_interview("int-1")
    assert interview.status == "SCHEDULED" and interview.pending_request_id is None
    assert slot_store.get_slot("slot-int-1").status == "BOOKED"
    request = request_store.get_request(receipt.request_id)
    assert request.status == "REJECTED" and request.retention_draft
    _assert_trail_complete(receipt.request_id)
    rejected = [m for m in system.sent_mail() if m["to"] == "li.wei@mail.example.com" and "we can move it" in m["text"]]
    assert len(rejected) == 1 and "chen.jing@company.example.com" in rejected[0]["text"]


def test_a_link_decides_once_and_a_second_decision_is_a_conflict(system, scheduled):
    scheduled()
    receipt = _submit()
    token = _approval_token(system, receipt.request_id)
    approvals.decide(token, Decision.APPROVE, None)
    with pytest.raises(ConflictError):
        approvals.decide(token, Decision.REJECT, None)
    assert system.execution(receipt.request_id)["status"] == "SUCCEEDED"
    assert _actions(receipt.request_id).count("decision_approved") == 1


def test_no_decision_escalates_then_applies_the_default(system, scheduled, monkeypatch):
    # Given an SLA of one second per approver
    from functions.domain import cancellations as module

    short = module.get_settings().model_copy(update={"approval_sla_seconds": 1})
    monkeypatch.setattr(module, "get_settings", lambda: short)
    scheduled()
    receipt = _submit()
    # When nobody decides
    execution = system.execution(receipt.request_id)
    system.drain()
    # Then it went to the recruiter, escalated to the manager, and the default (approve) applied
    assert execution["status"] == "SUCCEEDED"
    trail = request_store.audit_trail(receipt.request_id)
    assert [e.action for e in trail] == ["received", "routed", "approval_requested", "escalated", "approved"]
    assert trail[-1].actor == "policy:default"
    assert interview_store.get_interview("int-1").status == "CANCELLED"
    _assert_trail_complete(receipt.request_id)
    escalation = [m for m in system.sent_mail() if m["to"] == "chen.jing@company.example.com"]
    assert any("sam.smith" not in m["to"] and "Escalated" in m["subject"] for m in escalation)


def test_an_old_approver_link_is_refused_after_escalation(system, scheduled, monkeypatch):
    from functions.domain import cancellations as module

    short = module.get_settings().model_copy(update={"approval_sla_seconds": 2})
    monkeypatch.setattr(module, "get_settings", lambda: short)
    scheduled()
    receipt = _submit()
    first = _approval_token(system, receipt.request_id, level=0)
    # Both levels time out and the default applies: waited for, not timed (a loaded machine takes longer)
    assert system.execution(receipt.request_id, until=("SUCCEEDED",), timeout=60)["status"] == "SUCCEEDED"
    with pytest.raises(LinkExpiredError):
        approvals.decide(first, Decision.REJECT, "too late")
    assert request_store.audit_trail(receipt.request_id)[-1].actor == "policy:default"  # not "too late"'s approver


def test_an_interview_that_started_before_the_decision_needs_attention(system, scheduled):
    # Given a pending request whose interview then starts (we move its start into the past)
    scheduled(starts_in=timedelta(hours=5))
    receipt = _submit()
    token = _approval_token(system, receipt.request_id)
    boto3.client("dynamodb").update_item(
        TableName=system.resources.table_names["TABLE_INTERVIEWS"], Key={"interview_id": {"S": "int-1"}},
        UpdateExpression="SET starts_at = :past", ExpressionAttributeValues={":past": {"S": "2020-01-01T00:00:00Z"}})
    # When the approver approves
    approvals.decide(token, Decision.APPROVE, None)
    execution = system.execution(receipt.request_id)
    system.drain()
    # Then nothing was cancelled, the request needs attention and HR heard about it
    assert execution["status"] == "FAILED"
    assert interview_store.get_interview("int-1").status == "CANCELLATION_PENDING"
    assert request_store.get_request(receipt.request_id).status == "NEEDS_ATTENTION"
    assert slot_store.get_slot("slot-int-1").status == "BOOKED"
    assert any("Needs attention" in m["subject"] for m in system.sent_mail())
