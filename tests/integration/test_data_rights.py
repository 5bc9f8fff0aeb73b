"""A candidate's data rights, for HR admins: everything stored about a candidate exported as JSON, and erased from
every table (the audit keeps pseudonymous ids and still verifies; later events about the candidate send nothing),
through the staff API and `interviews candidate export|erase` (docs/privacy.md)."""

from __future__ import annotations

import copy
import json
import uuid

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from cli.main import main
from functions.core.models import Decision, Initiator
from functions.domain import approvals, audit, cancellations
from functions.integration.data import candidate_store, suppression_store
from functions.notify import events
from tests.integration.conftest import interview_event
from tests.integration.test_workflow import _approval_token

NAME, EMAIL, PHONE = "Li Wei", "li.wei@mail.example.com", "+8613800000000"
ADMIN = {"sub": "u-admin", "cognito:groups": "admin", "token_use": "id"}
RECRUITER = {"sub": "u-rec", "cognito:groups": "recruiter", "token_use": "id", "custom:person_id": "rec-1"}
MANAGER = {"sub": "u-mgr", "cognito:groups": "department_manager", "token_use": "id", "custom:person_id": "mgr-1"}


def _personal_values_in_tables(system) -> dict[str, int]:
    """Per table, how many items hold Li Wei's name, e-mail or phone anywhere (any attribute, any case)."""
    dynamodb = boto3.client("dynamodb")
    found = {}
    for env_var, table in system.resources.table_names.items():
        items = [i for page in dynamodb.get_paginator("scan").paginate(TableName=table) for i in page["Items"]]
        hits = [i for i in items if any(v.lower() in repr(i).lower() for v in (NAME, EMAIL, PHONE))]
        if hits:
            found[env_var] = len(hits)
    return found


def _known_candidate(system) -> str:
    """Li Wei with everything this service keeps about a candidate: her interview with a rejected cancellation
    (her reason text names her; the retention draft too), a place on another job's waitlist, texts agreed to, and
    a complaint that suppressed her address. Returns the request id."""
    event = interview_event()
    event["candidate"]["sms_opt_in"] = True
    events.handle("InterviewScheduled", copy.deepcopy(event))
    request_id = cancellations.submit(
        interview_id="int-1", initiator=Initiator.CANDIDATE, actor="candidate:cand-1", reason_code="other",
        reason_text=f"{NAME} has a family emergency", idempotency_key=f"key-{uuid.uuid4()}",
        candidate_id="cand-1").request_id
    approvals.decide(_approval_token(system, request_id), Decision.REJECT, "please keep the time if you can")
    assert system.execution(request_id)["status"] == "SUCCEEDED"
    system.drain()
    events.handle("CandidateWaitlisted", {"version": "1", "job_id": "job-2", "candidate": {
        "candidate_id": "cand-1", "name": NAME, "email": EMAIL, "locale": "zh-CN", "timezone": "Asia/Shanghai"}})
    suppression_store.suppress_address(EMAIL, "complaint", "2030-01-01T00:00:00Z")
    return request_id


def _erase(system, claims=ADMIN, candidate_id="cand-1") -> dict:
    return system.http("POST", f"/api/staff/candidates/{candidate_id}/erasure",
                       resource="/api/staff/candidates/{candidate_id}/erasure", claims=claims)


def _export(system, claims=ADMIN, candidate_id="cand-1") -> dict:
    return system.http("GET", f"/api/staff/candidates/{candidate_id}/export",
                       resource="/api/staff/candidates/{candidate_id}/export", claims=claims)


def _texts() -> list:
    return list(sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages.values())


def test_an_admin_exports_everything_stored_about_a_candidate_as_json(system):
    # GIVEN Li Wei with an interview, a rejected request, a waitlist place and a suppressed address
    request_id = _known_candidate(system)
    # WHEN an HR admin exports her data
    response = _export(system)
    # THEN the answer is JSON holding her profile, her interview, her request with its audit trail and the
    # approver's comment, her waitlist place and that her address is suppressed
    assert response["statusCode"] == 200, response
    exported = json.loads(response["body"])
    assert exported["candidate_id"] == "cand-1" and exported["erased_at"] is None
    assert exported["profile"]["name"] == NAME and exported["profile"]["email"] == EMAIL
    assert exported["profile"]["phone"] == PHONE and exported["profile"]["sms_opt_in"] is True
    assert [i["interview_id"] for i in exported["interviews"]] == ["int-1"]
    [request] = exported["requests"]
    assert request["request_id"] == request_id and request["reason_text"] == f"{NAME} has a family emergency"
    assert [e["action"] for e in request["audit"]][:2] == ["received", "routed"]
    assert [a["comment"] for a in request["approvals"]] == ["please keep the time if you can"]
    assert [w["job_id"] for w in exported["waitlist"]] == ["job-2"]
    assert exported["suppressed"] is True
    # and no secret of the workflow (its task token) is in it
    assert "task_token" not in response["body"]


def test_only_an_hr_admin_may_export_or_erase_and_an_unknown_candidate_is_404(system, scheduled):
    # GIVEN a registered candidate
    scheduled()
    # WHEN the job's own recruiter or department manager asks for her export or erasure
    # THEN each is refused for their role (403) and nothing changes
    for claims in (RECRUITER, MANAGER):
        assert _export(system, claims)["statusCode"] == 403
        assert _erase(system, claims)["statusCode"] == 403
    assert candidate_store.get_candidate("cand-1").email == EMAIL
    # and an admin asking about a candidate nobody registered gets 404 with a problem code, for both
    for call in (_export, _erase):
        response = call(system, candidate_id="nobody")
        assert response["statusCode"] == 404
        assert json.loads(response["body"])["code"] == "candidate_not_found"


def test_erasure_removes_the_candidates_personal_data_from_every_table_and_the_audit_still_verifies(system):
    # GIVEN Li Wei, whose name, e-mail and phone are in several tables
    request_id = _known_candidate(system)
    assert _personal_values_in_tables(system)
    # WHEN an HR admin erases her
    response = _erase(system)
    # THEN the answer says when, and no table holds her name, e-mail or phone any more
    assert response["statusCode"] == 200, response
    receipt = json.loads(response["body"])
    assert receipt["candidate_id"] == "cand-1" and receipt["erased_at"]
    assert _personal_values_in_tables(system) == {}
    # and her request's audit trail still verifies (it holds pseudonymous ids only), with the erasure in her trail
    report = audit.verify(request_id)
    assert report.ok, report.problems
    exported = json.loads(_export(system)["body"])
    assert exported["erased_at"] == receipt["erased_at"]
    assert exported["profile"] == {} and exported["waitlist"] == [] and exported["suppressed"] is True
    assert [e["action"] for e in exported["contact_trail"]][-1] == "erased"
    # and erasing her again answers the same and changes nothing
    again = _erase(system)
    assert again["statusCode"] == 200 and json.loads(again["body"]) == receipt
    assert [e["action"] for e in json.loads(_export(system)["body"])["contact_trail"]].count("erased") == 1


def test_after_erasure_replayed_events_about_the_candidate_send_nothing_and_store_nothing_personal(system):
    # GIVEN Li Wei, erased
    request_id = _known_candidate(system)
    assert _erase(system)["statusCode"] == 200
    mails, texts = len(system.sent_mail()), len(_texts())
    # WHEN her registration and her request's events are delivered again (a replay from the archive), and a new
    # registration of her arrives from the ATS
    events.handle("InterviewScheduled", interview_event())
    events.handle("InterviewScheduled", interview_event("int-9", slot_id="slot-9"))
    events.handle("CancellationRequested", {"version": "1", "request_id": request_id, "interview_id": "int-1",
                                            "candidate_id": "cand-1", "initiator": "candidate",
                                            "reason_code": "other", "auto_approve": False, "rule": "test"})
    events.handle("CancellationRejected", {
        "version": "1", "request_id": request_id, "interview_id": "int-1", "candidate_id": "cand-1",
        "slot_id": "slot-1", "initiator": "candidate", "reason_code": "other", "outcome": "rejected",
        "actor": "approver:rec-1", "comment": "", "decided_at": "2030-01-01T00:00:00.000Z"})
    # THEN nobody was mailed or texted, and her data is stored nowhere again
    assert len(system.sent_mail()) == mails and len(_texts()) == texts
    assert _personal_values_in_tables(system) == {}
    # and the ATS's registration route refuses her with a clear code, storing nothing
    response = system.http("POST", "/api/staff/interviews", body=interview_event("int-8", slot_id="slot-8"),
                           claims={"sub": "ats", "client_id": "ats", "token_use": "access",
                                   "scope": "interviews-ats/interviews.register"})
    assert response["statusCode"] == 409 and json.loads(response["body"])["code"] == "candidate_erased"
    assert _personal_values_in_tables(system) == {}


def test_the_idempotency_records_of_sent_messages_hold_no_personal_data(system):
    # GIVEN Li Wei, mailed and texted several times (each send leaves an idempotency record)
    _known_candidate(system)
    records = boto3.client("dynamodb").scan(TableName=system.resources.table_names["TABLE_IDEMPOTENCY"])["Items"]
    assert records
    # THEN no record holds her name, e-mail or phone (they keep a hash of the message key and the provider's id)
    assert not [r for r in records if any(v.lower() in repr(r).lower() for v in (NAME, EMAIL, PHONE))]


def test_the_cli_exports_and_erases_a_candidate(system, capsys):
    # GIVEN Li Wei
    _known_candidate(system)
    # WHEN `interviews candidate export cand-1` runs
    assert main(["candidate", "export", "cand-1"]) == 0
    # THEN it prints her data as JSON
    assert json.loads(capsys.readouterr().out)["profile"]["email"] == EMAIL
    # WHEN `interviews candidate erase cand-1 --yes` runs
    assert main(["candidate", "erase", "cand-1", "--yes"]) == 0
    # THEN it says when she was erased, and nothing of her is left
    assert "erased at" in capsys.readouterr().out
    assert _personal_values_in_tables(system) == {}
    # and an unknown candidate is a clear error with exit status 1 (nothing changes)
    assert main(["candidate", "erase", "nobody", "--yes"]) == 1
    assert "no candidate nobody" in capsys.readouterr().err


def test_the_cli_refuses_to_erase_without_confirmation(system, scheduled, capsys):
    # GIVEN a registered candidate
    scheduled()
    # WHEN erase runs without --yes
    assert main(["candidate", "erase", "cand-1"]) == 2
    # THEN it says how to confirm, and nothing changed
    assert "--yes" in capsys.readouterr().err
    assert candidate_store.get_candidate("cand-1").email == EMAIL


def test_the_export_holds_the_candidates_earlier_cancellations(system, scheduled):
    # GIVEN a candidate whose profile records an approved cancellation (a list of records and a set of request ids)
    scheduled()
    candidate_store.add_cancellation_to_profile("cand-1", request_id="req-0", interview_id="int-0",
                                                job_title="Backend Engineer", initiator="candidate",
                                                reason_code="illness", at="2030-01-01T00:00:00.000Z")
    # WHEN an HR admin exports her data
    response = _export(system)
    # THEN the export holds the history as plain JSON
    assert response["statusCode"] == 200, response
    assert json.loads(response["body"])["profile"]["cancellations"] == [{
        "request_id": "req-0", "interview_id": "int-0", "job_title": "Backend Engineer", "initiator": "candidate",
        "reason_code": "illness", "at": "2030-01-01T00:00:00.000Z"}]


def test_a_malformed_candidate_id_is_refused_with_422_naming_it_and_nothing_changes(system, scheduled):
    # GIVEN a registered candidate
    scheduled()
    # WHEN an HR admin asks for the export or erasure of an id longer than any identifier may be
    for call in (_export, _erase):
        response = call(system, candidate_id="c" * 300)
        # THEN the answer is 422 naming the path parameter
        assert response["statusCode"] == 422, response
        assert [e["field"] for e in json.loads(response["body"])["errors"]] == ["candidate_id"]
    # and nobody was erased
    assert candidate_store.get_candidate("cand-1").erased_at is None
