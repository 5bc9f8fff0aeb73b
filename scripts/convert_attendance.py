"""Convert the public "Interview Attendance Problem" CSV into our historical-import format.

Usage: python scripts/convert_attendance.py SOURCE.csv OUT.csv

The source file is not ours to redistribute (no licence stated), so this script only reads it from the path
given; nothing from it is kept in the repository.

How the source columns map (and where the mapping is a judgement call):
- `Name(Cand ID)` -> interview_id (unchanged, so a row can be traced back to the source).
- `Date of Interview` -> scheduled_at. Dates are day-first in several spellings (13.02.2015, 21.4.16,
  04-12-2016, 15-Apr-16, "25 – Apr-16", "28.8.2016 & 02.00 PM"). Only a few rows give a time; the others are
  written as a bare ISO date, which the risk model reads as "time of day unknown" rather than inventing
  midnight. Years after 2016 (12.04.2017 ... 12.04.2023 on consecutive rows) are a spreadsheet fill-down slip
  on 12.04.2016 and are read as 2016, the end of the data's collection window.
- invited_at: the source has no invitation time. We write scheduled_at minus a fixed 48 hours, so the
  derived lead time is the same constant for every row and carries no signal; it is not a guess presented as
  data.
- `Observed Attendance` -> outcome: No -> no_show, Yes -> attended. The source does not distinguish a
  cancellation from a no-show, so "cancelled" never appears.
- "Have you taken a printout of your updated resume. Have you read the JD ..." -> viewed_jd (1/0, empty if
  not asked or no clear answer).
- "Can I Call you three hours before the interview ..." -> feature_agreed_reminder, not reminder_sent: the
  candidate agreeing to a call is not a record that a reminder went out.
- "Has the call letter been shared" -> feature_call_letter_shared, not clicked_link: it confirms the
  invitation was delivered (answers include "Need to check", "Havent checked"), not that a link was clicked,
  and the "unsure" answers are worth keeping apart from a plain no.
- Everything else known before the interview becomes a feature_* column: client, industry, location,
  position type, skillset, interview type, native location, the remaining yes/no
  questions (yes/no/unsure, empty when not asked), whether the candidate's current location, the job
  location and the venue agree, and `Expected Attendance` (the recruiter's guess made beforehand).
- Gender and Marital Status are dropped: protected attributes the model must not use (docs/model-card.md;
  risk_rows.PROTECTED_WORDS refuses such columns).
- No source/job_level/prior_cancellations/reschedules: the source has nothing that means that.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

INVITATION_OFFSET = timedelta(hours=48)
LAST_YEAR_OF_DATA = 2016

# Source headers, as spelled in the file (matched after trimming spaces).
DATE = "Date of Interview"
CLIENT = "Client name"
INDUSTRY = "Industry"
LOCATION = "Location"
POSITION = "Position to be closed"
SKILLSET = "Nature of Skillset"
INTERVIEW_TYPE = "Interview Type"
CANDIDATE_ID = "Name(Cand ID)"
GENDER = "Gender"  # read by nobody: a protected attribute, never converted
CURRENT_LOCATION = "Candidate Current Location"
JOB_LOCATION = "Candidate Job Location"
VENUE = "Interview Venue"
NATIVE_LOCATION = "Candidate Native location"
PERMISSION = "Have you obtained the necessary permission to start at the required time"
NO_MEETINGS = "Hope there will be no unscheduled meetings"
CALL_BEFORE = (
    "Can I Call you three hours before the interview and follow up on your attendance for the interview"
)
ALTERNATIVE_NUMBER = (
    "Can I have an alternative number/ desk number. I assure you that I will not trouble you too much"
)
READ_JD = "Have you taken a printout of your updated resume. Have you read the JD and understood the same"
VENUE_CLEAR = "Are you clear with the venue details and the landmark."
CALL_LETTER = "Has the call letter been shared"
EXPECTED = "Expected Attendance"
OBSERVED = "Observed Attendance"
MARITAL_STATUS = "Marital Status"  # the same

REQUIRED_SOURCE_COLUMNS = (DATE, CANDIDATE_ID, OBSERVED)

OUTPUT_COLUMNS = (
    "interview_id", "scheduled_at", "invited_at", "outcome", "viewed_jd",
    "feature_client", "feature_industry", "feature_location", "feature_position_type", "feature_skillset",
    "feature_interview_type", "feature_native_location",
    "feature_permission_obtained", "feature_no_unscheduled_meetings", "feature_agreed_reminder",
    "feature_alternative_number", "feature_venue_clear", "feature_call_letter_shared",
    "feature_current_is_job_location", "feature_job_location_is_venue", "feature_current_location_is_venue",
    "feature_native_is_job_location", "feature_expected_attendance",
)


class SourceFormatError(ValueError):
    """The source file is not the attendance data we know how to read; the message names row and column."""


# --- cleaning helpers --------------------------------------------------------------------------------------

def _clean(value: str | None) -> str:
    """Trim spaces, stray BOMs and decorative dashes ("- Cochin- "); lower-case; collapse inner spaces."""
    text = (value or "").replace("\ufeff", "").strip().strip("-").strip()
    return re.sub(r"\s+", " ", text).lower()


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_DATE = re.compile(r"^(\d{1,2})[.\-/](\d{1,2}|[a-z]{3})[.\-/](\d{2}|\d{4})$")
_TIME = re.compile(r"^(\d{1,2})[.:](\d{2})\s*(am|pm)$")


_YES = {"yes"}
_NO = {"no", "not yet", "no dont", "no- will take it soon", "no- i need to check",
       "no i have only thi number"}
_UNSURE = {"not sure", "cant say", "yet to confirm", "need to check", "havent checked", "yet to check",
           "uncertain"}


def answer(value: str | None) -> str:
    """A yes/no question's answer as yes / no / unsure, or "" when it was not asked or is unreadable."""
    text = _clean(value)
    if text in _YES:
        return "yes"
    if text in _NO:
        return "no"
    if text in _UNSURE:
        return "unsure"
    return ""  # "NA", empty, or a stray value such as a time typed into the wrong column


def flag(value: str | None) -> str:
    """A yes/no answer as the import format's 0/1 flag; anything but a clear yes/no stays unknown."""
    return {"yes": "1", "no": "0"}.get(answer(value), "")


_PLACE_SPELLINGS = {"gurgaonr": "gurgaon"}
_CLIENT_SPELLINGS = {
    "standard chartered bank chennai": "standard chartered bank",
    "hewitt": "aon hewitt",
    "aon hewitt gurgaon": "aon hewitt",
}


def place(value: str | None) -> str:
    text = _clean(value)
    return _PLACE_SPELLINGS.get(text, text)


def client(value: str | None) -> str:
    text = _clean(value)
    return _CLIENT_SPELLINGS.get(text, text)


def interview_type(value: str | None) -> str:
    text = _clean(value).replace("sceduled", "scheduled").replace(" ", "")
    names = {"scheduledwalkin": "scheduled walk-in", "scheduled": "scheduled", "walkin": "walk-in"}
    return names.get(text, text)


def skillset(value: str | None) -> str:
    """Skill names with their punctuation evened out ("java,j2ee" = "java/j2ee" = "java, j2ee").

    A few cells hold a time ("11.30 AM", typed into the wrong column) or a spreadsheet error ("#NAME?"):
    those say nothing about the skill and become unknown.
    """
    text = _clean(value)
    if text.startswith("#") or _TIME.match(text):
        return ""
    return re.sub(r"[\s/,&\-\u2013]+", " ", text).strip()


def same(a: str, b: str) -> str:
    """Whether two locations agree, as 1/0; unknown when either is missing."""
    if not a or not b:
        return ""
    return "1" if a == b else "0"


def interview_time(value: str) -> tuple[date, tuple[int, int] | None]:
    """Parse the source's day-first date, with its optional "& hh.mm AM" time. Raises ValueError."""
    text = _clean(value).replace("\u2013", "-")  # "25 – Apr-16" uses an en dash
    text = re.sub(r"\s*-\s*", "-", text)
    day_part, _, time_part = (part.strip() for part in text.partition("&"))
    match = _DATE.match(day_part)
    if not match:
        raise ValueError(f"unreadable date {value!r}")
    day_text, month_text, year_text = match.groups()
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text, 0)
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    year = min(year, LAST_YEAR_OF_DATA)  # fill-down slip, see the module docstring
    day = date(year, month, int(day_text))  # raises ValueError for e.g. month 0 or 31.02
    if not time_part:
        return day, None
    time_match = _TIME.match(time_part)
    if not time_match:
        raise ValueError(f"unreadable time {time_part!r} in {value!r}")
    hour, minute, half = int(time_match[1]), int(time_match[2]), time_match[3]
    hour = hour % 12 + (12 if half == "pm" else 0)
    return day, (hour, minute)


def outcome(value: str | None) -> str:
    text = _clean(value)
    if text == "yes":
        return "attended"
    if text == "no":
        return "no_show"
    raise ValueError(f"unexpected Observed Attendance {value!r} (expected Yes or No)")


# --- conversion --------------------------------------------------------------------------------------------

def _is_blank(cells: Iterable[str]) -> bool:
    return all(not (cell or "").replace("\ufeff", "").strip() for cell in cells)


def _source_records(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {header: cell}) for each non-blank row; the unnamed trailing columns are dropped."""
    reader = csv.reader(lines)
    header = [name.replace("\ufeff", "").strip() for name in next(reader, [])]
    missing = [name for name in REQUIRED_SOURCE_COLUMNS if name not in header]
    if missing:
        raise SourceFormatError(f"line 1 (header): missing column(s) {', '.join(map(repr, missing))}")
    named = [(i, name) for i, name in enumerate(header) if name]
    for cells in reader:
        if _is_blank(cells):
            continue  # the file ends with an empty row
        yield reader.line_num, {name: (cells[i] if i < len(cells) else "") for i, name in named}


def convert_record(record: dict[str, str]) -> dict[str, str]:
    """One source row as one import-format row. Raises ValueError naming the bad column."""
    get = record.get

    def parsed(column: str, parse: Callable[[str | None], T]) -> T:
        try:
            return parse(get(column))
        except ValueError as error:
            raise ValueError(f"column {column!r}: {error}") from None

    day, clock = parsed(DATE, interview_time)
    if clock is None:
        scheduled_at = day.isoformat()
        invited_at = (day - INVITATION_OFFSET).isoformat()
    else:
        moment = datetime(day.year, day.month, day.day, *clock)
        scheduled_at = moment.isoformat()
        invited_at = (moment - INVITATION_OFFSET).isoformat()
    current, job, venue, native = (
        place(get(column)) for column in (CURRENT_LOCATION, JOB_LOCATION, VENUE, NATIVE_LOCATION)
    )
    interview_id = (get(CANDIDATE_ID) or "").strip()
    if not interview_id:
        raise ValueError(f"column {CANDIDATE_ID!r}: empty")
    return {
        "interview_id": interview_id,
        "scheduled_at": scheduled_at,
        "invited_at": invited_at,
        "outcome": parsed(OBSERVED, outcome),
        "viewed_jd": flag(get(READ_JD)),
        "feature_client": client(get(CLIENT)),
        "feature_industry": _clean(get(INDUSTRY)),
        "feature_location": place(get(LOCATION)),
        "feature_position_type": _clean(get(POSITION)),
        "feature_skillset": skillset(get(SKILLSET)),
        "feature_interview_type": interview_type(get(INTERVIEW_TYPE)),
        "feature_native_location": native,
        "feature_permission_obtained": answer(get(PERMISSION)),
        "feature_no_unscheduled_meetings": answer(get(NO_MEETINGS)),
        "feature_agreed_reminder": answer(get(CALL_BEFORE)),
        "feature_alternative_number": answer(get(ALTERNATIVE_NUMBER)),
        "feature_venue_clear": answer(get(VENUE_CLEAR)),
        "feature_call_letter_shared": answer(get(CALL_LETTER)),
        "feature_current_is_job_location": same(current, job),
        "feature_job_location_is_venue": same(job, venue),
        "feature_current_location_is_venue": same(current, venue),
        "feature_native_is_job_location": same(native, job),
        "feature_expected_attendance": answer(get(EXPECTED)),
    }


def convert_lines(lines: Iterable[str]) -> list[dict[str, str]]:
    rows = []
    for line_number, record in _source_records(lines):
        try:
            rows.append(convert_record(record))
        except ValueError as error:
            raise SourceFormatError(f"line {line_number}: {error}") from None
    return rows


def read_attendance(path: str | Path) -> list[dict[str, str]]:
    """The source file at `path`, converted to import-format rows (in memory)."""
    with open(path, newline="", encoding="utf-8-sig") as source:
        return convert_lines(source)


def write_rows(rows: list[dict[str, str]], path: str | Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=OUTPUT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def convert_file(source: str | Path, destination: str | Path) -> list[dict[str, str]]:
    rows = read_attendance(source)
    write_rows(rows, destination)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="interview_attendance.csv as published")
    parser.add_argument("out", help="where to write the import-format CSV")
    args = parser.parse_args(argv)
    try:
        rows = convert_file(args.source, args.out)
    except (OSError, SourceFormatError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    outcomes = Counter(row["outcome"] for row in rows)
    counts = ", ".join(f"{outcome_name} {n}" for outcome_name, n in sorted(outcomes.items()))
    print(f"wrote {len(rows)} rows to {args.out}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
