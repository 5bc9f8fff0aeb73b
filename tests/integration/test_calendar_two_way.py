"""Two-way calendars on a real Radicale server: the calendar sync (notify's calendar-sync schedule) reads what the
interviewer did in their calendar. Deleted or declined -> a company request `interviewer_unavailable` opens,
routed by the policy to the department manager; the recruiter is mailed; the candidate is offered the job's free
slots and may move, which closes the request. Our own writes (a move, an approved cancellation's removal) and a
change read twice open nothing."""

from __future__ import annotations

from datetime import timedelta

import boto3
import caldav
import pytest
from icalendar import Calendar

from functions.core.clock import to_iso, utc_now
from functions.core.errors import ConflictError
from functions.core.models import Decision, Initiator
from functions.domain import approvals, moves
from functions.integration import links
from functions.integration.data import interview_store, request_store
from local_runtime.lambda_events import scheduled_event
from tests.integration.test_interviewer_calendar_sync import (  # noqa: F401 - fixtures
    PASSWORD,
    UID,
    USER,
    cancelled_by_policy,
    connected,
    entries,
    radicale,
)
from tests.integration.test_workflow import _approval_token

RECRUITER, CANDIDATE = "chen.jing@company.example.com", "li.wei@mail.example.com"


def sync(system) -> dict:
    """One run of the calendar-sync schedule, as EventBridge Scheduler invokes notify; then the queues drained."""
    result = system.invoke("notify", scheduled_event({"job": "calendar-sync"}))
    system.drain()
    return result


def interviewer_calendar(url: str):
    """Jun Park's calendar through his own login, as his calendar app sees it."""
    return caldav.DAVClient(url=url, username=USER, password=PASSWORD).calendar(url=url)


def decline(url: str, uid: str) -> None:
    """What a calendar app does when Jun Park declines: his ATTENDEE's PARTSTAT becomes DECLINED."""
    event = interviewer_calendar(url).event_by_uid(uid)
    calendar = Calendar.from_ical(event.data)
    for vevent in calendar.walk("VEVENT"):
        for attendee in vevent.get("ATTENDEE") or []:
            if str(attendee).lower().endswith(f"{USER}@company.example.com"):
                attendee.params["PARTSTAT"] = "DECLINED"
    event.data = calendar.to_ical().decode()
    event.save()


def mails(system, to: str, subject_part: str) -> list[dict]:
    return [m for m in system.sent_mail() if m["to"] == to and subject_part in m["subject"]]


def company_requests(interview_id: str) -> list:
    return [r for r in request_store.requests_of("cand-1") if r.interview_id == interview_id
            and r.reason_code == "interviewer_unavailable"]


def test_the_interviewer_deleting_the_entry_opens_a_company_request_mails_the_recruiter_and_offers_a_move(
        system, radicale, connected, scheduled):
    # GIVEN Li Wei's interview in Jun Park's calendar, a free slot of the job, and a sync that has read it once
    scheduled()
    [slot] = moves.publish_slots("job-1", [to_iso(utc_now().replace(microsecond=0) + timedelta(days=6))])
    assert sync(system)["opened"] == 0
    # WHEN Jun Park deletes the entry in his calendar and the sync runs
    interviewer_calendar(connected).event_by_uid(UID).delete()
    result = sync(system)
    # THEN one company request opens with the reason interviewer_unavailable, routed to the department manager
    assert result["opened"] == 1 and result["dropped"] == 1
    [request] = company_requests("int-1")
    assert request.initiator == Initiator.COMPANY
    assert interview_store.get_interview("int-1").status == "CANCELLATION_PENDING"
    link = _approval_token(system, request.request_id)  # waits for the workflow to ask its first approver
    assert [m["to"] for m in system.sent_mail() if link in m["text"]] == ["sam.smith@company.example.com"]
    assert request_store.get_request(request.request_id).status == "PENDING_APPROVAL"
    # AND the recruiter is told, in the staff language, naming the interviewer and the request
    [told] = mails(system, RECRUITER, "Interviewer unavailable")
    assert "Jun Park" in told["text"] and request.request_id in told["text"]
    # AND the candidate is offered another time, with her personal link
    [offer] = mails(system, CANDIDATE, "选择其他时间")  # Li Wei reads Chinese
    assert "/portal/" in offer["text"]
    # AND her portal offers the job's free slot to move to
    token = links.candidate_token("cand-1")
    page = system.http("GET", f"/portal/{token}")["body"]
    assert 'class="move-offered"' in page and 'data-action="moves"' in page
    assert [s.slot_id for s in moves.open_slots("int-1", "cand-1")] == [slot.slot_id]
    # WHEN the sync runs again
    # THEN nothing more opens (the change was read; the token moved on)
    assert sync(system)["opened"] == 0 and len(company_requests("int-1")) == 1


def test_the_candidates_move_closes_the_request_stops_its_workflow_and_puts_the_entry_back_at_the_new_time(
        system, radicale, connected, scheduled):
    # GIVEN the interviewer dropped Li Wei's interview and the company request is open
    scheduled()
    [slot] = moves.publish_slots("job-1", [to_iso(utc_now().replace(microsecond=0) + timedelta(days=6))])
    sync(system)
    interviewer_calendar(connected).event_by_uid(UID).delete()
    sync(system)
    [request] = company_requests("int-1")
    approver_link = _approval_token(system, request.request_id)  # the department manager was asked
    # WHEN she moves to the offered slot
    receipt = moves.move("int-1", "cand-1", slot.slot_id)
    system.drain()
    # THEN the interview is scheduled at the new time, the request closed as kept by her move, its workflow stopped
    interview = interview_store.get_interview("int-1")
    assert (interview.status, interview.starts_at, receipt.slot_id) == ("SCHEDULED", slot.starts_at, slot.slot_id)
    closed = request_store.get_request(request.request_id)
    assert (closed.status, closed.decided_by) == ("REJECTED", "candidate:cand-1")
    # (moto records the StopExecution but lets a waiting task run on, so that is not looked at here)
    # AND the department manager's link can no longer decide it
    with pytest.raises(ConflictError):
        approvals.decide(approver_link, Decision.APPROVE, None)
    assert interview_store.get_interview("int-1").status == "SCHEDULED"
    # AND the interviewer's calendar has the entry again, at the new time, with the move's sequence
    assert entries(radicale, connected) == [(UID, 1, slot.starts_at)]
    # AND the sync takes that write for ours
    assert sync(system)["opened"] == 0


def test_the_interviewer_declining_opens_the_request_too(system, radicale, connected, scheduled):
    # GIVEN the interview in Jun Park's calendar, read once by the sync
    scheduled()
    sync(system)
    # WHEN he declines it in his calendar app
    decline(connected, UID)
    # THEN the sync opens the company request
    assert sync(system)["opened"] == 1
    assert len(company_requests("int-1")) == 1


def test_our_own_move_and_our_own_removal_are_not_taken_for_the_interviewers(
        system, radicale, connected, scheduled):
    # GIVEN the interview in Jun Park's calendar, read once by the sync (from no token: the whole calendar)
    scheduled()
    assert sync(system)["opened"] == 0
    # WHEN we move it (our update: same UID, sequence 1) and the sync runs
    [slot] = moves.publish_slots("job-1", [to_iso(utc_now().replace(microsecond=0) + timedelta(days=5))])
    moves.move("int-1", "cand-1", slot.slot_id)
    system.drain()
    moved = sync(system)
    # THEN it saw our change and opened nothing
    assert moved["changes"] >= 1 and moved["ours"] >= 1 and moved["opened"] == 0
    # WHEN the candidate cancels, the policy approves and we remove the entry, and the sync runs
    cancelled_by_policy(system)
    assert entries(radicale, connected) == []
    removed = sync(system)
    # THEN the removal is known as ours: no company request, no recruiter mail about the interviewer
    assert removed["ours"] >= 1 and removed["dropped"] == 0 and removed["opened"] == 0
    assert company_requests("int-1") == []
    assert mails(system, RECRUITER, "Interviewer unavailable") == []


def test_a_calendar_that_cannot_be_read_fails_the_run_after_the_others_and_keeps_its_token(
        system, radicale, connected, scheduled):
    # GIVEN the interview in the calendar, read once
    scheduled()
    sync(system)
    table = boto3.resource("dynamodb").Table(system.resources.table_names["TABLE_CALENDARS"])
    token = table.get_item(Key={"calendar": f"{USER}@company.example.com", "entry": "#sync"})["Item"]["sync_token"]
    # WHEN the calendar server is down during a run
    radicale.stop()
    try:
        failed = None
        try:
            system.invoke("notify", scheduled_event({"job": "calendar-sync"}))
        except Exception as exc:  # noqa: BLE001 - what the scheduler sees: a failed invocation (retried, then DLQ)
            failed = exc
    finally:
        radicale.start()
    # THEN the run fails (so EventBridge Scheduler retries it and its DLQ alarms) and the token is unchanged
    assert failed is not None
    assert table.get_item(Key={"calendar": f"{USER}@company.example.com", "entry": "#sync"})["Item"]["sync_token"] \
        == token
