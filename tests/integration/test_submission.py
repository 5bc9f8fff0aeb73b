"""Submitting a cancellation: validation, ownership, idempotency, and what is written atomically."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import boto3
import pytest

from functions.domain import cancellations
from functions.integration import links
from functions.integration.data import interview_store, request_store
from functions.core.models import Initiator
from functions.core.errors import ConflictError, NotFoundError, PolicyViolationError, ServiceUnavailableError
from tests.integration.conftest import header


def _submit(interview_id="int-1", key=None, reason="illness", text=None, candidate="cand-1"):
    key = key or f"key-{uuid.uuid4()}"  # unique per test: see test_workflow._submit
    return cancellations.submit(interview_id=interview_id, initiator=Initiator.CANDIDATE,
                                actor=f"candidate:{candidate}", reason_code=reason, reason_text=text,
                                idempotency_key=key, candidate_id=candidate)


def test_submission_writes_request_pending_interview_and_audit_and_starts_the_workflow(system, scheduled):
    # Given a scheduled interview
    scheduled()
    # When the candidate cancels it
    receipt = _submit()
    # Then the request, the interview's new state and two audit entries exist, and the execution is named after it
    assert receipt.status == "RECEIVED" and receipt.route == "recruiter"
    assert interview_store.get_interview("int-1").status == "CANCELLATION_PENDING"
    assert interview_store.get_interview("int-1").pending_request_id == receipt.request_id
    assert [e.action for e in request_store.audit_trail(receipt.request_id)] == ["received", "routed"]
    executions = boto3.client("stepfunctions").list_executions(
        stateMachineArn=system.resources.state_machine_arn)["executions"]
    assert [e["name"] for e in executions] == [receipt.request_id]


def test_repeating_the_same_idempotency_key_returns_the_same_receipt_and_no_second_request(system, scheduled):
    # Given a submitted cancellation
    scheduled()
    first = _submit(key="same-key-1")
    # When it is submitted again with the same key and body
    second = _submit(key="same-key-1")
    # Then it is the same request, and still one execution
    assert second.request_id == first.request_id
    executions = boto3.client("stepfunctions").list_executions(
        stateMachineArn=system.resources.state_machine_arn)["executions"]
    assert len(executions) == 1


def test_reusing_an_idempotency_key_with_another_body_is_a_conflict(system, scheduled):
    scheduled()
    _submit(key="same-key-2", reason="illness")
    with pytest.raises(ConflictError, match="different request body"):
        _submit(key="same-key-2", reason="emergency")


def test_a_second_request_for_a_pending_interview_is_a_conflict_and_changes_nothing(system, scheduled):
    scheduled()
    first = _submit(key="key-a-0001")
    with pytest.raises(ConflictError, match="already being decided"):
        _submit(key="key-b-0001")
    assert interview_store.get_interview("int-1").pending_request_id == first.request_id


def test_someone_elses_interview_looks_exactly_like_a_missing_one(system, scheduled):
    # Given cand-1's interview
    scheduled()
    # When cand-2 tries to cancel it, or a missing one
    with pytest.raises(NotFoundError) as other:
        _submit(candidate="cand-2")
    with pytest.raises(NotFoundError) as missing:
        _submit(interview_id="int-missing")
    # Then both answers are the same and the interview is untouched
    assert other.value.detail == missing.value.detail
    assert interview_store.get_interview("int-1").status == "SCHEDULED"


def test_a_started_interview_cannot_be_cancelled(system, scheduled):
    scheduled(starts_in=timedelta(minutes=-5))
    with pytest.raises(ConflictError, match="already started"):
        _submit()
    assert interview_store.get_interview("int-1").status == "SCHEDULED"


def test_candidates_cannot_cancel_online_below_the_minimum_notice(system, scheduled):
    scheduled(starts_in=timedelta(minutes=90))
    with pytest.raises(PolicyViolationError, match="contact your recruiter"):
        _submit()
    assert interview_store.get_interview("int-1").status == "SCHEDULED"


def test_replayed_interview_scheduled_event_keeps_the_first_registration(system, scheduled):
    # Given an interview that was cancelled-pending
    scheduled()
    _submit()
    # When the same InterviewScheduled event arrives again (EventBridge delivers at least once)
    scheduled()
    # Then the interview keeps its state instead of being reset to SCHEDULED
    assert interview_store.get_interview("int-1").status == "CANCELLATION_PENDING"


def test_api_answers_bad_input_with_problem_json_naming_the_field(system, scheduled):
    scheduled()
    token = links.candidate_token("cand-1")
    response = system.http("POST", "/api/candidate/interviews/int-1/cancellations",
                           body={"reason_code": "other"},
                           headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "key-00000001"})
    assert response["statusCode"] == 422
    assert header(response, "Content-Type") == "application/problem+json; charset=utf-8"
    problem = json.loads(response["body"])
    assert [e["field"] for e in problem["errors"]] == ["reason_text"]
    assert interview_store.get_interview("int-1").status == "SCHEDULED"


def test_api_rejects_missing_and_tampered_candidate_tokens(system, scheduled):
    scheduled()
    token = links.candidate_token("cand-1")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    none = system.http("GET", "/api/candidate/interviews")
    bad = system.http("GET", "/api/candidate/interviews", headers={"Authorization": f"Bearer {tampered}"})
    good = system.http("GET", "/api/candidate/interviews", headers={"Authorization": f"Bearer {token}"})
    assert (none["statusCode"], bad["statusCode"], good["statusCode"]) == (401, 403, 200)
    assert [i["interview_id"] for i in json.loads(good["body"])] == ["int-1"]


def test_staff_routes_need_a_staff_role(system, scheduled):
    scheduled()
    body = {"reason_code": "position_paused"}
    headers = {"Idempotency-Key": "staff-key-0001"}
    path = "/api/staff/interviews/int-1/cancellations"
    anonymous = system.http("POST", path, body=body, headers=headers)
    no_role = system.http("POST", path, body=body, headers=headers, claims={"sub": "u1", "cognito:groups": "viewer"})
    # The department manager decides company cancellations, so may not start one; a recruiter may.
    manager = system.http("POST", path, body=body, headers=headers,
                          claims={"sub": "u2", "cognito:groups": "department_manager"})
    recruiter = system.http("POST", path, body=body, headers=headers,
                            claims={"sub": "u3", "cognito:groups": "recruiter", "custom:person_id": "rec-1"})
    assert (anonymous["statusCode"], no_role["statusCode"], manager["statusCode"], recruiter["statusCode"]) \
        == (401, 403, 403, 202)
    assert json.loads(recruiter["body"])["route"] == "department_manager"


def test_when_the_workflow_cannot_start_the_request_is_kept_and_a_retry_starts_it(system, scheduled, monkeypatch):
    # Given Step Functions refusing the first start (the state machine is unreachable)
    from functions.integration import workflow

    real = workflow.get_settings()
    broken = real.model_copy(update={"state_machine_arn": real.state_machine_arn + "-missing"})
    monkeypatch.setattr(workflow, "get_settings", lambda: broken)
    scheduled()
    # When the candidate submits
    with pytest.raises(ServiceUnavailableError, match="same Idempotency-Key"):
        _submit(key="retry-key-1")
    # Then nothing is lost: the request is stored as received
    request_id = cancellations.request_id_for("candidate:cand-1", "int-1", "retry-key-1")
    assert request_store.get_request(request_id).status == "RECEIVED"
    # And when Step Functions is back, the retry with the same key starts the one workflow
    monkeypatch.setattr(workflow, "get_settings", lambda: real)
    assert _submit(key="retry-key-1").request_id == request_id
    executions = boto3.client("stepfunctions").list_executions(
        stateMachineArn=system.resources.state_machine_arn)["executions"]
    assert [e["name"] for e in executions] == [request_id]


def test_repeating_the_key_after_the_request_was_decided_returns_the_same_receipt(system, scheduled):
    # Given a request approved automatically and finished (the interview is cancelled, no longer pending for it)
    scheduled()
    first = _submit(key="decided-key-1", reason="schedule_conflict")
    assert system.execution(first.request_id)["status"] == "SUCCEEDED"
    assert interview_store.get_interview("int-1").status == "CANCELLED"
    # When the client retries with the same Idempotency-Key (its first answer was lost, say)
    again = _submit(key="decided-key-1", reason="schedule_conflict")
    # Then it gets the same request, now approved, and nothing new is made
    assert (again.request_id, again.status) == (first.request_id, "APPROVED")
    assert [e.action for e in request_store.audit_trail(first.request_id)].count("received") == 1
    # while another key for the cancelled interview is still a conflict
    with pytest.raises(ConflictError, match="already cancelled"):
        _submit(key="decided-key-2", reason="schedule_conflict")
