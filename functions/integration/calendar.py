"""iCalendar messages (RFC 5545 content, RFC 5546 methods) that keep every copy of an interview's calendar entry
in step: the invitation (METHOD:REQUEST, SEQUENCE 0), a move (REQUEST with the same UID and a higher SEQUENCE)
and a cancellation (METHOD:CANCEL, same UID, higher SEQUENCE); plus the attendee-less PUBLISH copy a candidate
downloads from the portal. A calendar applies an update only if UID and ORGANIZER match the entry it has and the
SEQUENCE is higher, which is why callers pass the interview's own UID, organizer and next sequence. The same
entry without a METHOD is what a CalDAV connector writes into an interviewer's calendar.

Times are written in UTC ('...Z'): a fixed offset such as +08:00 has no TZID, and icalendar would write it as
floating time. DTSTAMP is when the message is made (RFC 5546: the instant it was created), never the start.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from icalendar import Calendar, Event, vCalAddress, vText

from functions.core.clock import from_iso, utc_now


def interview_uid(interview_id: str) -> str:
    """The UID of the invitations we send ourselves (the ATS's own UID replaces it when the ATS invited)."""
    return f"{interview_id}@interviews.cancellations"


def _address(email: str, name: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    return address


def _calendar(method: str | None, *, uid: str, title: str, starts_at: str, duration_minutes: int, sequence: int,
              organizer_email: str, organizer_name: str | None, attendee_emails: list[str], status: str,
              stamp: datetime | None, description: str | None = None) -> bytes:
    start = from_iso(starts_at).astimezone(timezone.utc)
    calendar = Calendar()
    calendar.add("prodid", "-//interview-cancellations//EN")
    calendar.add("version", "2.0")
    if method:  # a calendar object stored on a CalDAV server has none (RFC 4791 4.1)
        calendar.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("status", status)
    event.add("summary", title)
    if description:  # a line or two for the reader, in their language (SUMMARY is theirs too)
        event.add("description", description)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=duration_minutes))
    event.add("dtstamp", (stamp or utc_now()).astimezone(timezone.utc))
    event.add("organizer", _address(organizer_email, organizer_name))
    if method != "PUBLISH":  # RFC 5546 3.2.1: a PUBLISH names no attendees
        for email in attendee_emails:
            attendee = _address(email)
            if method != "CANCEL":
                attendee.params["ROLE"] = "REQ-PARTICIPANT"
                attendee.params["RSVP"] = "FALSE"
            event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def invitation(*, uid: str, title: str, starts_at: str, duration_minutes: int, organizer_email: str,
               attendee_emails: list[str], organizer_name: str | None = None, sequence: int = 0,
               stamp: datetime | None = None,
               description: str | None = None) -> bytes:
    """The first REQUEST for an interview: the attendees' calendars create the entry."""
    return _calendar("REQUEST", uid=uid, title=title, starts_at=starts_at, duration_minutes=duration_minutes,
                     sequence=sequence, organizer_email=organizer_email, organizer_name=organizer_name,
                     attendee_emails=attendee_emails, status="CONFIRMED", stamp=stamp, description=description)


def update(*, interview_id: str, title: str, starts_at: str, duration_minutes: int, sequence: int,
           organizer_email: str, attendee_emails: list[str], uid: str | None = None,
           organizer_name: str | None = None, stamp: datetime | None = None,
           description: str | None = None) -> bytes:
    """A moved interview: the same UID with a higher SEQUENCE replaces the entry at its new time."""
    return _calendar("REQUEST", uid=uid or interview_uid(interview_id), title=title, starts_at=starts_at,
                     duration_minutes=duration_minutes, sequence=sequence, organizer_email=organizer_email,
                     organizer_name=organizer_name, attendee_emails=attendee_emails, status="CONFIRMED",
                     stamp=stamp, description=description)


def cancellation(*, interview_id: str, title: str, starts_at: str, duration_minutes: int, sequence: int,
                 organizer_email: str, attendee_emails: list[str], uid: str | None = None,
                 organizer_name: str | None = None, stamp: datetime | None = None,
                 description: str | None = None) -> bytes:
    """A cancelled interview: the same UID with a higher SEQUENCE drops the entry."""
    return _calendar("CANCEL", uid=uid or interview_uid(interview_id), title=title, starts_at=starts_at,
                     duration_minutes=duration_minutes, sequence=sequence, organizer_email=organizer_email,
                     organizer_name=organizer_name, attendee_emails=attendee_emails, status="CANCELLED",
                     stamp=stamp, description=description)


def published(*, uid: str, title: str, starts_at: str, duration_minutes: int, sequence: int, organizer_email: str,
              organizer_name: str | None = None, stamp: datetime | None = None,
              description: str | None = None) -> bytes:
    """A copy to import by hand ("add to calendar"): the same UID and sequence, so a calendar that already has
    the invitation keeps one entry, and later updates by e-mail still apply to it."""
    return _calendar("PUBLISH", uid=uid, title=title, starts_at=starts_at, duration_minutes=duration_minutes,
                     sequence=sequence, organizer_email=organizer_email, organizer_name=organizer_name,
                     attendee_emails=[], status="CONFIRMED", stamp=stamp, description=description)


def stored(*, uid: str, title: str, starts_at: str, duration_minutes: int, sequence: int, organizer_email: str,
           attendee_emails: list[str], organizer_name: str | None = None, stamp: datetime | None = None,
           description: str | None = None) -> bytes:
    """The entry as written into an interviewer's calendar over CalDAV (no METHOD: it is not a message)."""
    return _calendar(None, uid=uid, title=title, starts_at=starts_at, duration_minutes=duration_minutes,
                     sequence=sequence, organizer_email=organizer_email, organizer_name=organizer_name,
                     attendee_emails=attendee_emails, status="CONFIRMED", stamp=stamp, description=description)
