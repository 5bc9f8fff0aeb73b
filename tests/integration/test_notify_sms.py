"""Texts through SNS: the receipt and the outcome, only to candidates with a phone who agreed, once per message."""

from __future__ import annotations

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from functions.integration.data import candidate_store
from functions.notify import events
from tests.integration.conftest import interview_event, store_request

PHONE = "+8613800000000"


def texts() -> list[tuple[str, str]]:
    return list(sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages.values())


def register(interview_id: str, candidate_id: str, *, phone: str | None = PHONE, opt_in: bool = True) -> None:
    event = interview_event(interview_id, candidate_id)
    event["candidate"].update({"phone": phone, "sms_opt_in": opt_in})
    events.handle("InterviewScheduled", event)


def requested(request_id: str, interview_id: str, candidate_id: str) -> dict:
    return {"version": "1", "request_id": request_id, "interview_id": interview_id, "candidate_id": candidate_id,
            "initiator": "candidate", "reason_code": "illness", "auto_approve": False, "rule": "test"}


def decided(request_id: str, interview_id: str, candidate_id: str, outcome: str) -> dict:
    return {"version": "1", "request_id": request_id, "interview_id": interview_id, "candidate_id": candidate_id,
            "slot_id": f"slot-{interview_id}", "initiator": "candidate", "reason_code": "illness",
            "outcome": outcome, "actor": "approver:rec-1", "comment": "", "decided_at": "2030-01-01T00:00:00.000Z"}


def test_an_opted_in_candidate_gets_the_receipt_and_the_outcome_by_text_once_each(system):
    # Given Li Wei (zh-CN) with a phone who agreed to texts
    register("int-1", "cand-1")
    assert candidate_store.get_candidate("cand-1").sms_opt_in is True
    # When her request arrives twice (a redelivery) and is then approved, also delivered twice
    store_request(system, "req-1", "int-1", "cand-1", "RECEIVED")
    for _ in range(2):
        events.handle("CancellationRequested", requested("req-1", "int-1", "cand-1"))
    store_request(system, "req-1", "int-1", "cand-1", "APPROVED")
    for _ in range(2):
        events.handle("CancellationApproved", decided("req-1", "int-1", "cand-1", "approved"))
    # Then she got exactly two texts at her number, in Chinese: the receipt with its reference, and the outcome
    # with the rebooking link
    sent = texts()
    assert [number for number, _ in sent] == [PHONE, PHONE]
    assert "req-1" in sent[0][1] and "已收到" in sent[0][1]
    assert "已取消" in sent[1][1] and "http://testserver/portal/" in sent[1][1]


def test_a_rejection_is_texted_too(system):
    # Given a pending request of an opted-in candidate (stored as the cancel function would; no workflow runs)
    register("int-1", "cand-1")
    store_request(system, "req-2", "int-1", "cand-1", "PENDING_APPROVAL")
    # When it is rejected (as the workflow stores it, then announces it)
    store_request(system, "req-2", "int-1", "cand-1", "REJECTED")
    events.handle("CancellationRejected", decided("req-2", "int-1", "cand-1", "rejected"))
    # Then the candidate is texted that the interview is kept, and whom to contact
    assert len(texts()) == 1 and "chen.jing@company.example.com" in texts()[0][1]


@pytest.mark.parametrize("phone, opt_in", [(PHONE, False), (None, True), ("call me maybe", True)])
def test_no_text_without_consent_a_phone_or_a_valid_number(system, phone, opt_in):
    # Given a candidate who did not agree, has no phone, or whose number is not E.164
    register("int-1", "cand-1", phone=phone, opt_in=opt_in)
    # When their request arrives
    store_request(system, "req-3", "int-1", "cand-1", "RECEIVED")
    events.handle("CancellationRequested", requested("req-3", "int-1", "cand-1"))
    # Then no text is sent (and nothing fails: the e-mail receipt went out)
    assert texts() == []
    assert any("req-3" in m["text"] for m in system.sent_mail())
