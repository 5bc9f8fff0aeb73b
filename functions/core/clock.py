"""Time in one format everywhere: UTC, ISO 8601 with a Z, so stored strings sort and compare as times.

Step Functions compares these strings with $$.State.EnteredTime in a condition, which is why the format matters.
"""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def to_iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def now_iso() -> str:
    return to_iso(utc_now())


def local_text(text: str, zone: str | None) -> str:
    """A stored time as a person reads it, in their own timezone: '2026-11-28 14:00 (Asia/Shanghai)'."""
    try:
        tz = ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz, zone = ZoneInfo("UTC"), "UTC"
    return f"{from_iso(text).astimezone(tz):%Y-%m-%d %H:%M} ({zone or 'UTC'})"
