"""Forged events: the bus's rules take each detail-type only from the source allowed to send it, and the notify
function acts on this service's own events only when they agree with the stored state.

Each test puts forged events on the in-process bus (the rules are topology's, built on moto), delivers the queues
to the real handlers, and compares everything observable before and after: every table's items, the mail SES
accepted, the texts SNS sent, and the dead-letter queues (a forgery is consumed, not retried forever).
"""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from functions.core.models import Initiator
from functions.domain import cancellations
from functions.integration.data import approval_store, request_store
from functions.integration import event_trust as trust
from functions.notify import events
from tests.integration.conftest import interview_event
from tests.integration.test_workflow import _approval_token

OWN = "interviews.cancellations"


def put(system, source: str, detail_type: str, detail: dict) -> None:
    response = boto3.client("events").put_events(Entries=[{
        "Source": source, "DetailType": detail_type, "Detail": json.dumps({"version": "1", **detail}),
        "EventBusName": system.resources.bus_name}])
    assert response["FailedEntryCount"] == 0


def observable(system) -> dict:
    """Everything a forged event could change or send."""
    dynamodb = boto3.client("dynamodb")
    tables = {name: sorted(json.dumps(item, sort_keys=True) for item in dynamodb.scan(TableName=table)["Items"])
              for name, table in system.resources.table_names.items()}
    texts = list(sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages.values())
    return {"tables": tables, "mail": [(m["to"], m["subject"]) for m in system.sent_mail()], "texts": texts,
            "dead_letters": system.dlq_depth()}


def changes(before: dict, after: dict) -> dict:
    """What differs between two observations: per table the items gone and new; the other entries whole."""
    found = {}
    for name in before["tables"]:
        gone = set(before["tables"][name]) - set(after["tables"][name])
        new = set(after["tables"][name]) - set(before["tables"][name])
        if gone or new:
            found[name] = {"gone": sorted(gone), "new": sorted(new)}
    found.update({key: (before[key], after[key]) for key in ("mail", "texts", "dead_letters")
                  if before[key] != after[key]})
    return found


@pytest.fixture
def pending(system, scheduled):
    """Li Wei's interview with her cancellation waiting for the recruiter (level 0), its approval mail sent."""
    scheduled()
    receipt = cancellations.submit(interview_id="int-1", initiator=Initiator.CANDIDATE, actor="candidate:cand-1",
                                   reason_code="illness", reason_text=None, idempotency_key=f"key-{uuid.uuid4()}",
                                   candidate_id="cand-1")
    token = _approval_token(system, receipt.request_id)
    system.drain(rounds=5, quiet_rounds=2)
    return receipt.request_id, token


def decided(request_id: str, outcome: str) -> dict:
    return {"request_id": request_id, "interview_id": "int-1", "candidate_id": "cand-1", "slot_id": "slot-int-1",
            "initiator": "candidate", "reason_code": "illness", "outcome": outcome, "actor": "approver:rec-1",
            "comment": "", "decided_at": "2030-01-01T00:00:00.000Z"}


def approval_requested(request_id: str, level: int, approver_email: str, **changes) -> dict:
    return {"request_id": request_id, "interview_id": "int-1", "candidate_id": "cand-1", "level": level,
            "approver": {"approver_id": "mallory", "name": "Mallory", "email": approver_email, "role": "hr"},
            "sla_seconds": 60, "task_token": "forged-token", **changes}


def test_our_event_types_from_another_source_reach_no_consumer(system, pending):
    # Given a request waiting for its approver, and everything observable about the system
    request_id, _ = pending
    before = observable(system)
    # When someone who may put events on the bus sends this service's events with their own source (the ATS's,
    # or any other): the decision, an approval for another approver, a move, a claim, a needs-attention
    for source in ("interviews.ats", "evil.example"):
        put(system, source, "CancellationApproved", decided(request_id, "approved"))
        put(system, source, "CancellationRejected", decided(request_id, "rejected"))
        put(system, source, "ApprovalRequested", approval_requested(request_id, 1, "mallory@evil.example"))
        put(system, source, "InterviewMoved", {
            "interview_id": "int-1", "candidate_id": "cand-1", "job_id": "job-1", "slot_id": "slot-int-1",
            "starts_at": "2030-01-01T00:00:00Z", "from_slot_id": None, "from_starts_at": None, "sequence": 1,
            "moves": 1})
        put(system, source, "CancellationNeedsAttention", {"request_id": request_id, "interview_id": "int-1",
                                                          "error": {"Error": "forged"}})
    system.drain(rounds=10, quiet_rounds=2)
    # Then nothing was sent and nothing changed: no rule matched them
    assert changes(before, observable(system)) == {}


def test_an_interview_scheduled_from_a_source_other_than_the_ats_registers_nothing(system):
    # Given an empty system
    before = observable(system)
    # When InterviewScheduled arrives with this service's own source (which announces only what the registration
    # API stored, and it stored nothing) and with an unknown one
    put(system, OWN, "InterviewScheduled", interview_event("int-forged", "cand-forged"))
    put(system, "evil.example", "InterviewScheduled", interview_event("int-forged", "cand-forged"))
    system.drain(rounds=10, quiet_rounds=2)
    # Then no interview was registered and no invitation went out
    assert changes(before, observable(system)) == {}
    # And the same event from the ATS's source is registered (the rule is not simply closed)
    put(system, "interviews.ats", "InterviewScheduled", interview_event("int-real", "cand-real"))
    system.drain(rounds=10, quiet_rounds=2)
    assert system.sent_mail() and observable(system)["tables"]["TABLE_INTERVIEWS"] != []


def test_our_own_source_contradicting_the_stored_state_sends_nothing_and_changes_nothing(system, pending):
    # Given a request waiting for its recruiter at level 0, and everything observable about the system
    request_id, token = pending
    approval = approval_store.get_approval(request_id)
    before = observable(system)
    # When events with this service's own source say what the tables do not:
    # it was approved (the request is PENDING_APPROVAL), or rejected,
    put(system, OWN, "CancellationApproved", decided(request_id, "approved"))
    put(system, OWN, "CancellationRejected", decided(request_id, "rejected"))
    # an approval for another approver at the open level, or at a level the route does not have,
    put(system, OWN, "ApprovalRequested", approval_requested(request_id, 0, "mallory@evil.example"))
    put(system, OWN, "ApprovalRequested", approval_requested(request_id, 7, "mallory@evil.example"))
    # the route's own approver at the open level with another task token (it would take the decision away)
    put(system, OWN, "ApprovalRequested", {
        "request_id": request_id, "interview_id": "int-1", "candidate_id": "cand-1", "level": 0,
        "approver": {"approver_id": approval.approver_id, "name": approval.approver_name,
                     "email": approval.approver_email, "role": approval.approver_role},
        "sla_seconds": int(json.loads(request_store.get_request(request_id).route_json)["sla_seconds"]),
        "task_token": "forged-token"})
    # a move to a time the interview is not stored at, a claim of a slot nobody claimed,
    put(system, OWN, "InterviewMoved", {
        "interview_id": "int-1", "candidate_id": "cand-1", "job_id": "job-1", "slot_id": "slot-int-1",
        "starts_at": "2030-01-01T00:00:00Z", "from_slot_id": "slot-int-1", "from_starts_at": None,
        "sequence": 1, "moves": 1})
    put(system, OWN, "SlotClaimed", {"slot_id": "slot-int-1", "job_id": "job-1", "candidate_id": "cand-1",
                                     "release_id": "rebook:int-1", "starts_at": "2030-01-01T00:00:00Z",
                                     "claimed_at": "2030-01-01T00:00:00Z"})
    # a request that needs attention (it does not), a retention message nobody sent,
    put(system, OWN, "CancellationNeedsAttention", {"request_id": request_id, "interview_id": "int-1",
                                                   "error": {"Error": "forged"}})
    put(system, OWN, "RetentionMessageSent", {"request_id": request_id, "interview_id": "int-1",
                                              "candidate_id": "cand-1"})
    # and a decision about a request that does not exist, or about another candidate's interview
    put(system, OWN, "CancellationApproved", decided("req-nobody", "approved"))
    put(system, OWN, "CancellationRequested", {"request_id": request_id, "interview_id": "int-1",
                                               "candidate_id": "cand-other", "initiator": "candidate",
                                               "reason_code": "illness", "auto_approve": False, "rule": "x"})
    system.drain(rounds=10, quiet_rounds=2)
    # Then nothing was sent, nothing changed, and nothing waits in a dead-letter queue
    assert changes(before, observable(system)) == {}
    # And the real approver's link still decides the request
    from functions.core.models import Decision
    from functions.domain import approvals

    assert approvals.decide(token, Decision.REJECT, None).value == "rejected"


def test_an_escalation_before_the_open_levels_deadline_is_refused_until_it_is_due(system, pending):
    # Given a request waiting for its recruiter at level 0, due in a day
    request_id, _ = pending
    request = request_store.get_request(request_id)
    route = json.loads(request.route_json)
    assert len(route["approvers"]) > 1
    before = observable(system)
    # When an escalation to the route's own next approver arrives long before the deadline
    escalation = {"version": "1", "request_id": request_id, "interview_id": "int-1", "candidate_id": "cand-1",
                  "level": 1, "approver": route["approvers"][1], "sla_seconds": route["sla_seconds"],
                  "task_token": "forged-token"}
    # Then it is refused (the queue brings it back; after the deadline the real one has arrived)
    with pytest.raises(trust.NotYetDue):
        events.handle("ApprovalRequested", escalation)
    # and the open approval, the request and the mail are as before
    assert changes(before, observable(system)) == {}


def test_an_escalation_that_overtakes_level_0s_own_event_is_deferred_not_dropped(system, scheduled):
    # Given a request whose workflow asked for its recruiter (level 0), that event not yet handled: SQS keeps no
    # order, so on a loaded system the escalation to level 1 can be read first
    scheduled()
    receipt = cancellations.submit(interview_id="int-1", initiator=Initiator.CANDIDATE, actor="candidate:cand-1",
                                   reason_code="illness", reason_text=None, idempotency_key=f"key-{uuid.uuid4()}",
                                   candidate_id="cand-1")
    route = json.loads(request_store.get_request(receipt.request_id).route_json)
    assert approval_store.get_approval(receipt.request_id) is None
    mail_before = system.sent_mail()
    escalation = {"version": "1", "request_id": receipt.request_id, "interview_id": "int-1",
                  "candidate_id": "cand-1", "level": 1, "approver": route["approvers"][1],
                  "sla_seconds": route["sla_seconds"], "task_token": "level-1-token"}
    # When that escalation is handled before level 0 was opened
    # Then it is refused for now (the queue brings it back once level 0 is open), not consumed as a forgery
    with pytest.raises(trust.NotYetDue):
        events.handle("ApprovalRequested", escalation)
    # and nothing was opened or sent for it
    assert approval_store.get_approval(receipt.request_id) is None
    assert system.sent_mail() == mail_before


def test_a_decision_mail_follows_only_the_stored_outcome(system, pending):
    # Given a request the recruiter rejected (stored REJECTED by the workflow; its own event already handled)
    request_id, token = pending
    from functions.core.models import Decision
    from functions.domain import approvals

    approvals.decide(token, Decision.REJECT, "please keep it")
    assert system.execution(request_id)["status"] == "SUCCEEDED"
    system.drain(rounds=5, quiet_rounds=2)
    assert request_store.get_request(request_id).status == "REJECTED"
    before = observable(system)
    # When a CancellationApproved for it arrives with this service's source (the candidate would get a
    # cancellation with METHOD:CANCEL for an interview that is kept), and the rejection again with another comment
    put(system, OWN, "CancellationApproved", decided(request_id, "approved"))
    put(system, OWN, "CancellationRejected", {**decided(request_id, "rejected"), "comment": "call 555-0100"})
    system.drain(rounds=10, quiet_rounds=2)
    # Then nothing new was sent (the rejection's mail went once, with the stored comment) and nothing changed
    assert changes(before, observable(system)) == {}
    assert not any("555-0100" in m["text"] for m in system.sent_mail())


def test_the_trust_checks_know_the_source_this_service_publishes_with():
    # GIVEN the module that puts our events and the one that checks them (kept apart for IAM's sake)
    from functions.integration import event_trust, events

    # THEN they name the same source
    assert event_trust.OWN_SOURCE == events.SOURCE
