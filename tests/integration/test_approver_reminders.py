"""Approvers are reminded before their SLA ends, once, and only while the request still waits for them."""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta

from functions.domain import approvals, cancellations
from functions.integration.data import approval_store
from functions.notify import reminders
from functions.core.clock import utc_now
from functions.core.models import Decision, Initiator

SIX_HOURS = 6 * 3600


def _pending_request(system, scheduled, monkeypatch) -> str:
    """A request waiting for the recruiter, whose SLA (6 h) is longer than the policy's 4 h reminder."""
    long_sla = cancellations.get_settings().model_copy(update={"approval_sla_seconds": SIX_HOURS})
    monkeypatch.setattr(cancellations, "get_settings", lambda: long_sla)
    scheduled()
    receipt = cancellations.submit(interview_id="int-1", initiator=Initiator.CANDIDATE, actor="candidate:cand-1",
                                   reason_code="illness", reason_text=None, idempotency_key=str(uuid.uuid4()),
                                   candidate_id="cand-1")
    deadline = time.monotonic() + 30
    while approval_store.get_approval(receipt.request_id) is None and time.monotonic() < deadline:
        system.drain(rounds=2, quiet_rounds=1)
    return receipt.request_id


def _reminders(system) -> list[dict]:
    return [m for m in system.sent_mail() if m["subject"].startswith("Reminder")]


def test_the_approver_is_reminded_once_in_the_hour_before_the_reminder_time(system, scheduled, monkeypatch):
    # Given a request whose approver has 6 h and is to be reminded 4 h before the end
    request_id = _pending_request(system, scheduled, monkeypatch)
    approval = approval_store.get_approval(request_id)
    reminder_hour = utc_now() + timedelta(hours=2)
    assert approval.remind_hour == reminder_hour.strftime("%Y-%m-%dT%H")
    # When the hourly job runs an hour early, then on time, then again (a retried run)
    early = reminders.remind_approvers(reminder_hour - timedelta(hours=1))
    on_time = reminders.remind_approvers(reminder_hour)
    again = reminders.remind_approvers(reminder_hour)
    # Then exactly one reminder went to the recruiter (the retried run counts it, but sends nothing), with a
    # working approval link
    assert (early["approvers_reminded"], on_time["approvers_reminded"], again["approvers_reminded"]) == (0, 1, 1)
    (reminder,) = _reminders(system)
    assert reminder["to"] == "chen.jing@company.example.com" and request_id in reminder["text"]
    token = re.search(r"/approvals/(\S+)", reminder["text"]).group(1)
    assert approvals.decide(token, Decision.APPROVE, None).value == "approved"


def test_no_reminder_once_the_approver_has_decided(system, scheduled, monkeypatch):
    request_id = _pending_request(system, scheduled, monkeypatch)
    approval = approval_store.get_approval(request_id)
    token = approvals.links.approver_token(request_id, 0, approval.approver_id, 3600)
    approvals.decide(token, Decision.REJECT, "keep it")
    assert reminders.remind_approvers(utc_now() + timedelta(hours=2))["approvers_reminded"] == 0
    assert _reminders(system) == []
