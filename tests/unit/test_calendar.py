"""Calendar messages: a cancellation drops the event (METHOD:CANCEL, the interview's UID, a higher SEQUENCE)
stamped when it is made; the portal's copy to import; and who organises and owns an interview's entry."""

import json
from datetime import timedelta
from pathlib import Path

from icalendar import Calendar

from functions.core.clock import utc_now
from functions.core.models import InterviewScheduled
from functions.core.settings import get_settings
from functions.domain import calendars
from functions.integration.calendar import cancellation, interview_uid, published


def test_cancellation_calendar_parses_with_method_uid_sequence_and_timezone():
    raw = cancellation(interview_id="int-9", title="Backend Engineer", starts_at="2030-01-15T06:00:00.000Z",
                       duration_minutes=45, sequence=3, organizer_email="no-reply@example.com",
                       attendee_emails=["a@example.com", "b@example.com"])
    calendar = Calendar.from_ical(raw)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == interview_uid("int-9")
    assert int(event["SEQUENCE"]) == 3
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and start.isoformat() == "2030-01-15T06:00:00+00:00"
    assert str(event["STATUS"]) == "CANCELLED"


def test_a_cancellation_is_stamped_when_it_is_made_not_at_the_interview_start():
    # GIVEN an interview starting in 2030
    before = utc_now().replace(microsecond=0)
    # WHEN its cancellation is built now
    raw = cancellation(interview_id="int-9", title="Backend Engineer", starts_at="2030-01-15T06:00:00.000Z",
                       duration_minutes=45, sequence=1, organizer_email="no-reply@example.com",
                       attendee_emails=["a@example.com"])
    # THEN DTSTAMP is the time it was made, in UTC
    stamp = Calendar.from_ical(raw).walk("VEVENT")[0].decoded("DTSTAMP")
    assert before <= stamp <= utc_now() and stamp.utcoffset() == timedelta(0)


def test_the_copy_to_import_by_hand_keeps_uid_and_sequence_and_names_no_attendees():
    # WHEN the candidate's "add to calendar" copy is built for an interview at sequence 2
    raw = published(uid="ats-1@ats.example.com", title="Backend Engineer", starts_at="2030-01-15T14:00:00+08:00",
                    duration_minutes=45, sequence=2, organizer_email="chen.jing@company.example.com",
                    organizer_name="Chen Jing")
    calendar = Calendar.from_ical(raw)
    event = calendar.walk("VEVENT")[0]
    # THEN it is a PUBLISH of the same entry (UID, SEQUENCE, organizer) in UTC, without attendees (RFC 5546)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == ("ats-1@ats.example.com", 2)
    assert str(event["ORGANIZER"]) == "mailto:chen.jing@company.example.com"
    assert event.decoded("DTSTART").isoformat() == "2030-01-15T06:00:00+00:00"
    assert "ATTENDEE" not in event


def _scheduled(**changes) -> InterviewScheduled:
    event = json.loads((Path(__file__).resolve().parents[1] / "events" / "interview_scheduled.json").read_text())
    return InterviewScheduled.model_validate({**event, **changes})


def test_our_invitations_are_organised_by_the_recruiter_unless_an_organizer_is_configured(monkeypatch):
    # GIVEN no configured organizer: the recruiter organises, with our UID and sequence 0
    entry = calendars.registered_entry(_scheduled())
    assert (entry.uid, entry.sequence, entry.organizer, entry.owner) == (
        "int-1@interviews.cancellations", 0, "chen.jing@company.example.com", None)
    # WHEN CALENDAR_ORGANIZER names an address
    monkeypatch.setenv("CALENDAR_ORGANIZER", "interviews@company.example.com")
    get_settings.cache_clear()
    try:
        entry = calendars.registered_entry(_scheduled())
    finally:
        monkeypatch.delenv("CALENDAR_ORGANIZER")
        get_settings.cache_clear()
    # THEN that address organises
    assert entry.organizer == "interviews@company.example.com"


def test_an_ats_calendar_block_makes_the_entry_the_atss():
    # WHEN the ATS says it sent the invitation
    entry = calendars.registered_entry(_scheduled(calendar={"uid": "x1@ats", "sequence": 7,
                                                            "organizer": "cal@ats.example.com"}))
    # THEN its UID, sequence and organizer are the entry's, and we do not invite
    assert (entry.uid, entry.sequence, entry.organizer, entry.owner) == ("x1@ats", 7, "cal@ats.example.com", "ats")
