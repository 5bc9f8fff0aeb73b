"""Faults at every step of the lifecycle: DynamoDB, SES, EventBridge and Step Functions throttle or fail, once in a
while (transient) or until they recover (persistent), and every request still ends where it should.

One table, one case per (service, step, transient|persistent). Each case runs a whole lifecycle through the real
handlers, moto's execution of the real state machine and the real queues, with the fault injected at the AWS
boundary (tests/integration/faults.py), and then checks the same invariants:

- the request ends in the expected final state, and the interview and its slot agree with it (a cancelled
  interview's slot is released; a kept or parked interview keeps its slot);
- nobody gets an e-mail twice, and everyone who should hear something did (once);
- the audit trail is complete and ordered (`interviews audit verify`), with at most one decision applied;
- one execution per request; nothing left in a queue; a dead letter only where the case expects one, and
  redriving it (after the fault is gone) completes the work exactly once;
- a client-facing failure answers 503 ("retry with the same Idempotency-Key" / "try again"), changes nothing a
  retry cannot finish, and the retry succeeds exactly once.

Transient means two failures in a row: botocore's standard retry mode (our clients, PynamoDB's) and the state
machine's Retry clauses absorb them. Persistent means failing until healed: a client call answers 503 and the
test heals and retries; a queue message ends in the dead-letter queue and the test heals and redrives; a
workflow step ends in NEEDS_ATTENTION (a failed execution, which alarms: tests/infra checks the alarm).
"""

from __future__ import annotations

import base64
import copy
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Callable

import boto3
import pytest
from botocore.exceptions import ClientError

from cli import dlq
from functions.domain import audit, waitlist
from functions.integration import links
from functions.integration.data import approval_store, interview_store, request_store, slot_store
from functions.notify import events
from functions.integration.events import EventPublishError
from tests.integration import faults as aws_faults
from tests.integration.conftest import interview_event
from tests.integration.test_workflow import _approval_token

LI_WEI = "li.wei@mail.example.com"
RECRUITER = "chen.jing@company.example.com"
INTERVIEWER = "jun.park@company.example.com"
WAITING = "ana.lopez@mail.example.com"  # on the job's waitlist: offered the slot an approval releases
HR = "hr@interviews.example.com"

TRANSIENT, PERSISTENT = 2, None


# ---- what a case says ----------------------------------------------------------------------------------------------

@dataclass
class Case:
    id: str
    service: str
    operation: str
    times: int | None  # TRANSIENT (2) or PERSISTENT (None: until healed)
    when: Callable[[aws_faults.Call], bool] = lambda call: True
    kind: dict = None  # faults.THROTTLED (default) or faults.UNAVAILABLE
    reason: str = "illness"  # "schedule_conflict" is approved automatically
    decision: str = "approve"
    expect: str = "APPROVED"  # the request's final status
    client_503: str | None = None  # "submit", "decide" (answered 503) or "claim" (the domain call raises)
    dead_letters: bool = False  # the persistent fault dead-letters a notification (then healed and redriven)
    claim: bool = False  # the waiting candidate claims the released slot (the claim's announcement is faulted)
    unretried: bool = False  # no SDK retries this fault (a cancelled transaction): even a transient one surfaces

    @property
    def caller_sees_503(self) -> bool:
        return self.client_503 is not None and (self.times is PERSISTENT or self.unretried)


def _table(name: str) -> Callable[[aws_faults.Call], bool]:
    return lambda call: any(t.endswith(f"-{name}") for t in call.tables())


def _carrying(text: str) -> Callable[[aws_faults.Call], bool]:
    return lambda call: text in call.text


def _mail_to(address: str, containing: str | None = None) -> Callable[[aws_faults.Call], bool]:
    def when(call):
        raw = base64.b64decode(call.params.get("RawMessage.Data", "")).decode("utf-8", "replace")
        return call.params.get("Destinations.member.1") == address and (containing is None or containing in raw)
    return when


WORKFLOW_CANCEL = _carrying("cancelled_at")  # CancelInterview's transaction (the state machine's own write)
WORKFLOW_KEEP = _carrying("#rejected#sfn")  # KeepInterview's transaction


def both(case: Case, **changes) -> list[Case]:
    """The transient and the persistent variant of a case."""
    transient = {"client_503": changes.get("client_503"), "dead_letters": False,
                 "expect": "APPROVED" if case.decision == "approve" else "REJECTED"}
    return [Case(**{**case.__dict__, "id": f"{case.id}-transient", "times": TRANSIENT, **transient}),
            Case(**{**case.__dict__, "id": f"{case.id}-persistent", "times": PERSISTENT, **changes})]


def _base(id, service, operation, **kw) -> Case:
    return Case(id=id, service=service, operation=operation, times=None, **kw)


CASES: list[Case] = [
    # submit: the candidate's POST (read interview + profile, write request + interview + audit, start workflow)
    *both(_base("submit/dynamodb-read", "dynamodb", "TransactGetItems"), client_503="submit"),
    *both(_base("submit/dynamodb-write", "dynamodb", "TransactWriteItems", when=_table("requests")),
          client_503="submit"),
    *both(_base("submit/dynamodb-write-500", "dynamodb", "TransactWriteItems", when=_table("requests"),
                kind=aws_faults.UNAVAILABLE), client_503="submit"),
    *both(_base("submit/stepfunctions-start", "stepfunctions", "StartExecution"), client_503="submit"),
    # route and announce: the workflow's PutEvents (received; the approval request carrying the task token)
    # (EventBridge refusing the entry: moto names a refused PutEvents *request* of the optimized integration
    # States.Runtime, which AWS does not, so the workflow's PutEvents are faulted per entry, as EventBridge does)
    *both(_base("announce/events-received", "events", "PutEvents", when=_carrying("CancellationRequested"),
                kind=aws_faults.FAILED_ENTRY), expect="NEEDS_ATTENTION"),
    *both(_base("announce/events-approval-requested", "events", "PutEvents", when=_carrying("ApprovalRequested"),
                kind=aws_faults.FAILED_ENTRY), expect="NEEDS_ATTENTION"),
    # notify: the receipt and the approver's e-mail (SES), opening the approval (DynamoDB)
    *both(_base("notify/ses-approval-mail", "ses", "SendRawEmail", when=_mail_to(RECRUITER)), dead_letters=True),
    *both(_base("notify/dynamodb-open-approval", "dynamodb", "TransactWriteItems", when=_table("approvals")),
          dead_letters=True),
    # approval decide: the approver's POST (record the decision once, hand it to the workflow)
    *both(_base("decide/dynamodb-record", "dynamodb", "TransactWriteItems", when=_table("links")),
          client_503="decide"),
    *both(_base("decide/stepfunctions-send-task-success", "stepfunctions", "SendTaskSuccess"), client_503="decide"),
    # a transaction DynamoDB cancels (a race on an item, a throttle): no SDK retries it
    *both(_base("submit/dynamodb-transaction-conflict", "dynamodb", "TransactWriteItems", when=_table("requests"),
                kind=aws_faults.TRANSACTION_CONFLICT, unretried=True), client_503="submit"),
    *both(_base("decide/dynamodb-transaction-conflict", "dynamodb", "TransactWriteItems", when=_table("links"),
                kind=aws_faults.TRANSACTION_CONFLICT, unretried=True), client_503="decide"),
    *both(_base("notify/dynamodb-open-approval-conflict", "dynamodb", "TransactWriteItems",
                when=_table("approvals"), kind=aws_faults.TRANSACTION_CONFLICT), dead_letters=True),
    *both(_base("workflow/dynamodb-cancel-interview-throttled", "dynamodb", "TransactWriteItems",
                when=WORKFLOW_CANCEL, kind=aws_faults.TRANSACTION_THROTTLED), expect="NEEDS_ATTENTION"),
    # the workflow's own DynamoDB transactions (executed by moto's interpreter)
    *both(_base("workflow/dynamodb-cancel-interview", "dynamodb", "TransactWriteItems", when=WORKFLOW_CANCEL),
          expect="NEEDS_ATTENTION"),
    *both(_base("workflow/dynamodb-keep-interview", "dynamodb", "TransactWriteItems", when=WORKFLOW_KEEP,
                decision="reject"), expect="NEEDS_ATTENTION"),
    *both(_base("workflow/dynamodb-cancel-interview-500", "dynamodb", "TransactWriteItems", when=WORKFLOW_CANCEL,
                kind=aws_faults.UNAVAILABLE), expect="NEEDS_ATTENTION"),
    *both(_base("workflow/events-approved", "events", "PutEvents", when=_carrying("CancellationApproved"),
                kind=aws_faults.FAILED_ENTRY), expect="NEEDS_ATTENTION"),
    # notify on approval: candidate's and interviewer's cancellation e-mails, the profile, the slot offers
    *both(_base("approved/ses-candidate-mail", "ses", "SendRawEmail", when=_mail_to(LI_WEI, "text/calendar")),
          dead_letters=True),
    *both(_base("approved/dynamodb-profile", "dynamodb", "UpdateItem", when=_table("candidates")),
          dead_letters=True),
    *both(_base("release/dynamodb-offer", "dynamodb", "PutItem", when=_table("offers")), dead_letters=True),
    *both(_base("release/ses-offer-mail", "ses", "SendRawEmail", when=_mail_to(WAITING)), dead_letters=True),
    # calendar/waitlist release: the waiting candidate claims the slot; the claim's announcement is faulted
    *both(_base("release/events-slot-claimed", "events", "PutEvents", when=_carrying("SlotClaimed"), claim=True),
          client_503="claim"),
    *both(_base("release/events-slot-claimed-entry", "events", "PutEvents", when=_carrying("SlotClaimed"),
                claim=True, kind=aws_faults.FAILED_ENTRY), client_503="claim"),
]


# ---- the system around a case --------------------------------------------------------------------------------------

@pytest.fixture
def faults(system, monkeypatch):
    # A failed message is redelivered a second later (local_runtime/delivery.py), at most maxReceiveCount times.
    return aws_faults.install(monkeypatch)


def _depth(url: str) -> int:
    return dlq.dlq_depth(boto3.client("sqs"), url)


def settle(system, timeout: float = 60) -> None:
    """Deliver and redeliver until every queue is empty, in flight or not (the workflow may still emit)."""
    from local_runtime.delivery import deliver_once

    deadline, quiet = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and quiet < 3:
        delivered = sum(deliver_once(q, system.invoke) for q in system.resources.queues)
        busy = delivered or any(_depth(q.url) for q in system.resources.queues)
        quiet = 0 if busy else quiet + 1
        time.sleep(0.2)
    assert not any(_depth(q.url) for q in system.resources.queues), "a queue did not settle"


def redrive_all(system) -> int:
    sqs = boto3.client("sqs")
    return sum(dlq.redrive(sqs, q.dlq_url, q.url, wait_seconds=0)[0] for q in system.resources.queues)


def register(system) -> None:
    events.handle("InterviewScheduled", copy.deepcopy(interview_event()))
    waitlist.join(waitlist.CandidateWaitlisted.model_validate({"job_id": "job-1", "candidate": {
        "candidate_id": "cand-9", "name": "Ana Lopez", "email": WAITING}}))
    settle(system)


def submit(system, key: str, reason: str) -> dict:
    return system.http("POST", "/api/candidate/interviews/int-1/cancellations",
                       body={"reason_code": reason},
                       headers={"Authorization": f"Bearer {links.candidate_token('cand-1')}", "Idempotency-Key": key})


def decide(system, token: str, decision: str) -> dict:
    return system.http("POST", f"/approvals/{token}", function="approve", body=f"decision={decision}",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})


def state(system) -> dict:
    """Everything a refused call must leave as it was."""
    interview, slot = interview_store.get_interview("int-1"), slot_store.get_slot("slot-int-1")
    approval = approval_store.get_approval(interview.pending_request_id) if interview.pending_request_id else None
    executions = boto3.client("stepfunctions").list_executions(
        stateMachineArn=system.resources.state_machine_arn)["executions"]
    return {"interview": (interview.status, interview.pending_request_id), "slot": (slot.status, slot.interview_id),
            "approval": approval and (approval.level, approval.decision, approval.decided_by),
            "executions": sorted((e["name"], e["status"]) for e in executions), "mail": len(system.sent_mail())}


# ---- the invariants -------------------------------------------------------------------------------------------------

def assert_invariants(system, request_id: str, case: Case) -> None:
    request = request_store.get_request(request_id)
    interview, slot = interview_store.get_interview("int-1"), slot_store.get_slot("slot-int-1")
    # The request ended where it should, and the interview and its slot agree with it
    assert request.status == case.expect
    if case.expect == "APPROVED":
        assert interview.status == "CANCELLED" and interview.pending_request_id is None
        assert slot.interview_id is None and (slot.status == "AVAILABLE" or slot.claimed_by == "cand-9")
    elif case.expect == "REJECTED":
        assert (interview.status, slot.status, slot.interview_id) == ("SCHEDULED", "BOOKED", "int-1")
    else:  # parked for a person: a cancelled interview has released its slot, a pending one still holds it
        if interview.status == "CANCELLED":
            assert slot.interview_id is None and slot.status == "AVAILABLE"
        else:
            assert (interview.status, interview.pending_request_id) == ("CANCELLATION_PENDING", request_id)
            assert (slot.status, slot.interview_id) == ("BOOKED", "int-1")
    # One execution, ended as the request did (a parked request fails its execution on purpose: it alarms)
    executions = boto3.client("stepfunctions").list_executions(
        stateMachineArn=system.resources.state_machine_arn)["executions"]
    assert [(e["name"], e["status"]) for e in executions] == [
        (request_id, "FAILED" if case.expect == "NEEDS_ATTENTION" else "SUCCEEDED")]
    # The trail is complete and ordered, with one decision applied
    report = audit.verify(request_id)
    assert report.ok, report.problems
    actions = Counter(e.action for e in request_store.audit_trail(request_id))
    assert actions["received"] == actions["routed"] == 1
    assert actions["approved"] + actions["rejected"] <= 1
    decided = actions["decision_approved"] + actions["decision_rejected"] - actions["decision_withdrawn"]
    assert decided == (0 if case.reason == "schedule_conflict" else 1) or case.expect == "NEEDS_ATTENTION"
    # Nobody got an e-mail twice; everyone who should hear something heard it once
    mail = Counter((m["to"], m["subject"]) for m in system.sent_mail())
    assert [k for k, n in mail.items() if n > 1] == []
    got = Counter(m["to"] for m in system.sent_mail())
    if case.expect == "APPROVED":
        # the candidate and the interviewer each got the calendar's cancellation once (their invitations came before)
        cancellations = [m for m in system.sent_mail() if m["to"] in (LI_WEI, INTERVIEWER)
                         and any((a["method"] or "").upper() == "CANCEL" for a in m["attachments"])]
        assert sorted(m["to"] for m in cancellations) == sorted([LI_WEI, INTERVIEWER])
        assert got[WAITING] == (2 if case.claim else 1)  # the offer (and the claim's confirmation)
    elif case.expect == "REJECTED":
        assert any(m["to"] == LI_WEI and "chen.jing@company.example.com" in m["text"] for m in system.sent_mail())
    else:
        assert got[HR] == 1  # HR heard about the parked request, once
    # Nothing waits in a queue or a dead-letter queue
    assert system.dlq_depth() == 0
    assert not any(_depth(q.url) for q in system.resources.queues)


# ---- the lifecycle ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_fault_at_one_step_still_ends_in_a_correct_final_state(system, faults, case):
    # Given a registered interview, a candidate waiting for the job's slots, and the fault armed
    register(system)
    fault = faults.fail(case.service, case.operation, times=case.times, when=case.when,
                        kind=case.kind or aws_faults.THROTTLED)
    key = f"key-{uuid.uuid4()}"

    # When the candidate submits (and, after a 503, retries with the same key: at once for a transient fault,
    # once the service is back for a persistent one)
    before = state(system)
    response = submit(system, key, case.reason)
    if case.client_503 == "submit" and case.caller_sees_503:
        while response["statusCode"] == 503:
            problem = json.loads(response["body"])  # detail in the candidate's language; code for programs
            assert problem["code"] in {"request_saved_retry", "busy_retry"} and "Idempotency-Key" in problem["detail"]
            after = state(system)
            if case.operation == "StartExecution":  # saved, not started: the retry starts it
                assert after["executions"] == [] and after["mail"] == before["mail"]
            else:
                assert after == before
            if case.times is PERSISTENT:
                fault.heal()
            response = submit(system, key, case.reason)
    assert response["statusCode"] == 202, response
    request_id = json.loads(response["body"])["request_id"]
    assert submit(system, key, case.reason)["statusCode"] == 202  # a further retry is harmless

    # and the approver decides from the e-mailed link (after a 503, again once the service is back)
    parked_before_waiting = case.id.startswith("announce/") and case.times is PERSISTENT
    if case.reason != "schedule_conflict" and not parked_before_waiting:
        if case.dead_letters and case.times is PERSISTENT and case.id.startswith("notify/"):
            settle(system)
            assert system.dlq_depth() >= 1  # the approver's e-mail could not be sent: kept, not lost
            fault.heal()
            assert redrive_all(system) >= 1
        token = _approval_token(system, request_id)
        before = state(system)
        answer = decide(system, token, case.decision)
        if case.client_503 == "decide" and case.caller_sees_503:
            while answer["statusCode"] == 503:
                assert state(system) == before
                if case.times is PERSISTENT:
                    fault.heal()
                answer = decide(system, token, case.decision)
        assert answer["statusCode"] == 200, answer
        assert decide(system, token, case.decision)["statusCode"] in (409, 410)  # a second POST decides nothing

    # Then the workflow ends, the notifications settle (a dead letter is redriven once the fault is gone)
    system.execution(request_id, timeout=60)
    settle(system)
    if case.dead_letters and case.times is PERSISTENT and not case.id.startswith("notify/"):
        assert system.dlq_depth() >= 1
        fault.heal()
        assert redrive_all(system) >= 1
        settle(system)
    if case.claim:  # the waiting candidate takes the released slot (its HTTP route is a later issue)
        if case.times is PERSISTENT:
            with pytest.raises((EventPublishError, ClientError)):
                waitlist.claim("slot-int-1", "cand-9")
            assert slot_store.get_slot("slot-int-1").claimed_by == "cand-9"  # booked; only the announcement failed
            fault.heal()
        waitlist.claim("slot-int-1", "cand-9")  # after a failure, the retry announces it
        settle(system)
    assert fault.injected >= (1 if case.times is PERSISTENT else TRANSIENT), "the fault never fired"
    assert_invariants(system, request_id, case)
