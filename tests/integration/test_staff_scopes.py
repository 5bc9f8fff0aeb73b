"""Staff reach their own jobs and departments only: lists leave the rest out, and every single item outside their
scope answers exactly like a missing one and changes nothing (functions/domain/scopes.py)."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import datetime, timedelta, timezone

from functions.domain import cancellations
from functions.core.models import Initiator
from functions.integration.data import interview_store, request_store, slot_store
from tests.integration.conftest import interview_event


def _staff(group: str, person_id: str | None) -> dict:
    claims = {"sub": f"u-{group}-{person_id}", "cognito:groups": group, "token_use": "id"}
    return claims | ({"custom:person_id": person_id} if person_id else {})


RECRUITER_A, MANAGER_A = _staff("recruiter", "rec-1"), _staff("department_manager", "mgr-1")
RECRUITER_B, MANAGER_B = _staff("recruiter", "rec-2"), _staff("department_manager", "mgr-2")
ADMIN = _staff("admin", None)


def _job_b() -> dict:
    """Another job, in another department, with its own recruiter and department manager."""
    job = copy.deepcopy(interview_event()["job"])
    job.update(job_id="job-2", title="Sales Lead", department="Sales",
               recruiter={"person_id": "rec-2", "name": "Ana Ruiz", "email": "ana.ruiz@company.example.com"},
               department_manager={"person_id": "mgr-2", "name": "Bo Li", "email": "bo.li@company.example.com"})
    return job


def _world(system, scheduled) -> dict[str, str]:
    """Interview A (job-1, Engineering) and interview B (job-2, Sales), each with a candidate's open request."""
    from functions.notify import events

    scheduled(interview_id="int-a", candidate_id="cand-a")
    events.handle("InterviewScheduled", interview_event("int-b", "cand-b", job=_job_b()))
    return {interview: cancellations.submit(
        interview_id=interview, initiator=Initiator.CANDIDATE, actor=f"candidate:{candidate}", reason_code="illness",
        reason_text=None, idempotency_key=f"key-{uuid.uuid4()}", candidate_id=candidate).request_id
        for interview, candidate in (("int-a", "cand-a"), ("int-b", "cand-b"))}


def _listed(system, claims: dict) -> set[str]:
    response = system.http("GET", "/api/staff/requests", claims=claims)
    assert response["statusCode"] == 200, response
    return {r["request_id"] for r in json.loads(response["body"])}


def _read(system, request_id: str, claims: dict) -> dict:
    return system.http("GET", f"/api/staff/requests/{request_id}", resource="/api/staff/requests/{request_id}",
                       claims=claims)


def test_each_recruiter_and_department_manager_lists_only_their_own_jobs_requests_and_an_admin_all(system,
                                                                                                  scheduled):
    # GIVEN open requests on job A (Engineering) and job B (Sales)
    requests = _world(system, scheduled)
    # WHEN each staff member lists the open requests
    # THEN each sees their own job's or department's only, and the admin sees both
    assert _listed(system, RECRUITER_A) == _listed(system, MANAGER_A) == {requests["int-a"]}
    assert _listed(system, RECRUITER_B) == _listed(system, MANAGER_B) == {requests["int-b"]}
    assert _listed(system, ADMIN) == set(requests.values())
    # AND a recruiter whose identity carries no person id sees none
    assert _listed(system, _staff("recruiter", None)) == set()


def test_another_jobs_request_reads_exactly_like_a_missing_one(system, scheduled):
    # GIVEN job B's request
    requests = _world(system, scheduled)
    # WHEN job A's recruiter and department manager read it, and a request id that does not exist
    others = [_read(system, requests["int-b"], claims) for claims in (RECRUITER_A, MANAGER_A)]
    missing = _read(system, str(uuid.uuid4()), RECRUITER_A)
    # THEN they get the same 404 with the same body as for the missing one
    assert [r["statusCode"] for r in others] == [404, 404] and missing["statusCode"] == 404
    assert all(json.loads(r["body"]) == json.loads(missing["body"]) for r in others)
    # AND job B's own recruiter and the admin read it, with its trail
    for claims in (RECRUITER_B, MANAGER_B, ADMIN):
        response = _read(system, requests["int-b"], claims)
        assert response["statusCode"] == 200 and json.loads(response["body"])["timeline"]


def test_a_recruiter_cannot_cancel_another_jobs_interview_and_nothing_changes(system, scheduled):
    # GIVEN interview B of another recruiter's job, scheduled
    from functions.notify import events

    scheduled(interview_id="int-a", candidate_id="cand-a")
    events.handle("InterviewScheduled", interview_event("int-b", "cand-b", job=_job_b()))
    path = "/api/staff/interviews/{interview_id}/cancellations"
    # WHEN job A's recruiter cancels it for the company, and an interview that does not exist
    answers = [system.http("POST", path.format(interview_id=interview), resource=path, claims=RECRUITER_A,
                           body={"reason_code": "position_paused"}, headers={"Idempotency-Key": f"k-{interview}-01"})
               for interview in ("int-b", "int-missing")]
    # THEN both are the same 404, and interview B is still scheduled with no request made
    assert [a["statusCode"] for a in answers] == [404, 404]
    assert json.loads(answers[0]["body"]) == json.loads(answers[1]["body"])
    interview = interview_store.get_interview("int-b")
    assert (interview.status, interview.pending_request_id) == ("SCHEDULED", None)
    assert request_store.requests_of("cand-b") == []
    # AND job B's recruiter can
    own = system.http("POST", path.format(interview_id="int-b"), resource=path, claims=RECRUITER_B,
                      body={"reason_code": "position_paused"}, headers={"Idempotency-Key": "k-int-b-own-1"})
    assert own["statusCode"] == 202 and interview_store.get_interview("int-b").status == "CANCELLATION_PENDING"


def test_slots_are_opened_by_the_jobs_recruiter_or_an_admin_and_an_unknown_jobs_only_by_an_admin(system,
                                                                                                 scheduled):
    # GIVEN job A with a registered interview (its job data names recruiter rec-1), and a job nobody registered
    scheduled(interview_id="int-a", candidate_id="cand-a")
    starts = (datetime.now(timezone.utc) + timedelta(days=9)).replace(microsecond=0).isoformat()
    path = "/api/staff/jobs/{job_id}/slots"

    def open_slot(job_id: str, claims: dict) -> dict:
        return system.http("POST", path.format(job_id=job_id), resource=path, claims=claims,
                           body={"starts_at": [starts]})

    # WHEN another job's recruiter opens a slot on job A, and job A's recruiter on a job without interviews
    refused = [open_slot("job-1", RECRUITER_B), open_slot("job-new", RECRUITER_A)]
    # THEN both are "no such job" and no slot is opened
    assert [r["statusCode"] for r in refused] == [404, 404]
    assert [s.starts_at for s in slot_store.available_slots("job-1", "2000")] == []
    assert slot_store.available_slots("job-new", "2000") == []
    # AND job A's recruiter opens one on job A, the admin one on the new job
    assert open_slot("job-1", RECRUITER_A)["statusCode"] == 201
    assert open_slot("job-new", ADMIN)["statusCode"] == 201
    assert len(slot_store.available_slots("job-1", "2000")) == len(slot_store.available_slots("job-new", "2000")) == 1
