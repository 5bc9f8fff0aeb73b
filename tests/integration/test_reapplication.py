"""A candidate who cancelled before is registered again: the job's recruiter is told at once by e-mail with the
earlier reasons, and the staff console flags the interview (GET /api/staff/reapplications, within scope)."""

from __future__ import annotations

import copy
import json

from functions.core.i18n import translator
from functions.core.models import Locale
from functions.integration.data import interview_store
from functions.notify import events
from tests.integration.conftest import interview_event, store_request
from tests.integration.test_registration import ADMIN, ATS, RECRUITER

RECRUITER_MAIL = "chen.jing@company.example.com"  # the recruiter of job-1 in tests/events/interview_scheduled.json
T = translator(Locale.EN)  # staff read the deployment's language (en here)
OTHER_RECRUITER = {**RECRUITER, "sub": "u-rec-2", "custom:person_id": "rec-2"}


def _cancelled_for_illness(system, scheduled) -> None:
    """Li Wei's first interview, cancelled for illness: approved, and the outcome recorded in the profile."""
    scheduled()
    store_request(system, "req-ill", "int-1", "cand-1", "APPROVED")
    events.handle("CancellationApproved", {
        "version": "1", "request_id": "req-ill", "interview_id": "int-1", "candidate_id": "cand-1",
        "slot_id": "slot-int-1", "initiator": "candidate", "reason_code": "illness", "outcome": "approved",
        "actor": "approver:rec-1", "comment": "", "decided_at": "2030-01-01T00:00:00.000Z"})


def _alerts(system) -> list[dict]:
    subject = T("mail.reapplied.subject", candidate="Li Wei", job_title="Backend Engineer")
    return [m for m in system.sent_mail() if m["to"] == RECRUITER_MAIL and m["subject"] == subject]


def _flagged(system, claims: dict) -> list[dict]:
    response = system.http("GET", "/api/staff/reapplications", claims=claims)
    assert response["statusCode"] == 200
    return json.loads(response["body"])


def test_a_candidate_who_cancelled_before_and_is_registered_again_is_flagged_to_the_recruiter_at_once(
        system, scheduled):
    # GIVEN Li Wei, who cancelled an interview for illness
    _cancelled_for_illness(system, scheduled)
    assert _alerts(system) == [] and _flagged(system, ADMIN) == []
    # WHEN the ATS registers a new interview for Li Wei, and sends the same registration again
    event = interview_event("int-2", "cand-1")
    answers = [system.http("POST", "/api/staff/interviews", body=event, claims=ATS) for _ in range(2)]
    system.drain()
    assert [a["statusCode"] for a in answers] == [201, 200]
    # THEN the job's recruiter got one e-mail naming the earlier reason, the job and date, with the console's link
    [alert] = _alerts(system)
    assert f"{T('reason.illness')} (Backend Engineer, 2030-01-01)" in alert["text"] and "/staff" in alert["text"]
    assert "int-2" in alert["text"]
    # AND the interview carries the earlier reasons, and the console lists it for the recruiter and an admin
    assert interview_store.get_interview("int-2").reapplied_after == ["illness"]
    for claims in (RECRUITER, ADMIN):
        [flag] = _flagged(system, claims)
        assert (flag["interview_id"], flag["candidate_name"], flag["cancelled_before"]) == ("int-2", "Li Wei",
                                                                                            ["illness"])
    # AND another job's recruiter does not see it
    assert _flagged(system, OTHER_RECRUITER) == []


def test_the_same_alert_comes_through_the_bus_path_once_even_when_the_event_is_redelivered(system, scheduled):
    # GIVEN Li Wei, who cancelled before
    _cancelled_for_illness(system, scheduled)
    # WHEN the ATS's InterviewScheduled for a new interview arrives on the bus twice
    event = interview_event("int-3", "cand-1")
    events.handle("InterviewScheduled", copy.deepcopy(event))
    events.handle("InterviewScheduled", copy.deepcopy(event))
    # THEN the recruiter is told once
    assert len(_alerts(system)) == 1


def test_a_first_time_candidate_raises_no_alert_and_no_flag(system, scheduled):
    # GIVEN a candidate who never cancelled WHEN their interview is registered
    scheduled()
    scheduled(interview_id="int-2")
    # THEN nobody is alerted and the console flags nobody
    assert _alerts(system) == [] and _flagged(system, ADMIN) == []
    assert interview_store.get_interview("int-2").reapplied_after is None
