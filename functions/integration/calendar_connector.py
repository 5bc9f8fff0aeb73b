"""Interviewers' own calendars (Google Workspace, Microsoft 365, CalDAV servers) behind one small interface, so that
the product writes the interview into the interviewer's calendar directly and reads back what the interviewer
did with it (deleted it, declined it) whichever server holds it.

Writes are idempotent and ordered by SEQUENCE: writing an entry again changes nothing, and an entry is never
replaced by one with a lower sequence (a late retry of an older change). Where each interviewer's calendar is
(per address, or per domain with the address filled into the URL) and which Secrets Manager secret holds its
credentials is configuration: `connection_for`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Mapping, Protocol

from functions.integration import calendar
from functions.integration.aws import client


_PLAIN_NAME = re.compile(r"^[A-Za-z0-9@._-]{1,200}$")


def resource_name(uid: str) -> str:
    """The entry's name in a calendar that names entries (a CalDAV collection): the UID itself when it is a plain
    name, otherwise a digest of it (servers refuse a '/' in a name, and some mangle other characters)."""
    return uid if _PLAIN_NAME.match(uid) else "uid-" + hashlib.sha256(uid.encode("utf-8")).hexdigest()[:40]


@dataclass(frozen=True)
class CalendarEvent:
    """An interview as an entry in an interviewer's calendar."""

    uid: str
    sequence: int
    title: str
    starts_at: str  # ISO 8601 with an offset
    duration_minutes: int
    organizer_email: str
    attendee_emails: tuple[str, ...] = ()
    description: str | None = None  # in the interviewer's language, like the title

    def to_ical(self) -> bytes:
        return calendar.stored(uid=self.uid, title=self.title, starts_at=self.starts_at,
                               duration_minutes=self.duration_minutes, sequence=self.sequence,
                               organizer_email=self.organizer_email, attendee_emails=list(self.attendee_emails),
                               description=self.description)


@dataclass(frozen=True)
class EventChange:
    """One entry that changed since a sync token: removed, or as it is now. `resource` is the entry's name in the
    calendar; a removed entry is known by that name only (`uid` then repeats it), so match removals by name."""

    uid: str
    removed: bool
    resource: str = ""
    sequence: int | None = None
    starts_at: str | None = None  # UTC, ISO 8601
    status: str | None = None  # STATUS: CONFIRMED, TENTATIVE, CANCELLED
    declined_by: tuple[str, ...] = ()  # attendees (addresses) whose PARTSTAT is DECLINED


@dataclass(frozen=True)
class Changes:
    """What changed since the token given; pass `sync_token` next time. `complete` when the server could not
    answer from the token given (none, or one it no longer knows): then `changes` lists every entry there is,
    and an entry missing from it was removed."""

    sync_token: str
    changes: list[EventChange] = field(default_factory=list)
    complete: bool = False


class CalendarConnector(Protocol):
    def create_event(self, event: CalendarEvent) -> bool:
        """Write the entry. False (nothing written) if it is there with this sequence or a higher one."""

    def update_event(self, event: CalendarEvent) -> bool:
        """Replace the entry (created if it is missing). False if the calendar holds a higher sequence."""

    def remove_event(self, uid: str) -> bool:
        """Remove the entry. False if it was not there (already removed: nothing to do)."""

    def changes_since(self, sync_token: str | None) -> Changes:
        """Entries added, changed or removed since the token (all entries when it is None)."""

    def resource_of(self, uid: str) -> str | None:
        """The entry's name in the calendar, as `changes_since` reports it (a removal is known by it only)."""


class CalendarConfigError(ValueError):
    """The configuration names no calendar for an interviewer, or is malformed (never retried: fix the config)."""


@dataclass(frozen=True)
class Connection:
    """Where an interviewer's calendar is: a CalDAV collection URL ("{email}" and "{user}", the address's local
    part, are filled in for domain-wide entries) and the ARN of the secret with {"username", "password"}."""

    url: str
    secret_arn: str
    kind: str = "caldav"  # or "graph": Microsoft 365 (url https://graph.microsoft.com/v1.0/users/{email})


def connection_for(email: str, connections: Mapping[str, Mapping[str, str]]) -> Connection | None:
    """The interviewer's connection: an entry for their address first, then one for "@their.domain"; None if
    their calendar is not connected (they are then only e-mailed)."""
    address = email.strip().lower()
    user, _, domain = address.partition("@")
    configured = {key.strip().lower(): value for key, value in connections.items()}
    entry = configured.get(address) or configured.get(f"@{domain}")
    if entry is None:
        return None
    try:
        connection = Connection(url=str(entry["url"]).format(email=address, user=user),
                                secret_arn=str(entry["secret_arn"]), kind=str(entry.get("kind", "caldav")))
    except (KeyError, IndexError, TypeError) as exc:
        raise CalendarConfigError(f"calendar connection for {'@' + domain} is malformed: {exc!r}") from None
    if not connection.url.startswith(("https://", "http://")):
        raise CalendarConfigError(f"calendar connection for {'@' + domain} has no http(s) URL")
    return connection


def credentials(secret_arn: str, secrets_client=None) -> tuple[str, str]:
    """(username, password) from a Secrets Manager secret holding {"username": ..., "password": ...}."""
    raw = (secrets_client or client("secretsmanager")).get_secret_value(SecretId=secret_arn)["SecretString"]
    try:
        value = json.loads(raw)
        return str(value["username"]), str(value["password"])
    except (ValueError, KeyError, TypeError):
        raise CalendarConfigError("calendar secret must be JSON with username and password") from None
