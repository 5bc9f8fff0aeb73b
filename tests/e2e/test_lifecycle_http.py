"""End to end over HTTP against `interviews local`: candidate, approver, workflow, notifications, audit.

Every test but the escalation runs on the shared system, where nothing escalates by itself (its SLA outlasts the
session): a decision race, say, cannot be overtaken by the SLA passing. The escalation runs on the system with the
short SLA, which only the flows that need an SLA to pass use.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from icalendar import Calendar

from tests.e2e.conftest import SHORT_SLA_SECONDS, wait_for
from tests.e2e.conftest import approval_link as _approval_link
from tests.e2e.conftest import cancel as _cancel
from tests.e2e.conftest import final as _final
from tests.e2e.conftest import mails_to as _mails_to

pytestmark = pytest.mark.e2e

def test_candidate_cancels_and_the_recruiter_approves_from_the_e2e_link(local):
    # Given an interview two days ahead
    token = local.register("e2e-approve", "c-approve", timedelta(days=2))
    # When the candidate cancels it (illness goes to the recruiter)
    receipt = _cancel(local, token, "e2e-approve")
    assert receipt.status_code == 202, receipt.text
    request_id = receipt.json()["request_id"]
    link = _approval_link(local, request_id)
    # And the recruiter opens the e-mailed link (GET changes nothing), then approves (POST)
    page = requests.get(link, timeout=30)
    assert page.status_code == 200 and "Li Wei" in page.text and 'value="approve"' in page.text
    assert requests.get(f"{local.base}/api/staff/requests/{request_id}", headers=local.staff("admin"),
                        timeout=30).json()["status"] == "PENDING_APPROVAL"
    decided = requests.post(link, data={"decision": "approve", "comment": "get well soon"}, timeout=30)
    assert decided.status_code == 200
    # Then the interview is cancelled, its slot released, and both people got a calendar cancellation
    view = _final(local, request_id)
    assert view["status"] == "APPROVED"
    assert local.item("interviews", {"interview_id": "e2e-approve"})["status"] == "CANCELLED"
    assert local.item("slots", {"slot_id": "slot-e2e-approve"})["status"] == "AVAILABLE"
    # (each also got the invitation earlier, a REQUEST for the same entry: the cancellation is the later file)
    candidate_mail = wait_for(lambda: [m for m in _mails_to(local, "c-approve@mail.example.com")
                                       if _calendar_methods(m) == ["CANCEL"]])
    interviewer_mail = wait_for(lambda: [m for m in _mails_to(local, "jun.park@company.example.com")
                                         if "e2e-approve" in m["text"] and _calendar_methods(m) == ["CANCEL"]])
    calendar = Calendar.from_ical(__import__("base64").b64decode(candidate_mail[0]["attachments"][0]["content_base64"]))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == "e2e-approve@interviews.cancellations"
    assert len(interviewer_mail) == 1 and len(candidate_mail) == 1
    assert "/portal/" in candidate_mail[0]["text"]  # the rebook link
    # And the audit trail names an actor and a time for every transition
    trail = view["timeline"]
    assert [e["action"] for e in trail] == ["received", "routed", "approval_requested", "decision_approved",
                                            "approved"]
    assert all(e["actor"] and e["at"] for e in trail)
    assert trail[-1]["actor"] == "approver:rec-1"


def test_the_recruiter_rejects_and_the_candidate_hears_why_and_whom_to_contact(local):
    token = local.register("e2e-reject", "c-reject", timedelta(days=2))
    request_id = _cancel(local, token, "e2e-reject", reason="job_mismatch").json()["request_id"]
    link = _approval_link(local, request_id)
    assert requests.post(link, data={"decision": "reject", "comment": "the team would love to meet you"},
                         timeout=30).status_code == 200
    view = _final(local, request_id)
    assert view["status"] == "REJECTED"
    assert local.item("interviews", {"interview_id": "e2e-reject"})["status"] == "SCHEDULED"
    told = wait_for(lambda: [m for m in _mails_to(local, "c-reject@mail.example.com") if "love to meet" in m["text"]])
    assert "chen.jing@company.example.com" in told[0]["text"]
    assert local.item("requests", {"request_id": request_id})["retention_draft"]


def test_a_schedule_conflict_with_notice_is_cancelled_without_an_approver(local):
    token = local.register("e2e-auto", "c-auto", timedelta(days=3))
    request_id = _cancel(local, token, "e2e-auto", reason="schedule_conflict").json()["request_id"]
    view = _final(local, request_id)
    assert view["status"] == "APPROVED"
    assert [e["action"] for e in view["timeline"]] == ["received", "routed", "approved"]
    assert view["timeline"][-1]["actor"] == "policy:auto-approve"
    assert local.item("slots", {"slot_id": "slot-e2e-auto"})["status"] == "AVAILABLE"


def test_nobody_decides_so_it_escalates_and_the_default_applies(local_with_short_sla):
    # Given a pending request on the system whose SLA is short (and which no test without an SLA shares)
    local = local_with_short_sla
    token = local.register("e2e-timeout", "c-timeout", timedelta(days=2))
    request_id = _cancel(local, token, "e2e-timeout").json()["request_id"]
    # When nobody decides, at either level
    view = _final(local, request_id, timeout=4 * SHORT_SLA_SECONDS + 30)
    # Then the department manager was asked after the recruiter's SLA, and the policy's default applied
    assert [e["action"] for e in view["timeline"]] == ["received", "routed", "approval_requested", "escalated",
                                                        "approved"]
    assert view["timeline"][-1]["actor"] == "policy:default"
    escalation = [m for m in _mails_to(local, "sam.smith@company.example.com")
                  if "/approvals/" in m["text"] and request_id in m["text"]]
    assert escalation, "the department manager was asked after the recruiter's SLA passed"


def test_twenty_concurrent_decisions_record_exactly_one(local):
    # Given a pending request on the shared system, whose SLA cannot pass during the test (no escalation first)
    token = local.register("e2e-race", "c-race", timedelta(days=2))
    request_id = _cancel(local, token, "e2e-race").json()["request_id"]
    link = _approval_link(local, request_id)
    wait_for(lambda: local.item("approvals", {"request_id": request_id}))

    def decide(i):
        return requests.post(link, data={"decision": "approve" if i % 2 else "reject", "comment": f"#{i}"},
                             timeout=60).status_code

    # When twenty decisions arrive at once
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(decide, range(20)))
    # Then exactly one is recorded
    assert sorted(statuses) == [200] + [409] * 19
    view = _final(local, request_id)
    decisions = [e for e in view["timeline"] if e["action"].startswith("decision_")]
    assert len(decisions) == 1


@pytest.mark.parametrize("attempt", range(3))  # a race: three tries at it
def test_ten_concurrent_duplicates_make_one_request_and_one_execution(local, attempt):
    interview_id = f"e2e-dup-{attempt}"
    token = local.register(interview_id, f"c-dup-{attempt}", timedelta(days=2))
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(lambda _: _cancel(local, token, interview_id, key="one-key-for-all"), range(10)))
    assert {r.status_code for r in responses} <= {202, 409}
    ids = {r.json()["request_id"] for r in responses if r.status_code == 202}
    assert len(ids) == 1
    (request_id,) = ids
    # Every execution of the shared state machine, all pages (other tests' executions are there too)
    names = [e["name"] for page in local.aws("stepfunctions").get_paginator("list_executions").paginate(
        stateMachineArn=local.info["state_machine_arn"]) for e in page["executions"]]
    assert names.count(request_id) == 1
    mine = [n for n in names if n.startswith(request_id[:8])]
    assert len(mine) == 1
    view = requests.get(f"{local.base}/api/staff/requests/{request_id}", headers=local.staff("admin"), timeout=30)
    assert [e["action"] for e in view.json()["timeline"]].count("received") == 1


def test_bad_links_get_a_readable_page_and_change_nothing(local):
    tampered = requests.get(f"{local.base}/approvals/eyJyIjoiIn0.forged", timeout=30)
    assert tampered.status_code == 403 and "<html" in tampered.text.lower()
    posted = requests.post(f"{local.base}/approvals/eyJyIjoiIn0.forged", data={"decision": "approve"}, timeout=30)
    assert posted.status_code == 403
    portal = requests.get(f"{local.base}/portal/not-a-token", timeout=30)
    assert portal.status_code == 403 and "<html" in portal.text.lower()


def test_a_candidate_link_never_shows_another_candidates_interview(local):
    mine = local.register("e2e-mine", "c-mine", timedelta(days=2))
    local.register("e2e-theirs", "c-theirs", timedelta(days=2))
    listed = requests.get(f"{local.base}/api/candidate/interviews", headers={"Authorization": f"Bearer {mine}"},
                          timeout=30).json()
    assert [i["interview_id"] for i in listed] == ["e2e-mine"]
    assert _cancel(local, mine, "e2e-theirs").status_code == 404
    page = requests.get(f"{local.base}/portal/{mine}", timeout=30)
    assert "e2e-mine" in page.text and "e2e-theirs" not in page.text


def test_a_reason_text_with_markup_renders_inert_on_the_approval_page(local):
    token = local.register("e2e-xss", "c-xss", timedelta(days=2))
    request_id = _cancel(local, token, "e2e-xss", reason="other", text="<script>alert(1)</script>").json()["request_id"]
    link = _approval_link(local, request_id)
    wait_for(lambda: "alert" in requests.get(link, timeout=30).text or None, timeout=30)
    page = requests.get(link, timeout=30).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_openapi_document_and_swagger_ui_are_served(local):
    document = requests.get(f"{local.base}/openapi.json", timeout=30).json()
    assert "/api/candidate/interviews/{interview_id}/cancellations" in document["paths"]
    assert "/approvals/{token}" in document["paths"]
    assert requests.get(f"{local.base}/docs", timeout=30).status_code == 200


def _calendar_methods(message: dict) -> list[str]:
    return [a["method"] for a in message["attachments"] if a["content_type"] == "text/calendar"]
