"""The staff workplace: approvals decided in the console exactly as from the e-mailed link (once, audited, handed
to the workflow, and the link then refuses), and the interview and request search (filters, pages, scope, CSV)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from functions.core.errors import ConflictError
from functions.core.models import Decision, Initiator
from functions.domain import approvals, cancellations
from functions.integration.data import interview_store, request_store
from local_runtime.lambda_events import api_gateway_event
from tests.integration.conftest import header, interview_event, store_request
from tests.integration.test_staff_scopes import ADMIN, MANAGER_A, RECRUITER_A, RECRUITER_B, _job_b
from tests.integration.test_workflow import _approval_token


def _call(system, function: str, method: str, path: str, claims: dict, *, body: dict | str | None = None,
          query: dict | None = None) -> dict:
    raw = body if isinstance(body, str) else (json.dumps(body) if body is not None else "")
    event = api_gateway_event(method=method, path=path, resource=path, path_parameters={}, query=query or {},
                              headers={"Content-Type": "application/json"}, body=raw.encode(), claims=claims,
                              source_ip="127.0.0.1")
    return system.invoke(function, event)


def _waiting(system, claims: dict) -> list[str]:
    response = _call(system, "approve", "GET", "/api/staff/approvals", claims)
    assert response["statusCode"] == 200, response
    return [a["request_id"] for a in json.loads(response["body"])]


def _decide(system, request_id: str, claims: dict, decision: str = "approve", comment: str | None = None) -> dict:
    body = {"decision": decision} | ({"comment": comment} if comment else {})
    return _call(system, "approve", "POST", f"/api/staff/approvals/{request_id}/decision", claims, body=body)


def _pending(system, scheduled, interview_id="int-1", candidate_id="cand-1") -> tuple[str, str]:
    scheduled(interview_id=interview_id, candidate_id=candidate_id)
    receipt = cancellations.submit(interview_id=interview_id, initiator=Initiator.CANDIDATE,
                                   actor=f"candidate:{candidate_id}", reason_code="illness", reason_text=None,
                                   idempotency_key=f"key-{uuid.uuid4()}", candidate_id=candidate_id)
    return receipt.request_id, _approval_token(system, receipt.request_id)


def _approval_state(request_id: str):
    from functions.integration.data import approval_store

    approval = approval_store.get_approval(request_id)
    return (approval.decision, approval.decided_by, [e.action for e in request_store.audit_trail(request_id)])


# ---- waiting for me and the console's decision ---------------------------------------------------------------------

def test_the_request_waits_for_its_approver_only_and_a_console_decision_is_the_links_decision(system, scheduled):
    # GIVEN a candidate's request waiting for the job's recruiter (rec-1), who was also mailed a link
    request_id, token = _pending(system, scheduled)
    # WHEN each staff member looks at what waits for them
    # THEN only the recruiter sees it (the department manager and another recruiter do not, nor the admin)
    assert _waiting(system, RECRUITER_A) == [request_id]
    assert _waiting(system, MANAGER_A) == _waiting(system, RECRUITER_B) == _waiting(system, ADMIN) == []
    # WHEN the recruiter approves in the console
    response = _decide(system, request_id, RECRUITER_A, comment="get well soon")
    # THEN it is decided once, audited with the staff member as actor, and the workflow cancels the interview
    assert response["statusCode"] == 200, response
    assert json.loads(response["body"]) == {"request_id": request_id, "outcome": "approved"}
    assert system.execution(request_id)["status"] == "SUCCEEDED"
    assert interview_store.get_interview("int-1").status == "CANCELLED"
    trail = request_store.audit_trail(request_id)
    decided = [e for e in trail if e.action == "decision_approved"]
    assert len(decided) == 1 and decided[0].actor == RECRUITER_A_ACTOR and decided[0].why == "get well soon"
    # AND the e-mailed link now refuses, as "already decided", and its page offers no decision
    with pytest.raises(ConflictError) as refused:
        approvals.decide(token, Decision.REJECT, None)
    assert refused.value.code == "already_decided"
    page = system.http("GET", f"/approvals/{token}", function="approve", resource="/approvals/{token}")
    assert page["statusCode"] == 200 and "already been decided" in page["body"]
    assert 'name="decision"' not in page["body"]
    posted = system.http("POST", f"/approvals/{token}", function="approve", resource="/approvals/{token}",
                         body="decision=reject", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert posted["statusCode"] == 409
    # AND a second console decision is a conflict, and nothing waits any more
    again = _decide(system, request_id, RECRUITER_A, "reject")
    assert again["statusCode"] == 409 and json.loads(again["body"])["code"] == "already_decided"
    assert [e.action for e in request_store.audit_trail(request_id)].count("decision_approved") == 1
    assert request_store.get_request(request_id).status == "APPROVED"
    assert _waiting(system, RECRUITER_A) == []


RECRUITER_A_ACTOR = f"staff:{RECRUITER_A['sub']}"


def test_a_link_decision_makes_the_console_answer_already_decided(system, scheduled):
    # GIVEN a request the recruiter rejects from the e-mailed link
    request_id, token = _pending(system, scheduled)
    approvals.decide(token, Decision.REJECT, None)
    # WHEN the recruiter then decides in the console
    response = _decide(system, request_id, RECRUITER_A, "approve")
    # THEN it is a conflict and the link's decision stands
    assert response["statusCode"] == 409 and json.loads(response["body"])["code"] == "already_decided"
    assert system.execution(request_id)["status"] == "SUCCEEDED"
    assert request_store.get_request(request_id).status == "REJECTED"


def test_only_the_approver_decides_others_are_refused_and_nothing_changes(system, scheduled):
    # GIVEN a request waiting for recruiter rec-1
    request_id, _ = _pending(system, scheduled)
    before = _approval_state(request_id)
    # WHEN another job's recruiter, the department's manager (who reaches it but is not its approver) and the
    # admin try to decide it, and the approver sends a decision that is not one
    other = _decide(system, request_id, RECRUITER_B)
    manager = _decide(system, request_id, MANAGER_A)
    admin = _decide(system, request_id, ADMIN)
    invalid = _decide(system, request_id, RECRUITER_A, "maybe")
    missing = _decide(system, "no-such-request", RECRUITER_A)
    # THEN out of reach reads as missing, within reach it is someone else's, the bad body names its field
    assert other["statusCode"] == 404 and json.loads(other["body"]) == json.loads(missing["body"])
    assert manager["statusCode"] == admin["statusCode"] == 403
    assert json.loads(manager["body"])["code"] == "not_your_approval"
    assert invalid["statusCode"] == 422
    # AND nothing was decided or audited
    assert _approval_state(request_id) == before == (None, None, before[2])
    assert _waiting(system, RECRUITER_A) == [request_id]


# ---- search ------------------------------------------------------------------------------------------------------

def _search(system, path: str, claims: dict, **query) -> dict:
    response = _call(system, "cancel", "GET", path, claims, query={k: str(v) for k, v in query.items()})
    assert response["statusCode"] == 200, response
    return json.loads(response["body"])


def _register(interview_id: str, candidate_id: str, days: int, **changes) -> None:
    from functions.notify import events

    name = changes.pop("name", f"Name {candidate_id}")
    event = interview_event(interview_id, candidate_id, starts_in=timedelta(days=days, hours=1), **changes)
    event["candidate"]["name"] = name
    events.handle("InterviewScheduled", event)


def _world() -> None:
    """Job A (Engineering, rec-1/mgr-1): three interviews on days 1, 2, 3 ahead; job B (Sales, rec-2): one."""
    for n in (1, 2, 3):
        _register(f"int-a{n}", f"cand-a{n}", n)
    _register("int-b1", "cand-b1", 2, job=_job_b())


def test_the_interview_search_pages_newest_first_within_scope_and_filters(system):
    # GIVEN interviews of two jobs on several days
    _world()
    # WHEN the admin searches a page of two at a time
    first = _search(system, "/api/staff/interviews", ADMIN, limit=2)
    second = _search(system, "/api/staff/interviews", ADMIN, limit=2, cursor=first["next_cursor"])
    # THEN every interview shows once, latest first, and the last page has no cursor
    ids = [i["interview_id"] for i in first["items"] + second["items"]]
    assert ids[0] == "int-a3" and ids[-1] == "int-a1" and sorted(ids) == ["int-a1", "int-a2", "int-a3", "int-b1"]
    assert second["next_cursor"] is None
    # AND scope, job, department, candidate, status and dates narrow it
    ids_of = lambda claims, **q: [i["interview_id"] for i in _search(system, "/api/staff/interviews", claims, **q)["items"]]  # noqa: E731
    assert ids_of(RECRUITER_B) == ["int-b1"]
    assert ids_of(RECRUITER_A) == ids_of(ADMIN, job="job-1") == ["int-a3", "int-a2", "int-a1"]
    assert ids_of(ADMIN, department="sales") == ["int-b1"]
    assert ids_of(ADMIN, candidate="name cand-a2") == ids_of(ADMIN, candidate="cand-a2") == ["int-a2"]
    day2 = (datetime.now(timezone.utc) + timedelta(days=2, hours=1)).date().isoformat()
    assert sorted(ids_of(ADMIN, date_from=day2, date_to=day2)) == ["int-a2", "int-b1"]
    assert ids_of(ADMIN, status="CANCELLED") == []


def test_request_history_reaches_beyond_two_weeks_and_filters_by_status(system):
    # GIVEN an interview with a request decided 40 days ago and another still open today
    _world()
    old = (datetime.now(timezone.utc) - timedelta(days=40)).replace(microsecond=0).isoformat()
    store_request(system, "req-old", "int-a1", "cand-a1", "REJECTED", created_at=old, created_day=old[:10],
                  route_rule="r", route_summary="s", requested_by="candidate:cand-a1")
    open_request = cancellations.submit(interview_id="int-a2", initiator=Initiator.CANDIDATE,
                                        actor="candidate:cand-a2", reason_code="illness", reason_text=None,
                                        idempotency_key=f"key-{uuid.uuid4()}", candidate_id="cand-a2").request_id
    # WHEN the recruiter searches the request history
    found = _search(system, "/api/staff/request-history", RECRUITER_A)
    # THEN both are there, newest first; the status filter and another job's recruiter narrow it
    assert [r["request_id"] for r in found["items"]] == [open_request, "req-old"]
    assert found["items"][1]["status"] == "REJECTED" and found["items"][1]["job_title"]
    assert [r["request_id"] for r in _search(system, "/api/staff/request-history", RECRUITER_A,
                                             status="REJECTED")["items"]] == ["req-old"]
    assert _search(system, "/api/staff/request-history", RECRUITER_B)["items"] == []


def test_the_csv_export_is_what_the_search_finds_with_formula_cells_defused(system):
    # GIVEN a candidate whose name a spreadsheet would run as a formula
    _world()
    _register("int-a4", "cand-a4", 4, name='=HYPERLINK("http://evil.example","x")')
    # WHEN the recruiter exports the interview search of job 1
    response = _call(system, "cancel", "GET", "/api/staff/interviews/export", RECRUITER_A, query={"job": "job-1"})
    # THEN it is a CSV of exactly those interviews, and the formula is text
    assert response["statusCode"] == 200
    assert header(response, "Content-Type").startswith("text/csv")
    assert header(response, "Content-Disposition") == 'attachment; filename="interviews.csv"'
    rows = list(csv.DictReader(io.StringIO(response["body"])))
    assert [r["interview_id"] for r in rows] == ["int-a4", "int-a3", "int-a2", "int-a1"]
    assert rows[0]["candidate_name"] == '\'=HYPERLINK("http://evil.example","x")'
    # AND another job's recruiter exports none of them
    other = _call(system, "cancel", "GET", "/api/staff/interviews/export", RECRUITER_B, query={"job": "job-1"})
    assert list(csv.DictReader(io.StringIO(other["body"]))) == []


@pytest.mark.parametrize("query, field", [
    ({"date_from": "2030-02-01", "date_to": "2030-01-01"}, "date_from"),
    ({"date_from": "2030-01-01", "date_to": "2032-01-01"}, "366"),
    ({"date_from": "2030-13-01"}, "date_from"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"status": "LOST"}, "status"),
    ({"limit": "0"}, "limit"),
])
def test_a_bad_search_is_a_clear_error(system, query, field):
    # GIVEN a search with one bad field WHEN it is sent
    response = _call(system, "cancel", "GET", "/api/staff/interviews", ADMIN, query=query)
    # THEN it is refused with a problem naming what is wrong
    assert response["statusCode"] == 422, response
    body = json.loads(response["body"])
    assert field in json.dumps(body), body


def test_interviews_stored_before_the_search_are_found_after_the_backfill_and_a_rerun_changes_nothing(system):
    # GIVEN an interview stored before start_day existed (as older items are)
    import importlib.util
    from pathlib import Path

    _register("int-old", "cand-old", 2)
    table = system.resources.table_names["TABLE_INTERVIEWS"]
    dynamodb = boto3.client("dynamodb")
    dynamodb.update_item(TableName=table, Key={"interview_id": {"S": "int-old"}}, UpdateExpression="REMOVE start_day")
    assert _search(system, "/api/staff/interviews", ADMIN, candidate="cand-old")["items"] == []
    spec = importlib.util.spec_from_file_location(
        "backfill_start_day", Path(__file__).resolve().parents[2] / "scripts" / "backfill_start_day.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    # WHEN the backfill runs, twice
    first, second = script.backfill(table, dynamodb), script.backfill(table, dynamodb)
    # THEN it gave that one interview its day, once, and the search finds it
    assert (first, second) == (1, 0)
    assert interview_store.get_interview("int-old").start_day == interview_store.get_interview("int-old").starts_at[:10]
    assert [i["interview_id"] for i in _search(system, "/api/staff/interviews", ADMIN, candidate="cand-old")["items"]] \
        == ["int-old"]
