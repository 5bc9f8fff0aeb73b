"""An interviewer's Microsoft 365 (Exchange Online) calendar through Microsoft Graph, behind the same connector
interface as CalDAV, for the companies whose calendars are not reachable over CalDAV.

The app signs in as itself (client credentials with `msal`; the application permission Calendars.ReadWrite, which
an administrator may limit to the interviewers' mailboxes with an application access policy). Graph does not let a
client choose an event's iCalendar UID, so our UID and the SEQUENCE we wrote ride on the event as two
single-value extended properties: the entry is found by its UID property, and never replaced by a lower sequence.
The event carries no attendees: in Exchange, attendees on an event are invited by the server, and the candidate
already has our invitation; this is the interviewer's own entry. Changes are read with the calendarView delta
query; its deltaLink is the sync token, and a removed event is known by its Graph id (our `resource` for it).

Verified only against Graph's documented request and response shapes (a fake server in the tests), not against
Microsoft 365 itself: see docs/calendars.md.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import msal
import requests

from functions.core.clock import from_iso, to_iso, utc_now
from functions.integration.aws import client
from functions.integration.calendar_connector import (
    CalendarConfigError,
    CalendarEvent,
    Changes,
    Connection,
    EventChange,
)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
_GUID = "{4f1e8a52-9c0d-4d4a-8f9e-2b6f3c1d7a10}"
UID_PROPERTY = f"String {_GUID} Name InterviewUid"
SEQUENCE_PROPERTY = f"String {_GUID} Name InterviewSequence"
# The window the delta query covers (Graph's calendarView delta needs one): interviews are weeks ahead at most.
WINDOW_BEFORE, WINDOW_AFTER = timedelta(days=1), timedelta(days=400)


class CalendarWriteError(RuntimeError):
    """Graph refused or failed a request (the queue retries, then dead-letters)."""


@dataclass(frozen=True)
class _Found:
    id: str
    sequence: int


class GraphCalendar:
    """The default calendar of one mailbox: `base_url` is https://graph.microsoft.com/v1.0/users/<address>."""

    def __init__(self, base_url: str, owner: str, tenant_id: str, client_id: str, client_secret: str,
                 authority: str | None = None, timeout: float = 10.0):
        self._base, self._owner, self._timeout = base_url.rstrip("/"), owner.strip().lower(), timeout
        self._app = msal.ConfidentialClientApplication(
            client_id, client_credential=client_secret,
            authority=authority or f"https://login.microsoftonline.com/{tenant_id}",
            instance_discovery=authority is None)  # a configured authority (a sovereign cloud, a test) is trusted
        self._session = requests.Session()

    @classmethod
    def connect(cls, connection: Connection, owner: str, secrets_client=None) -> GraphCalendar:
        raw = (secrets_client or client("secretsmanager")).get_secret_value(
            SecretId=connection.secret_arn)["SecretString"]
        try:
            secret = json.loads(raw)
            return cls(connection.url, owner, str(secret["tenant_id"]), str(secret["client_id"]),
                       str(secret["client_secret"]), authority=secret.get("authority"))
        except (ValueError, KeyError, TypeError):
            raise CalendarConfigError("a Graph calendar secret must be JSON with tenant_id, client_id and "
                                      "client_secret") from None

    # ---- writes -------------------------------------------------------------------------------------------------
    def create_event(self, event: CalendarEvent) -> bool:
        found = self._find(event.uid)
        if found is not None and found.sequence >= event.sequence:
            return False
        return self._write(event, found)

    def update_event(self, event: CalendarEvent) -> bool:
        found = self._find(event.uid)
        if found is not None and found.sequence > event.sequence:
            return False
        return self._write(event, found)

    def remove_event(self, uid: str) -> bool:
        found = self._find(uid)
        if found is None:
            return False
        response = self._call("DELETE", f"{self._base}/events/{quote(found.id, safe='')}")
        if response.status_code == 404:
            return False
        self._check(response, "DELETE")
        return True

    def resource_of(self, uid: str) -> str | None:
        found = self._find(uid)
        return found.id if found else None

    # ---- reads --------------------------------------------------------------------------------------------------
    def changes_since(self, sync_token: str | None) -> Changes:
        complete = sync_token is None
        url = sync_token or self._first_delta_url()
        changes: list[EventChange] = []
        while True:
            response = self._call("GET", url, headers={"Prefer": 'odata.maxpagesize=50, outlook.timezone="UTC"'})
            if response.status_code == 410 and not complete:
                # The delta token expired or is unknown (Graph: 410 Gone, syncStateNotFound): start over.
                url, complete, changes = self._first_delta_url(), True, []
                continue
            self._check(response, "GET delta")
            page = response.json()
            changes.extend(self._change(item) for item in page.get("value", []))
            if "@odata.nextLink" in page:
                url = page["@odata.nextLink"]
                continue
            return Changes(sync_token=page["@odata.deltaLink"], changes=changes, complete=complete)

    # ---- helpers ------------------------------------------------------------------------------------------------
    def _first_delta_url(self) -> str:
        now = utc_now()
        start, end = to_iso(now - WINDOW_BEFORE), to_iso(now + WINDOW_AFTER)
        return f"{self._base}/calendarView/delta?startDateTime={start}&endDateTime={end}"

    def _change(self, item: dict) -> EventChange:
        if "@removed" in item:
            return EventChange(uid=item["id"], removed=True, resource=item["id"])
        response = (item.get("responseStatus") or {}).get("response", "")
        start = (item.get("start") or {}).get("dateTime")
        return EventChange(
            uid=str(item.get("iCalUId") or item["id"]), removed=False, resource=item["id"],
            # "2030-01-15T06:00:00.0000000" in UTC (the Prefer header asked for UTC): seconds are enough.
            starts_at=to_iso(from_iso(start[:19] + "+00:00")) if start else None,
            status="CANCELLED" if item.get("isCancelled") else "CONFIRMED",
            declined_by=(self._owner,) if str(response).lower() == "declined" else ())

    def _find(self, uid: str) -> _Found | None:
        escaped = uid.replace("'", "''")
        params = {
            "$filter": f"singleValueExtendedProperties/Any(ep: ep/id eq '{UID_PROPERTY}' and ep/value eq '{escaped}')",
            "$expand": f"singleValueExtendedProperties($filter=id eq '{SEQUENCE_PROPERTY}')",
            "$select": "id"}
        response = self._call("GET", f"{self._base}/events", params=params)
        self._check(response, "GET events")
        for item in response.json().get("value", []):
            sequence = next((p.get("value") for p in item.get("singleValueExtendedProperties") or []
                             if p.get("id", "").lower() == SEQUENCE_PROPERTY.lower()), "0")
            return _Found(id=item["id"], sequence=int(sequence or 0))
        return None

    def _write(self, event: CalendarEvent, found: _Found | None) -> bool:
        starts = from_iso(event.starts_at)
        body = {
            "subject": event.title,
            "start": {"dateTime": to_iso(starts).removesuffix("Z"), "timeZone": "UTC"},
            "end": {"dateTime": to_iso(starts + timedelta(minutes=event.duration_minutes)).removesuffix("Z"),
                    "timeZone": "UTC"},
            "showAs": "busy",
            **({"body": {"contentType": "text", "content": event.description}} if event.description else {}),
            "singleValueExtendedProperties": [{"id": UID_PROPERTY, "value": event.uid},
                                              {"id": SEQUENCE_PROPERTY, "value": str(event.sequence)}],
        }
        if found is None:
            # transactionId: Graph drops a repeated POST with the same one (a retry after a lost answer).
            body["transactionId"] = hashlib.sha256(f"{event.uid}|{event.sequence}".encode()).hexdigest()[:32]
            response = self._call("POST", f"{self._base}/events", json=body)
        else:
            response = self._call("PATCH", f"{self._base}/events/{quote(found.id, safe='')}", json=body)
        self._check(response, "POST" if found is None else "PATCH")
        return True

    def _token(self) -> str:
        result = self._app.acquire_token_for_client(scopes=[GRAPH_SCOPE])  # msal caches it until it expires
        if "access_token" not in result:
            raise CalendarWriteError(f"no Graph token: {result.get('error', 'unknown error')}")
        return result["access_token"]

    def _call(self, method: str, url: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self._token()}", **kwargs.pop("headers", {})}
        return self._session.request(method, url, headers=headers, timeout=self._timeout, **kwargs)

    @staticmethod
    def _check(response: requests.Response, what: str) -> None:
        if response.status_code >= 300:
            raise CalendarWriteError(f"{what} answered {response.status_code}")
