"""Interviewers' own calendars, written directly when they are connected (CALENDAR_CONNECTIONS): the interview's
entry is created when it is scheduled, replaced when it moves and removed when it is cancelled, with the same UID
and SEQUENCE as the e-mailed invitations (functions/domain/calendar/invitations.py).

The notify function calls these on the same events as the mails, after them: a failed write fails the message,
which is retried, dead-lettered and redriven like e-mail, while the mails already sent are not sent again (once
per key) and the writes themselves are idempotent (a repeated or late write changes nothing).

Every write is recorded (functions/integration/data/calendar_store.py: UID, resource, SEQUENCE; a removal before it
is made), so that the calendar sync (interviewer_changes.py) tells our changes from the interviewer's.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING

from functions.core.clock import to_iso, utc_now
from functions.core.settings import get_settings
from functions.domain.calendar import invitations
from functions.integration.calendar_connector import (
    CalendarConfigError,
    CalendarConnector,
    CalendarEvent,
    Connection,
    connection_for,
    resource_name,
)
from functions.integration.data import calendar_store

if TYPE_CHECKING:  # stored items are read here, never built: the data access builds them
    from functions.integration.tables import CandidateItem, InterviewItem


@lru_cache(maxsize=64)
def _connect(connection: Connection, owner: str) -> CalendarConnector:
    # Imported here: a calendar client (caldav and lxml, or msal) is loaded only where a calendar is connected.
    if connection.kind == "caldav":
        from functions.integration.caldav_calendar import CalDAVCalendar

        return CalDAVCalendar.connect(connection)
    if connection.kind == "graph":
        from functions.integration.graph_calendar import GraphCalendar

        return GraphCalendar.connect(connection, owner)
    raise CalendarConfigError(f"calendar connections of kind {connection.kind!r} are not supported")


def connector_for(email: str) -> CalendarConnector | None:
    """The interviewer's calendar, or None when it is not connected."""
    raw = get_settings().calendar_connections
    if not raw:
        return None
    try:
        connections = json.loads(raw)
    except ValueError:
        raise CalendarConfigError("CALENDAR_CONNECTIONS is not JSON") from None
    connection = connection_for(email, connections)
    return _connect(connection, email.strip().lower()) if connection else None


def event_of(interview: InterviewItem, candidate: CandidateItem | None, starts_at: str, sequence: int) -> CalendarEvent:
    """The interviewer's copy of the entry, worded in their language."""
    common = invitations.common(interview, candidate, invitations.interviewer_locale(interview))
    return CalendarEvent(uid=common["uid"], sequence=sequence, title=common["title"], starts_at=starts_at,
                         duration_minutes=common["duration_minutes"], organizer_email=common["organizer_email"],
                         attendee_emails=tuple(common["attendee_emails"]), description=common["description"])


def scheduled(interview: InterviewItem, candidate: CandidateItem | None) -> bool:
    connector = connector_for(interview.interviewer.email)
    if connector is None:
        return False
    event = event_of(interview, candidate, interview.starts_at, int(interview.calendar_sequence or 0))
    written = connector.create_event(event)
    _record(connector, interview, event)
    return written


def moved(interview: InterviewItem, candidate: CandidateItem | None, starts_at: str, sequence: int) -> bool:
    connector = connector_for(interview.interviewer.email)
    if connector is None:
        return False
    event = event_of(interview, candidate, starts_at, sequence)
    written = connector.update_event(event)
    _record(connector, interview, event)
    return written


def cancelled(interview: InterviewItem) -> bool:
    connector = connector_for(interview.interviewer.email)
    if connector is None:
        return False
    uid = invitations.uid_of(interview)
    # Recorded first: a calendar sync reading the removal must find it was ours.
    calendar_store.record_removing(interview.interviewer.email, uid, connector.resource_of(uid) or resource_name(uid),
                                   interview.interview_id, to_iso(utc_now()))
    return connector.remove_event(uid)


def _record(connector: CalendarConnector, interview: InterviewItem, event: CalendarEvent) -> None:
    """What we wrote, for the calendar sync to tell our changes from the interviewer's (also when the write found
    the entry already there: a retry)."""
    calendar_store.record_written(interview.interviewer.email, event.uid,
                                  connector.resource_of(event.uid) or resource_name(event.uid),
                                  interview.interview_id, event.sequence, to_iso(utc_now()))
