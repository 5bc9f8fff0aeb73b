"""Time in one format everywhere: UTC, ISO 8601 with a Z, so stored strings sort and compare as times.

Step Functions compares these strings with $$.State.EnteredTime in a condition, which is why the format matters.
"""

from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime

from functions.core.i18n import babel_locale
from functions.core.models import Locale


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def to_iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def now_iso() -> str:
    return to_iso(utc_now())


@lru_cache(maxsize=None)
def _reading_pattern(locale: Locale) -> str:
    """The language's own way to write a full date and a short time, e.g. 'EEEE, MMMM d, y, h:mm a' in English.

    The day period is written in full ('aaaa'): Korean's short form is 'PM', its full one '오후'."""
    data = babel_locale(locale)
    time = data.time_formats["short"].pattern
    time = time.replace("a", "aaaa") if "aaaa" not in time else time
    return str(data.datetime_formats["medium"]).replace("{1}", data.date_formats["full"].pattern).replace("{0}", time)


def local_text(text: str, zone: str | None, locale: Locale) -> str:
    """A stored time as a person reads it, in their own timezone and language, with the zone named:
    'Saturday, November 28, 2026, 2:00 PM (Asia/Shanghai)', '2026年11月28日星期六 14:00 (Asia/Shanghai)'."""
    try:
        tz = ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz, zone = ZoneInfo("UTC"), "UTC"
    written = format_datetime(from_iso(text), _reading_pattern(locale), tzinfo=tz, locale=babel_locale(locale))
    return f"{written} ({zone or 'UTC'})"
