"""An interviewer's calendar on a CalDAV server (RFC 4791; Google Calendar's CalDAV API, iCloud, Nextcloud,
Fastmail, Radicale), written and read with the `caldav` library.

Each interview is one calendar object resource named after its UID (`resource_name`). Writes are conditional on what is there
(If-Match on the entry's ETag, or If-None-Match: * when it is new), so that a write based on an old read fails
and is retried rather than overwriting a change made meanwhile; an entry is never replaced by a lower SEQUENCE.
Changes are read with a WebDAV sync-collection REPORT (RFC 6578): the server answers with what changed since
the token it gave last time, removed entries included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timezone
from urllib.parse import quote, unquote

import caldav
from caldav.lib import error
from icalendar import Calendar

from functions.core.clock import to_iso
from functions.integration.calendar_connector import (
    CalendarEvent,
    Changes,
    Connection,
    EventChange,
    credentials,
    resource_name,
)


class CalendarWriteError(RuntimeError):
    """The server refused or failed a write (a retry may succeed: the queue retries, then dead-letters)."""


class CalDAVCalendar:
    """One CalDAV calendar collection (its URL ends with '/')."""

    def __init__(self, url: str, username: str, password: str, timeout: float = 10.0):
        self._client = caldav.DAVClient(url=url, username=username, password=password, timeout=timeout)
        self._calendar = self._client.calendar(url=url)

    @classmethod
    def connect(cls, connection: Connection, secrets_client=None) -> CalDAVCalendar:
        username, password = credentials(connection.secret_arn, secrets_client)
        return cls(connection.url, username, password)

    # ---- writes -------------------------------------------------------------------------------------------------
    def create_event(self, event: CalendarEvent) -> bool:
        current = self._find(event.uid)
        if current is not None and current.sequence >= event.sequence:
            return False  # written before (a retry), or already replaced by a later change
        return self._put(event, current)

    def update_event(self, event: CalendarEvent) -> bool:
        current = self._find(event.uid)
        if current is not None and current.sequence > event.sequence:
            return False  # a later change is there: this one is stale
        return self._put(event, current)

    def remove_event(self, uid: str) -> bool:
        current = self._find(uid)
        if current is None:
            return False
        response = self._client.delete(current.url)
        if response.status == 404:
            return False
        if response.status >= 300:
            raise CalendarWriteError(f"DELETE answered {response.status}")
        return True

    def resource_of(self, uid: str) -> str:
        return resource_name(uid)

    # ---- reads --------------------------------------------------------------------------------------------------
    def changes_since(self, sync_token: str | None) -> Changes:
        complete = sync_token is None
        try:
            found = self._calendar.objects_by_sync_token(sync_token=sync_token, load_objects=False)
        except (error.ReportError, error.DAVError):
            if sync_token is None:
                raise
            # The server no longer knows the token (RFC 6578 3.2, valid-sync-token): start again from everything.
            found, complete = self._calendar.objects_by_sync_token(sync_token=None, load_objects=False), True
        changes = []
        for resource in found:
            try:
                resource.load()
            except error.NotFoundError:
                name = unquote(str(resource.url).rstrip("/").rsplit("/", 1)[-1]).removesuffix(".ics")
                # A removed entry's UID is known by its name only: plain UIDs are their own name.
                changes.append(EventChange(uid=name, removed=True, resource=name))
                continue
            changes.extend(_changes_in(resource.data))
        return Changes(sync_token=str(found.sync_token), changes=changes, complete=complete)

    # ---- helpers ------------------------------------------------------------------------------------------------
    def _url(self, uid: str) -> str:
        return str(self._calendar.url.join(quote(resource_name(uid), safe="") + ".ics"))

    def _find(self, uid: str) -> _Stored | None:
        """The entry with this UID: under our name for it, or (put there by someone else, e.g. the ATS's
        invitation accepted into this calendar) wherever the server has it."""
        stored = self._get(self._url(uid), uid)
        if stored is None:
            try:
                found = self._calendar.event_by_uid(uid)
            except error.NotFoundError:
                return None
            stored = self._get(str(found.url), uid)
        return stored

    def _get(self, url: str, uid: str) -> _Stored | None:
        response = self._client.request(url)
        if response.status == 404:
            return None
        if response.status >= 300:
            raise CalendarWriteError(f"GET answered {response.status}")
        [change] = _changes_in(response.raw)[:1] or [EventChange(uid=uid, removed=False, sequence=0)]
        return _Stored(url=url, sequence=int(change.sequence or 0), etag=response.headers.get("ETag"))

    def _put(self, event: CalendarEvent, current: _Stored | None) -> bool:
        condition = {"If-Match": current.etag} if current and current.etag else {"If-None-Match": "*"}
        response = self._client.put(current.url if current else self._url(event.uid), event.to_ical().decode("utf-8"),
                                    {"Content-Type": 'text/calendar; charset="utf-8"', **condition})
        if response.status == 412:
            raise CalendarWriteError("the entry changed meanwhile (412): retry")
        if response.status not in (200, 201, 204):
            raise CalendarWriteError(f"PUT answered {response.status}")
        return True


@dataclass(frozen=True)
class _Stored:
    url: str
    sequence: int
    etag: str | None


def _changes_in(data: str | bytes | None) -> list[EventChange]:
    """The VEVENTs of a stored calendar object, as changes (a recurring one is read by its master only)."""
    if not data:
        return []
    calendar = Calendar.from_ical(data)
    changes = []
    for event in calendar.walk("VEVENT"):
        if "RECURRENCE-ID" in event:
            continue
        start = event.decoded("DTSTART", None)
        starts_at = to_iso(start.astimezone(timezone.utc)) if start is not None and hasattr(start, "hour") else None
        attendees = event.get("ATTENDEE") or []
        if not isinstance(attendees, list):
            attendees = [attendees]
        declined = tuple(str(a).removeprefix("mailto:").removeprefix("MAILTO:").lower() for a in attendees
                         if str(a.params.get("PARTSTAT", "")).upper() == "DECLINED")
        uid = str(event.get("UID"))
        changes.append(EventChange(uid=uid, removed=False, resource=resource_name(uid),
                                   sequence=int(event.get("SEQUENCE", 0)), starts_at=starts_at,
                                   status=str(event.get("STATUS", "CONFIRMED")).upper(), declined_by=declined))
    return changes
