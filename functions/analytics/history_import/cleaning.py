"""Cleaning an import CSV before anything is written: each row kept, dropped with a reason, or found to repeat an
earlier one; times normalised to UTC. Pure: reads the file, writes nothing, needs no tables.

Why a cleaning step and not `risk_rows.load_history`: training refuses a whole file for one bad row, which is
right for a model trained by hand but not for years of history from another system. Rows are checked by the same
parser (`risk_rows.parse_row`), so what is kept is exactly what training accepts; a row it refuses is dropped with
the parser's reason and message (row, line and column). A problem with the file itself (not UTF-8, no header, a
missing required column, a protected attribute) refuses the file: nothing is written.

Times: stored history is in UTC (as the live snapshots are), so each kept row's scheduled_at and invited_at are
written in UTC: a time with an offset is converted, a time without one is read in `zone` (the earlier system's
time zone, default UTC) and converted. A bare date says nothing about the time of day (the model then leaves the
slot hour unknown), so a row with one keeps both of its times as dates. The report's slot hour and weekday are the
local ones, as written, like the live counters' (the candidate's time).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from functions.analytics.risk_rows import (
    COUNT_COLUMNS,
    EXTRA_PREFIX,
    FLAG_COLUMNS,
    REQUIRED_COLUMNS,
    TEXT_COLUMNS,
    HistoryFormatError,
    Place,
    cells_of,
    has_time_of_day,
    parse_row,
    read_file,
)

# Why a row is dropped: the parser's reasons (risk_rows.HistoryFormatError.reason), and the import's own.
DROP_REASONS = {
    "cell_count": "a different number of cells than the header",
    "missing_id": "empty interview_id",
    "reserved_id": "interview_id contains '@' (marks the live history's snapshots)",
    "bad_timestamp": "scheduled_at or invited_at is not an ISO 8601 time",
    "mixed_offsets": "one of scheduled_at/invited_at has a UTC offset, the other not",
    "invited_after_start": "invited after the interview's start",
    "missing_outcome": "no outcome",
    "bad_outcome": "outcome is not attended, cancelled or no_show",
    "bad_flag": "a behaviour flag is not 0, 1 or empty",
    "bad_count": "a count is not a whole number",
    "not_yet_held": "starts in the future: its outcome cannot be known yet",
}
# How each kept row's two times were written (the report's "times normalised to UTC").
TIME_KINDS = ("converted_from_offset", "read_in_zone", "already_utc", "date_only")


@dataclass(frozen=True)
class Dropped:
    line: int
    reason: str  # a key of DROP_REASONS
    detail: str  # the parser's message: row, line and column


@dataclass(frozen=True)
class Duplicate:
    line: int
    interview_id: str
    first_line: int
    identical: bool  # False: the same interview with other values; the first row is the one kept


@dataclass(frozen=True)
class Kept:
    """A row to write: the stored row (the import format's columns only, times in UTC) and where it counts."""

    line: int
    row: dict[str, str]
    booked_day: str  # YYYY-MM-DD (UTC): the invitation, where the booking is counted
    outcome_day: str  # YYYY-MM-DD (UTC): the start, where the outcome is counted
    hour: int | None  # the slot's local hour (as written), None for a bare date
    weekday: int  # the slot's local weekday, Monday 0

    @property
    def interview_id(self) -> str:
        return self.row["interview_id"]


@dataclass
class Cleaned:
    path: str
    zone: str
    rows_read: int = 0
    kept: list[Kept] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)  # not in the import format: never stored
    times: Counter = field(default_factory=Counter)  # TIME_KINDS -> timestamps

    def dropped_by_reason(self) -> dict[str, int]:
        return dict(Counter(d.reason for d in self.dropped).most_common())


def stored_columns(header: list[str]) -> tuple[list[str], list[str]]:
    """(the columns an imported row keeps, the ones it ignores): only the import format's columns are stored,
    so a column such as a name or an e-mail address in an exported file never reaches the history."""
    known = set(REQUIRED_COLUMNS + FLAG_COLUMNS + COUNT_COLUMNS + TEXT_COLUMNS)
    kept = [c for c in header if c in known or c.startswith(EXTRA_PREFIX)]
    return kept, [c for c in header if c not in kept]


def _utc(moment: datetime, zone: ZoneInfo) -> tuple[datetime, str]:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone).astimezone(timezone.utc), "read_in_zone"
    kind = "already_utc" if moment.utcoffset() == timezone.utc.utcoffset(None) else "converted_from_offset"
    return moment.astimezone(timezone.utc), kind


def normalised(cells: dict[str, str], scheduled: datetime, invited: datetime, zone: ZoneInfo
               ) -> tuple[dict[str, str], list[str], date, date]:
    """The two times as stored (UTC, or both dates), how each was written, and the UTC days of the booking and
    of the start."""
    if not (has_time_of_day(cells["scheduled_at"]) and has_time_of_day(cells["invited_at"])):
        return ({"scheduled_at": scheduled.date().isoformat(), "invited_at": invited.date().isoformat()},
                ["date_only", "date_only"], invited.date(), scheduled.date())
    (start, start_kind), (invite, invite_kind) = _utc(scheduled, zone), _utc(invited, zone)
    return ({"scheduled_at": start.isoformat(), "invited_at": invite.isoformat()}, [start_kind, invite_kind],
            invite.date(), start.date())


def clean_file(path: str | Path, zone: str = "UTC", now: datetime | None = None) -> Cleaned:
    """Read and clean an import CSV. Raises HistoryFormatError (nothing is kept) when the file itself is wrong,
    and ZoneInfoNotFoundError for an unknown zone."""
    tz = ZoneInfo(zone)
    today = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    rows, lines, bad = read_file(path, keep_going=True)
    cleaned = Cleaned(str(path), zone, rows_read=len(rows) + len(bad))
    cleaned.dropped += [Dropped(line, "cell_count", why) for line, why in bad]
    header = list(rows[0].keys()) if rows else []
    columns, cleaned.ignored_columns = stored_columns(header)
    first: dict[str, Kept] = {}
    for number, (raw, line) in enumerate(zip(rows, lines), start=1):
        place = Place(number, line)
        cells = cells_of(raw)
        try:
            if "@" in cells["interview_id"]:
                raise HistoryFormatError(f"{place.at('interview_id')}: contains '@'", "reserved_id")
            interview = parse_row(cells, place)
        except HistoryFormatError as error:
            cleaned.dropped.append(Dropped(line, error.reason, str(error)))
            continue
        times, kinds, booked, started = normalised(cells, interview.scheduled_at, interview.invited_at, tz)
        started_at = datetime.fromisoformat(times["scheduled_at"])
        if (started_at > today) if started_at.tzinfo else (started_at.date() > today.date()):
            cleaned.dropped.append(Dropped(line, "not_yet_held", f"{place.at('scheduled_at')}: in the future"))
            continue
        row = {c: cells[c] for c in columns} | times | {"outcome": interview.outcome or ""}
        earlier = first.get(interview.interview_id)
        if earlier is not None:
            cleaned.duplicates.append(Duplicate(line, interview.interview_id, earlier.line, earlier.row == row))
            continue
        local = interview.scheduled_at
        kept = Kept(line, row, booked.isoformat(), started.isoformat(),
                    local.hour if interview.time_of_day_known else None, local.weekday())
        first[interview.interview_id] = kept
        cleaned.kept.append(kept)
        cleaned.times.update(kinds)
    cleaned.dropped.sort(key=lambda d: d.line)
    return cleaned
