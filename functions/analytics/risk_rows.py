"""The cancellation-risk model's import format: raw rows (a dict of column -> text, from a CSV file, the stored
history or a test) checked and turned into typed records, with errors that name the row and the column.

The one parser of that format: training (`parse_rows`, all or nothing) and the history import
(functions/analytics/history_import/, which keeps the good rows and drops each bad one with the reason
`parse_row` gives) read rows through the same checks."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

REQUIRED_COLUMNS = ("interview_id", "scheduled_at", "invited_at", "outcome")
FLAG_COLUMNS = ("viewed_jd", "downloaded_intro", "clicked_link", "reminder_sent")
COUNT_COLUMNS = ("prior_cancellations", "reschedules")
TEXT_COLUMNS = ("source", "job_level")
EXTRA_PREFIX = "feature_"
OUTCOMES = {"attended": 0, "cancelled": 1, "no_show": 1}  # positive class: did not attend
# Protected attributes the model must never use (docs/model-card.md): a column any of whose words (split at
# "_", "-", spaces) is one of these is refused, whatever its prefix; so are the words' plain variants below.
PROTECTED_WORDS = frozenset({
    "gender", "sex", "marital", "married", "spouse", "religion", "religious", "caste", "race", "racial",
    "ethnic", "ethnicity", "nationality", "citizenship", "age", "birth", "birthdate", "dob", "disability",
    "disabled", "pregnancy", "pregnant", "orientation", "children", "union", "health",
})


class HistoryFormatError(ValueError):
    """The history rows are not in the import format. The message names the row and column; `reason` is a stable
    code for what is wrong (the history import counts dropped rows by it)."""

    def __init__(self, message: str, reason: str = "format"):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Place:
    """Where a row came from, for error messages: its 1-based data row and, if read from a file, its line."""

    row: int
    line: int | None = None

    def at(self, column: str) -> str:
        line = f" (line {self.line})" if self.line is not None else ""
        return f"row {self.row}{line}, column '{column}'"


@dataclass(frozen=True)
class Interview:
    """One validated history row."""

    interview_id: str
    scheduled_at: datetime
    time_of_day_known: bool  # a bare date ("2016-02-06") says nothing about the slot's hour
    invited_at: datetime
    outcome: str | None
    cells: Mapping[str, str]  # the optional and feature_* columns, trimmed
    place: Place


def _timestamp(text: str, place: Place, column: str) -> tuple[datetime, bool]:
    """The moment, and whether it has a time of day (a bare ISO date has none)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise HistoryFormatError(
            f"{place.at(column)}: {text!r} is not an ISO 8601 timestamp (e.g. 2025-03-01T14:30:00+08:00)",
            "bad_timestamp",
        ) from None
    return moment, has_time_of_day(text)


def has_time_of_day(text: str) -> bool:
    """Whether an ISO 8601 text that parsed gives a time of day (a bare date such as "2016-02-06" does not)."""
    return "T" in text.upper() or " " in text.strip()


def lead_hours(scheduled: datetime, invited: datetime, place: Place) -> float:
    if (scheduled.tzinfo is None) != (invited.tzinfo is None):
        raise HistoryFormatError(
            f"{place.at('invited_at')}: one of scheduled_at/invited_at has a UTC offset and the other not",
            "mixed_offsets",
        )
    hours = (scheduled - invited).total_seconds() / 3600
    if hours < 0:
        raise HistoryFormatError(f"{place.at('invited_at')}: the invitation is after the interview",
                                 "invited_after_start")
    return hours


def protected_columns(columns: Iterable[str]) -> list[str]:
    """The columns that name a protected attribute (PROTECTED_WORDS)."""
    return sorted(c for c in columns if PROTECTED_WORDS & set(re.split(r"[^a-z0-9]+", c.lower())))


def check_columns(columns: Iterable[str], require_outcome: bool = True) -> None:
    present = set(columns)
    protected = protected_columns(present)
    if protected:
        raise HistoryFormatError(
            f"header: column(s) {', '.join(protected)} name protected attributes (gender, marital status, age, "
            "religion, ...) that the model must not use; remove them from the history", "protected_column"
        )
    required = REQUIRED_COLUMNS if require_outcome else tuple(c for c in REQUIRED_COLUMNS if c != "outcome")
    missing = [c for c in required if c not in present]
    if missing:
        raise HistoryFormatError(f"header: missing required column(s) {', '.join(missing)}", "missing_column")


def cells_of(row: Mapping[str, Any]) -> dict[str, str]:
    """A raw row's cells as trimmed text (None becomes empty; a column without a name is left out)."""
    return {str(k): ("" if v is None else str(v).strip()) for k, v in row.items() if k is not None}


def parse_row(cell: Mapping[str, str], place: Place, require_outcome: bool = True) -> Interview:
    """One row's cells (`cells_of`), checked and typed. Raises HistoryFormatError (with a `reason`)."""
    interview_id = cell["interview_id"]
    if not interview_id:
        raise HistoryFormatError(f"{place.at('interview_id')}: empty", "missing_id")
    scheduled, time_known = _timestamp(cell["scheduled_at"], place, "scheduled_at")
    invited, _ = _timestamp(cell["invited_at"], place, "invited_at")
    lead_hours(scheduled, invited, place)
    outcome = cell.get("outcome", "").lower() or None
    if outcome is None and require_outcome:
        raise HistoryFormatError(f"{place.at('outcome')}: empty (expected one of {', '.join(OUTCOMES)})",
                                 "missing_outcome")
    if outcome is not None and outcome not in OUTCOMES:
        raise HistoryFormatError(
            f"{place.at('outcome')}: {cell['outcome']!r} is not one of {', '.join(OUTCOMES)}", "bad_outcome"
        )
    for column in FLAG_COLUMNS:
        if cell.get(column, "") not in ("", "0", "1"):
            raise HistoryFormatError(f"{place.at(column)}: {cell[column]!r} is not 0, 1 or empty", "bad_flag")
    for column in COUNT_COLUMNS:
        value = cell.get(column, "")
        if value and not (value.isascii() and value.isdigit()):
            raise HistoryFormatError(f"{place.at(column)}: {value!r} is not a whole number", "bad_count")
    extras = {k: v for k, v in cell.items() if k not in REQUIRED_COLUMNS}
    return Interview(interview_id, scheduled, time_known, invited, outcome, extras, place)


def parse_rows(
    rows: Sequence[Mapping[str, Any]], require_outcome: bool = True, lines: Sequence[int] | None = None
) -> list[Interview]:
    """Validate rows (dicts of column -> text) and type them. Raises HistoryFormatError.

    `lines`, when the rows come from a file, gives each row's line there, so errors can point at it.
    """
    if not rows:
        raise HistoryFormatError("no data rows", "no_rows")
    check_columns(rows[0].keys(), require_outcome)
    seen: dict[str, int] = {}
    interviews = []
    for number, row in enumerate(rows, start=1):
        place = Place(number, lines[number - 1] if lines is not None else None)
        cell = cells_of(row)
        check_columns(cell.keys(), require_outcome)  # dict rows may differ from one another
        interview_id = cell["interview_id"]
        if interview_id in seen:
            raise HistoryFormatError(
                f"{place.at('interview_id')}: {interview_id!r} already appears in row {seen[interview_id]}",
                "duplicate",
            )
        interviews.append(parse_row(cell, place, require_outcome))
        seen[interview_id] = number
    return interviews


def load_history(path: str | Path, require_outcome: bool = True) -> list[dict[str, str]]:
    """Read an import CSV (UTF-8, BOM allowed) into validated rows: one dict of column -> text per row."""
    rows, lines, _ = read_file(path, require_outcome)
    try:
        parse_rows(rows, require_outcome, lines)
    except HistoryFormatError as error:
        raise HistoryFormatError(f"{path}: {error}", error.reason) from None
    return rows


def read_file(path: str | Path, require_outcome: bool = True, keep_going: bool = False
              ) -> tuple[list[dict[str, str]], list[int], list[tuple[int, str]]]:
    """An import CSV's rows (dicts of column -> text, unchecked), the line each starts on, and, with
    `keep_going`, the rows that could not be read as (line, why) instead of an error. A file that is not
    UTF-8 text or whose header is wrong raises HistoryFormatError."""
    bad: list[tuple[int, str]] | None = [] if keep_going else None
    try:
        with open(path, newline="", encoding="utf-8-sig") as source:
            rows, lines = _read_csv(source, require_outcome, bad)
    except HistoryFormatError as error:
        raise HistoryFormatError(f"{path}: {error}", error.reason) from None
    except UnicodeDecodeError as error:
        raise HistoryFormatError(f"{path}: not UTF-8 text ({error})", "not_utf8") from None
    return rows, lines, bad or []


def _read_csv(source: Iterable[str], require_outcome: bool, bad: list[tuple[int, str]] | None = None
              ) -> tuple[list[dict[str, str]], list[int]]:
    """The rows as dicts, and the line each starts on. A row with the wrong number of cells raises, or is
    appended to `bad` as (line, why) when a list is given."""
    reader = csv.reader(source)
    header = [name.strip() for name in next(reader, [])]
    if not any(header):
        raise HistoryFormatError("empty file, expected a header row", "empty_file")
    check_columns(header, require_outcome)
    rows, lines = [], []
    first_line = reader.line_num + 1
    for cells in reader:
        # A quoted cell may span lines: a row starts on the line after the previous row ended.
        line, first_line = first_line, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue  # a blank line is not a row
        if len(cells) != len(header):
            why = f"line {line}: {len(cells)} cells, the header has {len(header)}"
            if bad is None:
                raise HistoryFormatError(why, "cell_count")
            bad.append((line, why))
            continue
        rows.append(dict(zip(header, cells)))
        lines.append(line)
    return rows, lines
