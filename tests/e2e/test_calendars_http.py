"""The interviewers' calendars of the running local system (`interviews local`): a Radicale server on loopback
with a calendar per demo interviewer, connected as a deployment connects them (CALENDAR_CONNECTIONS and a secret),
and linked from the index page. Everything here is looked at over HTTP, the calendar as its owner's calendar
app sees it (CalDAV)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import caldav
import pytest
import requests
from icalendar import Calendar

from functions.core.clock import from_iso
from tests.e2e.conftest import wait_for

pytestmark = pytest.mark.e2e

INTERVIEWER = "jun.park@company.example.com"  # the interviewer of tests/events/interview_scheduled.json


def calendar_of(local, email: str = INTERVIEWER):
    """The interviewer's calendar, opened with their own login, as their calendar app would."""
    account = local.info["calendars"][email]
    client = caldav.DAVClient(url=account["url"], username=account["username"], password=account["password"])
    return client.calendar(url=account["url"])


def entry(local, uid: str, email: str = INTERVIEWER) -> tuple[int, datetime] | None:
    """(SEQUENCE, start in UTC) of the entry with this UID in the interviewer's calendar, or None."""
    for event in calendar_of(local, email).events():
        vevent = Calendar.from_ical(event.data).walk("VEVENT")[0]
        if str(vevent["UID"]) == uid:
            return int(vevent["SEQUENCE"]), vevent.decoded("DTSTART").astimezone(timezone.utc)
    return None


def test_the_index_page_links_each_demo_interviewers_calendar_and_it_answers_with_their_login(local):
    # GIVEN the local system's index page
    page = requests.get(f"{local.base}/", timeout=30).text
    # THEN it links Jun Park's calendar on the local CalDAV server (loopback)
    url = local.info["calendars"][INTERVIEWER]["url"]
    assert url.startswith("http://127.0.0.1:") and f"href='{url}'" in page
    # AND that calendar refuses a stranger and answers its owner
    assert requests.get(url, timeout=30).status_code == 401
    account = local.info["calendars"][INTERVIEWER]
    owner = requests.get(url, auth=(account["username"], account["password"]), timeout=30)
    assert owner.status_code == 200 and owner.text.startswith("BEGIN:VCALENDAR")


def test_an_interview_registered_with_a_demo_interviewer_appears_in_their_calendar(local):
    # GIVEN an interview with Jun Park, registered by the ATS
    interview_id = f"cal-{uuid.uuid4().hex[:8]}"
    local.register(interview_id, f"c-{interview_id}", timedelta(days=3))
    # THEN his calendar on the local CalDAV server gets the entry, with our UID and sequence 0
    sequence, _ = wait_for(lambda: entry(local, f"{interview_id}@interviews.cancellations"), timeout=60)
    assert sequence == 0


def run_calendar_sync(local) -> dict:
    """The calendar-sync schedule, run now (the index page's button; EventBridge Scheduler in AWS)."""
    response = requests.post(f"{local.base}/_local/run/calendar-sync", timeout=120)
    assert response.status_code == 200, response.text
    return response.json()


def candidate(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_the_interviewer_deleting_the_entry_opens_a_company_request_mails_the_recruiter_and_the_portal_offers_a_move(
        local):
    # GIVEN an interview with Jun Park (its own job, with one free slot) in his calendar on the local Radicale
    interview_id, job_id = f"drop-{uuid.uuid4().hex[:8]}", f"job-drop-{uuid.uuid4().hex[:6]}"
    token = local.register(interview_id, f"c-{interview_id}", timedelta(days=3), job_id=job_id)
    [slot] = local.open_slots(job_id, timedelta(days=6))
    uid = f"{interview_id}@interviews.cancellations"
    wait_for(lambda: entry(local, uid), timeout=60)
    # WHEN Jun Park deletes it in his calendar (CalDAV, his login) and the calendar sync runs
    calendar_of(local).event_by_uid(uid).delete()
    run_calendar_sync(local)
    # THEN a company request opens for it (the interview is pending) ...
    listed = requests.get(f"{local.base}/api/candidate/interviews", headers=candidate(token), timeout=30).json()
    assert [i["status"] for i in listed] == ["CANCELLATION_PENDING"]
    # ... the recruiter is mailed that the interviewer is unavailable
    told = wait_for(lambda: [m for m in local.outbox() if m["to"] == "chen.jing@company.example.com"
                             and interview_id in m["text"] and "Interviewer unavailable" in m["subject"]], timeout=60)
    assert "Jun Park" in told[0]["text"]
    # ... and the candidate's portal offers the job's free slot to move to
    page = requests.get(f"{local.base}/portal/{token}", timeout=30).text
    assert 'class="move-offered"' in page
    slots = requests.get(f"{local.base}/api/candidate/interviews/{interview_id}/slots", headers=candidate(token),
                         timeout=30)
    assert [s["slot_id"] for s in slots.json()] == [slot["slot_id"]]
    # WHEN the candidate moves to it
    moved = requests.post(f"{local.base}/api/candidate/interviews/{interview_id}/moves", headers=candidate(token),
                          json={"slot_id": slot["slot_id"]}, timeout=30)
    assert moved.status_code == 200, moved.text
    # THEN the interview is back in Jun Park's calendar at the new time, with the next sequence
    assert wait_for(lambda: (entry(local, uid) or (0, None))[0] == 1, timeout=60)
    assert entry(local, uid)[1] == from_iso(slot["starts_at"])


def test_our_own_update_in_the_calendar_is_not_taken_for_the_interviewers(local):
    # GIVEN an interview with Jun Park in his calendar, and a free slot of its job
    interview_id, job_id = f"own-{uuid.uuid4().hex[:8]}", f"job-own-{uuid.uuid4().hex[:6]}"
    token = local.register(interview_id, f"c-{interview_id}", timedelta(days=3), job_id=job_id)
    [slot] = local.open_slots(job_id, timedelta(days=6))
    uid = f"{interview_id}@interviews.cancellations"
    wait_for(lambda: entry(local, uid), timeout=60)
    # WHEN the candidate moves it (we rewrite the entry: sequence 1) and the calendar sync runs after that write
    moved = requests.post(f"{local.base}/api/candidate/interviews/{interview_id}/moves", headers=candidate(token),
                          json={"slot_id": slot["slot_id"]}, timeout=30)
    assert moved.status_code == 200, moved.text
    wait_for(lambda: (entry(local, uid) or (0, ""))[0] == 1, timeout=60)
    run_calendar_sync(local)
    # THEN no request opened: the interview is still scheduled (a request would be stored by the sync itself)
    listed = requests.get(f"{local.base}/api/candidate/interviews", headers=candidate(token), timeout=30).json()
    assert [i["status"] for i in listed if i["interview_id"] == interview_id] == ["SCHEDULED"]


def test_registered_moved_and_cancelled_the_interviewers_calendar_holds_one_entry_then_none(local):
    # GIVEN an interview with Jun Park registered by the ATS, in its own job with a free slot
    interview_id, job_id = f"life-{uuid.uuid4().hex[:8]}", f"job-life-{uuid.uuid4().hex[:6]}"
    token = local.register(interview_id, f"c-{interview_id}", timedelta(days=3), job_id=job_id)
    [slot] = local.open_slots(job_id, timedelta(days=6))
    uid = f"{interview_id}@interviews.cancellations"
    assert wait_for(lambda: entry(local, uid), timeout=60)[0] == 0
    # WHEN the candidate moves it
    moved = requests.post(f"{local.base}/api/candidate/interviews/{interview_id}/moves", headers=candidate(token),
                          json={"slot_id": slot["slot_id"]}, timeout=30)
    assert moved.status_code == 200, moved.text
    # THEN the same UID is at the new time with sequence 1, one entry
    wait_for(lambda: (entry(local, uid) or (0, None))[0] == 1, timeout=60)
    assert entry(local, uid)[1] == from_iso(slot["starts_at"])
    assert len([e for e in calendar_of(local).events() if uid in e.data]) == 1
    # WHEN she cancels for a schedule conflict days ahead (the policy approves it)
    cancelled = requests.post(f"{local.base}/api/candidate/interviews/{interview_id}/cancellations",
                              json={"reason_code": "schedule_conflict"}, timeout=30,
                              headers={**candidate(token), "Idempotency-Key": str(uuid.uuid4())})
    assert cancelled.status_code == 202, cancelled.text
    # THEN the entry is gone from his calendar
    wait_for(lambda: entry(local, uid) is None, timeout=60)
