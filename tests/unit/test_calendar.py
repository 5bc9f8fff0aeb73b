"""The calendar attachment drops the event: METHOD:CANCEL, the interview's UID, a higher SEQUENCE."""

from icalendar import Calendar

from functions.integration.calendar import cancellation, interview_uid


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
