"""Calendar updates parse with icalendar: a move is a METHOD:REQUEST with the same UID and a higher SEQUENCE,
at the new time with its timezone; a cancellation is a METHOD:CANCEL of the same UID."""

from datetime import timezone

from icalendar import Calendar

from functions.integration.calendar import cancellation, interview_uid, update

COMMON = {"interview_id": "int-9", "title": "Backend Engineer", "duration_minutes": 45,
          "organizer_email": "no-reply@example.com", "attendee_emails": ["a@example.com", "b@example.com"]}


def _event(raw: bytes):
    calendar = Calendar.from_ical(raw)
    return calendar, calendar.walk("VEVENT")[0]


def test_a_move_replaces_the_entry_with_the_same_uid_a_higher_sequence_and_the_new_time():
    # Given the entry the attendees have (sequence 0) and the interview moved to 14:30 in Shanghai
    # When the update is built with the next sequence
    calendar, event = _event(update(**COMMON, starts_at="2030-01-16T14:30:00+08:00", sequence=1))
    # Then it is a REQUEST for the same UID, SEQUENCE 1, CONFIRMED, at the new time with its offset
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == interview_uid("int-9")
    assert int(event["SEQUENCE"]) == 1
    assert str(event["STATUS"]) == "CONFIRMED"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.tzinfo is not None and start.astimezone(timezone.utc).isoformat() == "2030-01-16T06:30:00+00:00"
    assert (end - start).total_seconds() == 45 * 60
    assert sorted(str(a) for a in event.get("ATTENDEE")) == ["mailto:a@example.com", "mailto:b@example.com"]
    assert event.decoded("DTSTAMP").tzinfo is not None


def test_a_move_then_a_cancellation_share_the_uid_and_keep_increasing_the_sequence():
    moved = _event(update(**COMMON, starts_at="2030-01-16T06:30:00Z", sequence=1))[1]
    cancelled_calendar, cancelled = _event(cancellation(**COMMON, starts_at="2030-01-16T06:30:00Z", sequence=2))
    assert str(cancelled_calendar["METHOD"]) == "CANCEL"
    assert str(moved["UID"]) == str(cancelled["UID"])
    assert int(cancelled["SEQUENCE"]) > int(moved["SEQUENCE"])
