"""The candidate API's view of a request: steps, times and the candidate's labels only, and nothing of the
requests the company started (they look like missing ones, and no interview names them as pending)."""

from __future__ import annotations

import json
import uuid

from functions.core.models import Decision, Initiator
from functions.domain import approvals, cancellations
from functions.integration import links
from functions.integration.data import approval_store, request_store
from tests.integration.test_workflow import _approval_token

APPROVER_COMMENT = "Internal: third cancellation from this agency, keep an eye on them"


def _get(system, path: str, token: str) -> tuple[int, dict | list | str]:
    response = system.http("GET", path, headers={"Authorization": f"Bearer {token}"})
    body = response["body"]
    return response["statusCode"], json.loads(body) if body and body.startswith(("{", "[")) else body


def test_the_candidate_sees_steps_times_and_labels_but_no_staff_ids_actors_or_the_approvers_comment(
        system, scheduled):
    # Given Li Wei's request that her recruiter rejected with an internal comment
    scheduled()
    receipt = cancellations.submit(interview_id="int-1", initiator=Initiator.CANDIDATE, actor="candidate:cand-1",
                                   reason_code="illness", reason_text="Fever since Monday",
                                   idempotency_key=f"key-{uuid.uuid4()}", candidate_id="cand-1")
    approvals.decide(_approval_token(system, receipt.request_id), Decision.REJECT, APPROVER_COMMENT)
    assert system.execution(receipt.request_id)["status"] == "SUCCEEDED"
    system.drain(rounds=5, quiet_rounds=2)
    approval = approval_store.get_approval(receipt.request_id)
    staff_trail = request_store.audit_trail(receipt.request_id)
    assert any(e.why == APPROVER_COMMENT for e in staff_trail)  # the staff trail does hold it
    # When she asks where her request stands
    status, view = _get(system, f"/api/candidate/requests/{receipt.request_id}", links.candidate_token("cand-1"))
    # Then she sees its steps with their times and her language's labels (she reads Chinese)
    assert status == 200
    assert [(s["status"], s["label"]) for s in view["timeline"]] == [
        ("RECEIVED", "已收到"), ("PENDING_APPROVAL", "待审批"), ("REJECTED", "保留面试")]
    assert all(s["at"] for s in view["timeline"]) and view["decided_at"]
    assert (view["status"], view["reason_code"], view["reason_text"]) == ("REJECTED", "illness", "Fever since Monday")
    assert (view["reason_label"], view["status_label"]) == ("生病", "保留面试")
    # and only the fields a candidate needs: no trail entries with actors, no route, no comment
    assert set(view) == {"request_id", "interview_id", "status", "status_label", "reason_code", "reason_label",
                         "reason_text", "auto_approved", "created_at", "decided_at", "contact_email", "timeline"}
    assert all(set(step) == {"at", "status", "label"} for step in view["timeline"])
    # and nothing of the staff side appears anywhere in it: approver ids and names, actors, the comment (the
    # recruiter's address is there as whom to contact, as in the rejection mail)
    assert view["contact_email"] == "chen.jing@company.example.com"
    text = json.dumps(view, ensure_ascii=False)
    for internal in (approval.approver_id, approval.approver_name, "approver:", "workflow",
                     "policy", "staff:", APPROVER_COMMENT, "third cancellation", "mgr-1", "Sam Smith"):
        assert internal not in text, internal


def test_a_request_the_company_started_is_invisible_to_the_candidate(system, scheduled):
    # Given Li Wei's interview, which her recruiter asks to cancel (the request is pending)
    scheduled()
    company = cancellations.submit(interview_id="int-1", initiator=Initiator.COMPANY, actor="staff:rec-1",
                                   reason_code="position_paused", reason_text="Headcount frozen until Q3",
                                   idempotency_key=f"key-{uuid.uuid4()}")
    system.drain(rounds=5, quiet_rounds=2)
    assert request_store.get_request(company.request_id).status in ("RECEIVED", "PENDING_APPROVAL")
    token = links.candidate_token("cand-1")
    # When she lists her interviews, asks for that request, and opens her portal
    _, interviews = _get(system, "/api/candidate/interviews", token)
    status, body = _get(system, f"/api/candidate/requests/{company.request_id}", token)
    missing_status, missing = _get(system, f"/api/candidate/requests/{uuid.uuid4()}", token)
    portal = system.http("GET", f"/portal/{token}")
    # Then no interview names a pending request, the request answers exactly like a missing one,
    assert [i["pending_request_id"] for i in interviews] == [None]
    assert (status, missing_status) == (404, 404)
    assert {k: v for k, v in body.items() if k != "instance"} == {k: v for k, v in missing.items() if k != "instance"}
    # and the portal page shows neither its id nor its reason
    assert portal["statusCode"] == 200
    assert company.request_id not in portal["body"] and "Headcount frozen" not in portal["body"]


def test_the_candidates_own_pending_request_is_named_on_the_interview(system, scheduled):
    # Given Li Wei's own pending cancellation
    scheduled()
    receipt = cancellations.submit(interview_id="int-1", initiator=Initiator.CANDIDATE, actor="candidate:cand-1",
                                   reason_code="illness", reason_text=None, idempotency_key=f"key-{uuid.uuid4()}",
                                   candidate_id="cand-1")
    # When she lists her interviews
    _, interviews = _get(system, "/api/candidate/interviews", links.candidate_token("cand-1"))
    # Then the interview names it, so the portal can follow it
    assert [i["pending_request_id"] for i in interviews] == [receipt.request_id]
