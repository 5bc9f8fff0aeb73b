"""The interviewers' calendars of the running local system (`interviews local`): a Radicale server on loopback
with a calendar per demo interviewer, connected as a deployment connects them (CALENDAR_CONNECTIONS and a secret),
and linked from the index page. Everything here is looked at over HTTP, the calendar as its owner's calendar
app sees it (CalDAV)."""

from __future__ import annotations

import uuid
from datetime import timedelta, timezone

import caldav
import pytest
import requests
from icalendar import Calendar

from tests.e2e.conftest import wait_for

pytestmark = pytest.mark.e2e

INTERVIEWER = "jun.park@company.example.com"  # the interviewer of tests/events/interview_scheduled.json


def calendar_of(local, email: str = INTERVIEWER):
    """The interviewer's calendar, opened with their own login, as their calendar app would."""
    account = local.info["calendars"][email]
    client = caldav.DAVClient(url=account["url"], username=account["username"], password=account["password"])
    return client.calendar(url=account["url"])


def entry(local, uid: str, email: str = INTERVIEWER) -> tuple[int, str] | None:
    """(SEQUENCE, start in UTC) of the entry with this UID in the interviewer's calendar, or None."""
    for event in calendar_of(local, email).events():
        vevent = Calendar.from_ical(event.data).walk("VEVENT")[0]
        if str(vevent["UID"]) == uid:
            return int(vevent["SEQUENCE"]), vevent.decoded("DTSTART").astimezone(timezone.utc).isoformat()
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
