"""Booking a new time after a cancellation, end to end on moto: allowed per reason by the policy (every candidate
reason by default, no company reason), shown and refused accordingly; a rebooking stores the new interview linked
to the cancelled one with its completed AI-interview parts, sends the invitation with its calendar entry through
the registration's bus path and announces InterviewRebooked for the ATS."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import boto3
from icalendar import Calendar

from functions.core.clock import to_iso, utc_now
from functions.core.i18n import translator
from functions.core.models import Initiator, Locale
from functions.domain import cancellations, moves
from functions.integration import links
from functions.integration.data import interview_store, request_store, slot_store
from functions.notify import events
from tests.integration.conftest import store_request
from tests.integration.test_notify_events import tap, validator  # noqa: F401 - tap is a fixture

T = translator(Locale.ZH_CN)  # Li Wei reads Chinese
LI_WEI = "li.wei@mail.example.com"


def _free_slot(days: float = 5) -> str:
    [slot] = moves.publish_slots("job-1", [to_iso(utc_now().replace(microsecond=0) + timedelta(days=days))])
    return slot.slot_id


def _rebook(system, interview_id: str, slot_id: str, candidate_id: str = "cand-1") -> tuple[int, dict]:
    response = system.http("POST", f"/api/candidate/interviews/{interview_id}/rebookings", body={"slot_id": slot_id},
                           headers={"Authorization": f"Bearer {links.candidate_token(candidate_id)}"})
    return response["statusCode"], json.loads(response["body"])


def _portal(system, candidate_id: str = "cand-1") -> str:
    return system.http("GET", f"/portal/{links.candidate_token(candidate_id)}")["body"]


def _mails(system, to: str, subject: str) -> list[dict]:
    return [m for m in system.sent_mail() if m["to"] == to and m["subject"] == subject]


def _calendar(attachment: dict) -> Calendar:
    return Calendar.from_ical(base64.b64decode(attachment["content_base64"]))


def _uid(mail: dict) -> str:
    return str(_calendar(mail["attachments"][0]).walk("VEVENT")[0]["UID"])


def _uid_of(interview_id: str) -> str:
    return f"{interview_id}@interviews.cancellations"


def _invitations_of(system, interview_id: str) -> list[tuple[str, Calendar]]:
    """(recipient, calendar) of every invitation.ics sent for this interview."""
    found = []
    for mail in system.sent_mail():
        for attachment in mail["attachments"]:
            if attachment["filename"] == "invitation.ics":
                calendar = _calendar(attachment)
                if str(calendar.walk("VEVENT")[0]["UID"]) == _uid_of(interview_id):
                    found.append((mail["to"], calendar))
    return found


def _company_cancelled(system, scheduled, reason: str) -> None:
    """Li Wei's interview cancelled by the company for `reason`: approved, the slot released, the outcome handled."""
    scheduled()
    store_request(system, "req-company", "int-1", "cand-1", "APPROVED", initiator="company", reason_code=reason)
    events.handle("CancellationApproved", {
        "version": "1", "request_id": "req-company", "interview_id": "int-1", "candidate_id": "cand-1",
        "slot_id": "slot-int-1", "initiator": "company", "reason_code": reason, "outcome": "approved",
        "actor": "approver:mgr-1", "comment": "", "decided_at": "2030-01-01T00:00:00.000Z"})


def test_after_a_candidate_cancellation_a_rebooking_makes_a_new_interview_with_invitation_and_kept_parts(
        system, scheduled, tap):
    # GIVEN Li Wei's interview with two AI-interview parts done, cancelled for a schedule conflict three days ahead
    # (approved by the policy, through the real workflow), and a free slot of the job
    scheduled(completed_parts=["self-introduction", "coding"])
    receipt = cancellations.submit(interview_id="int-1", initiator=Initiator.CANDIDATE, actor="candidate:cand-1",
                                   reason_code="schedule_conflict", reason_text=None, idempotency_key="key-rebook-1",
                                   candidate_id="cand-1")
    assert system.execution(receipt.request_id)["status"] == "SUCCEEDED"
    system.drain()
    free = _free_slot()
    # THEN the cancellation e-mail offers a new time and the portal shows "book a new time"
    [approved] = _mails(system, LI_WEI, T("mail.approved.subject", job_title="Backend Engineer"))
    offering = T("mail.approved.body", name="Li Wei", job_title="Backend Engineer", starts_at="X")
    assert offering.split("X")[-1] in approved["text"]
    assert T("page.rebook") in _portal(system)

    # WHEN Li Wei books the free slot from the portal's API, and sends the same choice again
    first = _rebook(system, "int-1", free)
    again = _rebook(system, "int-1", free)
    system.drain()

    # THEN a new interview exists in that slot, linked to the cancelled one, with the completed parts kept
    assert first == again and first[0] == 200
    new_id = first[1]["interview_id"]
    new = interview_store.get_interview(new_id)
    assert (new.status, new.slot_id, new.rebooked_from) == ("SCHEDULED", free, "int-1")
    assert list(new.completed_parts) == ["self-introduction", "coding"] == first[1]["completed_parts"]
    assert slot_store.get_slot(free).status == "BOOKED" and slot_store.get_slot(free).interview_id == new_id
    old = interview_store.get_interview("int-1")
    assert (old.status, old.rebooked_to, old.rebooked_slot_id) == ("CANCELLED", new_id, free)
    # AND the invitation went once, to Li Wei and to the interviewer, with a calendar REQUEST of the new interview
    invitations = _invitations_of(system, new_id)
    assert sorted(to for to, _ in invitations) == ["jun.park@company.example.com", LI_WEI]
    assert all(calendar["METHOD"] == "REQUEST" for _, calendar in invitations)
    [li_wei] = [m for m in _mails(system, LI_WEI, T("mail.invitation.subject", job_title="Backend Engineer"))
                if m["attachments"] and _uid(m) == _uid_of(new_id)]
    assert links.portal_url("cand-1").split("/portal/")[0] in li_wei["text"]
    # AND InterviewRebooked names both ids for the ATS and matches its schema (once per announcement)
    rebooked = tap.of("InterviewRebooked")
    assert rebooked and all(validator("InterviewRebooked").is_valid(d) for d in rebooked)
    assert {(d["interview_id"], d["rebooked_from"], tuple(d["completed_parts"])) for d in rebooked} == {
        (new_id, "int-1", ("self-introduction", "coding"))}
    # AND the portal now says a new time is booked and offers no second rebooking
    page = _portal(system)
    assert T("page.rebooked_already") in page and 'data-action="rebookings"' not in page
    # AND the cancelled interview's trail says who rebooked it and where
    [entry] = request_store.audit_trail(moves.trail_id("int-1"))
    assert entry.action == "rebooked" and new_id in entry.why and free in entry.why


def test_after_screening_failed_no_new_time_is_offered_and_the_api_refuses_changing_nothing(system, scheduled):
    # GIVEN Li Wei's interview cancelled by the company because screening failed, and a free slot of the job
    _company_cancelled(system, scheduled, "screening_failed")
    free = _free_slot()
    # THEN the cancellation e-mail does not offer a new time (the final wording), and neither does the portal
    [approved] = _mails(system, LI_WEI, T("mail.approved.subject", job_title="Backend Engineer"))
    final = T("mail.approved_final.body", name="Li Wei", job_title="Backend Engineer", starts_at="X")
    offering = T("mail.approved.body", name="Li Wei", job_title="Backend Engineer", starts_at="X")
    assert final.split("X")[-1] in approved["text"] and offering.split("X")[-1] not in approved["text"]
    assert 'data-action="rebookings"' not in _portal(system)
    # WHEN Li Wei asks the API for the free slot anyway
    status, problem = _rebook(system, "int-1", free)
    # THEN it is refused with the problem code, in Li Wei's language, and nothing was booked or stored
    assert (status, problem["code"]) == (409, "rebook_not_allowed")
    assert problem["detail"] == T("problem.rebook_not_allowed", contact="chen.jing@company.example.com")
    assert slot_store.get_slot(free).status == "AVAILABLE"
    assert interview_store.get_interview(moves.rebooked_interview_id("int-1")) is None
    assert interview_store.get_interview("int-1").rebooked_slot_id is None


def test_a_company_reason_the_policy_lists_allows_rebooking(system, scheduled, tmp_path, monkeypatch):
    # GIVEN a policy that allows rebooking after the company's own scheduling error
    from functions.domain import policy_source

    text = (policy_source.Path(policy_source.__file__).parent / "policies" / "default.yaml").read_text()
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace("  company: []", "  company: [scheduling_error]"))
    monkeypatch.setenv("POLICY_FILE", str(path))
    assert policy_source.load_policy().rebooking.company == ["scheduling_error"]
    # AND Li Wei's interview cancelled by the company for a scheduling error
    _company_cancelled(system, scheduled, "scheduling_error")
    free = _free_slot()
    # WHEN Li Wei books a new time THEN the new interview is booked
    assert 'data-action="rebookings"' in _portal(system)
    status, booked = _rebook(system, "int-1", free)
    assert status == 200 and booked["rebooked_from"] == "int-1"


def test_another_candidate_cannot_rebook_and_a_taken_slot_is_refused(system, scheduled):
    # GIVEN Li Wei's interview cancelled for illness and a slot of the job already booked by another interview
    scheduled()
    scheduled(interview_id="int-2", candidate_id="cand-2")
    store_request(system, "req-ill", "int-1", "cand-1", "APPROVED")
    # WHEN another candidate tries to rebook it, or Li Wei picks the booked slot
    other = _rebook(system, "int-1", "slot-int-2", candidate_id="cand-2")
    taken = _rebook(system, "int-1", "slot-int-2")
    # THEN the first is 404 (as for a missing interview), the second 409 slot_taken, and nothing changed
    assert (other[0], other[1]["code"]) == (404, "interview_not_found")
    assert (taken[0], taken[1]["code"]) == (409, "slot_taken")
    assert slot_store.get_slot("slot-int-2").interview_id == "int-2"
    assert interview_store.get_interview("int-1").rebooked_slot_id is None
    assert boto3.client("dynamodb").scan(TableName=system.resources.table_names["TABLE_INTERVIEWS"])["Count"] == 2
