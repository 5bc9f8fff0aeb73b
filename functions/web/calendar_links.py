"""Links that add an interview to a web calendar a candidate uses (Google Calendar, Outlook.com): each opens
the calendar's new-event form filled in with the interview's title and time. They carry no token or personal
data, only what the form shows; the portal's .ics download is the copy that later e-mailed updates apply to.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from urllib.parse import urlencode

from functions.core.clock import from_iso


def _times(starts_at: str, duration_minutes: int):
    start = from_iso(starts_at).astimezone(timezone.utc)
    return start, start + timedelta(minutes=duration_minutes)


def google(title: str, starts_at: str, duration_minutes: int) -> str:
    start, end = _times(starts_at, duration_minutes)
    return "https://calendar.google.com/calendar/render?" + urlencode({
        "action": "TEMPLATE", "text": title, "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}"})


def outlook(title: str, starts_at: str, duration_minutes: int) -> str:
    start, end = _times(starts_at, duration_minutes)
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode({
        "path": "/calendar/action/compose", "rru": "addevent", "subject": title,
        "startdt": f"{start:%Y-%m-%dT%H:%M:%SZ}", "enddt": f"{end:%Y-%m-%dT%H:%M:%SZ}"})
