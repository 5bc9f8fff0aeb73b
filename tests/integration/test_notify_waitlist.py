"""Slot backfill: a released slot is offered to the job's waitlist, the first claim wins, the others hear it is
gone, offers expire. The claim is the domain function (its HTTP route is a later issue)."""

from __future__ import annotations

import json
from datetime import timedelta

import boto3
import pytest

from functions.domain import cancellations, waitlist
from functions.integration.data import slot_store
from functions.notify import events
from functions.core.clock import from_iso, utc_now
from functions.core.models import Initiator
from functions.core.errors import NotFoundError
from tests.integration.conftest import store_request
from tests.integration.test_notify_events import put_from_ats, tap, validator  # noqa: F401 - tap is a fixture


def waitlisted(n: int) -> dict:
    return {"version": "1", "job_id": "job-1", "candidate": {
        "candidate_id": f"wait-{n}", "name": f"Waiting {n}", "email": f"wait.{n}@mail.example.com",
        "locale": "zh-CN" if n % 2 else "en", "timezone": "Europe/Madrid"}}


def mail_to(system, n: int) -> list[str]:
    return [m["subject"] for m in system.sent_mail() if m["to"] == f"wait.{n}@mail.example.com"]


def release_slot(system, scheduled, waiting: int) -> dict:
    """An interview, `waiting` candidates on its job's waitlist, and its cancellation approved: the slot is
    released (as the workflow's transaction does) and CancellationApproved handled."""
    scheduled()
    for n in range(waiting):
        events.handle("CandidateWaitlisted", waitlisted(n))
    boto3.client("dynamodb").update_item(
        TableName=system.resources.table_names["TABLE_SLOTS"], Key={"slot_id": {"S": "slot-int-1"}},
        UpdateExpression="SET #s = :a, released_at = :now REMOVE interview_id",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":a": {"S": "AVAILABLE"}, ":now": {"S": "2030-01-01T00:00:00.000Z"}})
    store_request(system, "req-release-1", "int-1", "cand-1", "APPROVED")
    detail = {"version": "1", "request_id": "req-release-1", "interview_id": "int-1", "candidate_id": "cand-1",
              "slot_id": "slot-int-1", "initiator": "candidate", "reason_code": "illness", "outcome": "approved",
              "actor": "approver:rec-1", "comment": "", "decided_at": "2030-01-01T00:00:00.000Z"}
    events.handle("CancellationApproved", detail)
    return detail


def test_an_approved_cancellation_offers_the_slot_and_the_first_claim_wins(system, scheduled, tap):
    # Given Li Wei's interview and three candidates the ATS put on the job's waitlist
    scheduled()
    for n in range(3):
        put_from_ats(system, "CandidateWaitlisted", waitlisted(n))
    system.drain(rounds=10, quiet_rounds=1)
    assert [e.candidate_id for e in slot_store.waitlist_of("job-1")] == ["wait-0", "wait-1", "wait-2"]
    # When Li Wei's cancellation is approved (schedule conflict: by policy) and the workflow releases the slot
    receipt = cancellations.submit(interview_id="int-1", initiator=Initiator.CANDIDATE, actor="candidate:cand-1",
                                   reason_code="schedule_conflict", reason_text=None,
                                   idempotency_key="key-backfill-1", candidate_id="cand-1")
    assert system.execution(receipt.request_id)["status"] == "SUCCEEDED"
    system.drain()
    # Then each waiting candidate got one offer, in their language, and Li Wei none
    assert [len(mail_to(system, n)) for n in range(3)] == [1, 1, 1]
    assert "空档" in mail_to(system, 1)[0] and "opened" in mail_to(system, 0)[0]
    assert {o.candidate_id for o in slot_store.offers_of_slot("slot-int-1")} == {"wait-0", "wait-1", "wait-2"}

    # When the second candidate claims it, then the third
    claimed = waitlist.claim("slot-int-1", "wait-1")
    with pytest.raises(waitlist.SlotTakenError):
        waitlist.claim("slot-int-1", "wait-2")
    system.drain(rounds=10, quiet_rounds=1)
    # Then the slot is booked for the second, who left the waitlist and was told; the others heard it is gone
    slot = slot_store.get_slot("slot-int-1")
    assert (slot.status, slot.claimed_by, slot.claim_release_id) == ("BOOKED", "wait-1", receipt.request_id)
    assert claimed.release_id == receipt.request_id
    assert [e.candidate_id for e in slot_store.waitlist_of("job-1")] == ["wait-0", "wait-2"]
    assert len(mail_to(system, 1)) == 2 and "为您保留" in mail_to(system, 1)[1]
    assert [len(mail_to(system, n)) for n in (0, 2)] == [2, 2]
    assert all("taken" in mail_to(system, n)[1] for n in (0, 2))
    # and a repeated claim by the winner is the same claim, announced again but told only once
    assert waitlist.claim("slot-int-1", "wait-1").claimed_at == claimed.claimed_at
    system.drain(rounds=10, quiet_rounds=1)
    assert [len(mail_to(system, n)) for n in range(3)] == [2, 2, 2]
    # and the waitlist and claim events a subscriber sees match their schemas
    for detail_type in ("CandidateWaitlisted", "SlotClaimed"):
        details = tap.of(detail_type)
        assert details and all(validator(detail_type).is_valid(d) for d in details), detail_type


def test_offers_expire_and_a_redelivered_approval_offers_nothing_twice(system, scheduled):
    # Given a released slot offered to two waiting candidates
    approved = release_slot(system, scheduled, waiting=2)
    # When the approval event is delivered again
    events.handle("CancellationApproved", approved)
    # Then each candidate still has exactly one offer mail
    assert [len(mail_to(system, n)) for n in range(2)] == [1, 1]
    offer = slot_store.get_offer("slot-int-1", "wait-0")
    expires_at = from_iso(offer.expires_at)
    assert utc_now() < expires_at <= utc_now() + waitlist.OFFER_TTL
    # When one claims after the offer expired
    with pytest.raises(waitlist.OfferExpiredError):
        waitlist.claim("slot-int-1", "wait-0", now=expires_at + timedelta(seconds=1))
    # Then the slot is still free, and the other can still claim in time; someone never offered cannot
    assert slot_store.get_slot("slot-int-1").status == "AVAILABLE"
    with pytest.raises(NotFoundError):
        waitlist.claim("slot-int-1", "never-offered")
    assert waitlist.claim("slot-int-1", "wait-1").candidate_id == "wait-1"


def test_ten_concurrent_claims_of_one_slot_have_exactly_one_winner(system, scheduled, monkeypatch):
    # (tests/integration/conftest.py makes moto's DynamoDB as isolated as DynamoDB: local_runtime/moto_dynamodb.py)
    # Given a released slot offered to ten waiting candidates (a wave of ten)
    from tests.integration.test_waitlist_journey import claim_at_once, offer_wave

    offer_wave(monkeypatch, 10)
    release_slot(system, scheduled, waiting=10)
    assert len(slot_store.offers_of_slot("slot-int-1")) == 10
    # When all ten claim at the same moment
    results = claim_at_once({n: (lambda n=n: waitlist.claim("slot-int-1", f"wait-{n}")) for n in range(10)})
    # Then exactly one won, nine were refused, and the slot and the offers say the same
    winners = [r for r in results.values() if r != "taken"]
    assert len(results) == 10 and len(winners) == 1
    slot = slot_store.get_slot("slot-int-1")
    assert (slot.status, slot.claimed_by) == ("BOOKED", winners[0])
    statuses = {o.candidate_id: o.status for o in slot_store.offers_of_slot("slot-int-1")}
    assert statuses.pop(winners[0]) == "CLAIMED" and set(statuses.values()) == {"OFFERED"}
    print(json.dumps({"claims": 10, "winners": len(winners), "refused": list(results.values()).count("taken")}))
