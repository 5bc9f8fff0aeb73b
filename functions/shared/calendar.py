"""iCalendar updates: a METHOD:CANCEL with the interview's UID and a higher SEQUENCE drops the calendar entry."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event, vCalAddress

from functions.shared.clock import from_iso


def interview_uid(interview_id: str) -> str:
    return f"{interview_id}@interviews.cancellations"


def cancellation(*, interview_id: str, title: str, starts_at: str, duration_minutes: int, sequence: int,
                 organizer_email: str, attendee_emails: list[str]) -> bytes:
    start = from_iso(starts_at)
    calendar = Calendar()
    calendar.add("prodid", "-//interview-cancellations//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL")
    event = Event()
    event.add("uid", interview_uid(interview_id))
    event.add("sequence", sequence)
    event.add("status", "CANCELLED")
    event.add("summary", title)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=duration_minutes))
    event.add("dtstamp", start)
    event.add("organizer", vCalAddress(f"mailto:{organizer_email}"))
    for email in attendee_emails:
        event.add("attendee", vCalAddress(f"mailto:{email}"))
    calendar.add_component(event)
    return calendar.to_ical()
