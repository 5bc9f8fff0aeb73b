"""iCalendar updates, always with the interview's UID and a higher SEQUENCE than the attendee's copy:
METHOD:CANCEL drops the calendar entry; METHOD:REQUEST (a move) replaces its time. Times carry their timezone."""

from __future__ import annotations

from datetime import timedelta, timezone

from icalendar import Calendar, Event, vCalAddress

from functions.core.clock import from_iso, utc_now


def interview_uid(interview_id: str) -> str:
    return f"{interview_id}@interviews.cancellations"


def _calendar(method: str, *, interview_id: str, title: str, starts_at: str, duration_minutes: int, sequence: int,
              organizer_email: str, attendee_emails: list[str], status: str, stamp) -> bytes:
    # In UTC ('...Z'): a fixed offset such as +08:00 has no TZID, and icalendar would write it as floating time.
    start = from_iso(starts_at).astimezone(timezone.utc)
    calendar = Calendar()
    calendar.add("prodid", "-//interview-cancellations//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", interview_uid(interview_id))
    event.add("sequence", sequence)
    event.add("status", status)
    event.add("summary", title)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=duration_minutes))
    event.add("dtstamp", stamp if stamp is not None else start)
    event.add("organizer", vCalAddress(f"mailto:{organizer_email}"))
    for email in attendee_emails:
        attendee = vCalAddress(f"mailto:{email}")
        if method == "REQUEST":
            attendee.params["ROLE"] = "REQ-PARTICIPANT"
            attendee.params["RSVP"] = "FALSE"
        event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def cancellation(*, interview_id: str, title: str, starts_at: str, duration_minutes: int, sequence: int,
                 organizer_email: str, attendee_emails: list[str]) -> bytes:
    return _calendar("CANCEL", interview_id=interview_id, title=title, starts_at=starts_at,
                     duration_minutes=duration_minutes, sequence=sequence, organizer_email=organizer_email,
                     attendee_emails=attendee_emails, status="CANCELLED", stamp=None)


def update(*, interview_id: str, title: str, starts_at: str, duration_minutes: int, sequence: int,
           organizer_email: str, attendee_emails: list[str]) -> bytes:
    """A moved interview: the same UID with a higher SEQUENCE replaces the entry at its new time."""
    return _calendar("REQUEST", interview_id=interview_id, title=title, starts_at=starts_at,
                     duration_minutes=duration_minutes, sequence=sequence, organizer_email=organizer_email,
                     attendee_emails=attendee_emails, status="CONFIRMED", stamp=utc_now())
