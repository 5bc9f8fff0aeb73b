"""The staff console's search: interviews by the day they start, requests by the day they were made, filtered,
within the staff member's reach, a page at a time, and as CSV.

Both walk a day-partitioned index (interviews.by_start_day, requests.by_day) from the newest day of the range to
the oldest, one Query per day, never a Scan. A page ends after `limit` matching rows; its cursor names the day and
the last row shown, so the next page resumes right after it whatever was written meanwhile on other days.
Filters that name stored attributes of another table (the candidate's name, a request's interview) are applied to
each day's items here: a day holds tens of interviews, not millions.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from functions.core.clock import utc_now
from functions.core.errors import DomainError
from functions.core.models import InterviewStatus, RequestStatus
from functions.domain.scopes import StaffScope
from functions.integration.data import interview_store, request_store

if TYPE_CHECKING:  # stored items are read here, never built
    from functions.integration.tables import CandidateItem, InterviewItem

MAX_RANGE_DAYS = 366  # one search covers at most a year of days (a Query each)
DEFAULT_BACK_DAYS = 30
DEFAULT_AHEAD_DAYS = 60
MAX_LIMIT = 100
MAX_EXPORT_ROWS = 5000  # a CSV export holds at most this many rows (all pages of the search)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): such cells get a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class InvalidSearchError(DomainError):
    status = 422
    title = "Invalid search"
    code = "invalid_search"


class SearchFilters(BaseModel):
    """What the staff member searches for. Dates are UTC days, both ends included."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    date_from: date | None = None
    date_to: date | None = None
    job: str | None = Field(None, max_length=200)  # job id, or part of the job title
    department: str | None = Field(None, max_length=200)  # part of the department's name
    candidate: str | None = Field(None, max_length=200)  # candidate id, or part of the candidate's name
    status: str | None = Field(None, max_length=40)

    @model_validator(mode="after")
    def _range(self) -> SearchFilters:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self

    def days(self, today: date, back: int = DEFAULT_BACK_DAYS, ahead: int = DEFAULT_AHEAD_DAYS) -> list[str]:
        """The range's days, newest first (without dates: `back` days ago to `ahead` days ahead)."""
        last = self.date_to or (today + timedelta(days=ahead) if not self.date_from else
                                self.date_from + timedelta(days=back + ahead))
        first = self.date_from or (last - timedelta(days=back + ahead))
        if (last - first).days + 1 > MAX_RANGE_DAYS:
            raise InvalidSearchError(f"Search at most {MAX_RANGE_DAYS} days at a time.", code="search_range_too_long",
                                     days=MAX_RANGE_DAYS)
        return [(last - timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def filters_of(values: dict) -> SearchFilters:
    """The filters from query parameters (empty ones ignored); an InvalidSearchError names what is wrong."""
    try:
        return SearchFilters.model_validate({k: v for k, v in values.items() if v not in (None, "")})
    except ValidationError as exc:
        fields = ", ".join(str(e["loc"][0]) if e["loc"] else "date_from" for e in exc.errors())
        raise InvalidSearchError(f"Invalid search: {fields}.", code="invalid_search_fields", fields=fields) from None


class InterviewRow(BaseModel):
    interview_id: str
    starts_at: str
    job_id: str
    job_title: str
    department: str
    candidate_id: str
    candidate_name: str
    status: InterviewStatus
    pending_request_id: str | None = None


class RequestRow(BaseModel):
    request_id: str
    created_at: str
    interview_id: str
    job_title: str
    department: str
    candidate_name: str
    initiator: str
    reason_code: str
    status: RequestStatus


class Page(BaseModel):
    items: list
    next_cursor: str | None = None  # None on the last page


class InterviewPage(Page):
    items: list[InterviewRow]


class RequestPage(Page):
    items: list[RequestRow]


@dataclass(frozen=True)
class _Cursor:
    day: str
    after: tuple[str, str]  # the last row shown: (sort value, id)


def _encode(cursor: _Cursor) -> str:
    raw = json.dumps({"d": cursor.day, "s": cursor.after[0], "i": cursor.after[1]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(text: str | None, days: list[str]) -> _Cursor | None:
    if not text:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        cursor = _Cursor(str(raw["d"]), (str(raw["s"]), str(raw["i"])))
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise InvalidSearchError("This page cursor is not valid; search again.", code="invalid_cursor") from None
    if cursor.day not in days:
        raise InvalidSearchError("This page cursor is not valid; search again.", code="invalid_cursor")
    return cursor


def _walk(days: list[str], fetch: Callable[[str], Iterable], key: Callable, row: Callable,
          cursor: _Cursor | None) -> Iterator[tuple[str, tuple[str, str], BaseModel]]:
    """(day, key, row) of every matching item, newest first, from just after the cursor on."""
    start = days.index(cursor.day) if cursor else 0
    for day in days[start:]:
        for item in sorted(fetch(day), key=key, reverse=True):
            if cursor and day == cursor.day and key(item) >= cursor.after:
                continue
            shown = row(item)
            if shown is not None:
                yield day, key(item), shown


def _page(rows: Iterator, limit: int, page: type[Page]) -> Page:
    items, last = [], None
    for day, key, shown in rows:
        if len(items) == limit:
            return page(items=items, next_cursor=_encode(_Cursor(last[0], last[1])))
        items.append(shown)
        last = (day, key)
    return page(items=items)


def _contains(needle: str | None, *haystack: str | None) -> bool:
    if not needle:
        return True
    needle = needle.casefold()
    return any(needle in (text or "").casefold() for text in haystack)


def _matches(filters: SearchFilters, interview: InterviewItem | None, candidate: CandidateItem | None) -> bool:
    if filters.job and not (interview and (filters.job == interview.job_id
                                           or _contains(filters.job, interview.job_title))):
        return False
    if filters.department and not (interview and _contains(filters.department, interview.department)):
        return False
    if filters.candidate and not (filters.candidate == (interview.candidate_id if interview else None)
                                  or (candidate is not None and _contains(filters.candidate, candidate.name))):
        return False
    return True


def _interview_rows(filters: SearchFilters, scope: StaffScope, cursor: str | None) -> Iterator:
    if filters.status and filters.status not in InterviewStatus._value2member_map_:
        raise InvalidSearchError("Invalid search: status.", code="invalid_search_fields", fields="status")
    days = filters.days(utc_now().date())

    def row(interview: InterviewItem) -> InterviewRow | None:
        if not scope.covers(interview) or (filters.status and interview.status != filters.status):
            return None
        _, candidate = interview_store.interview_with_profile(interview.interview_id, interview.candidate_id)
        if not _matches(filters, interview, candidate):
            return None
        return InterviewRow(interview_id=interview.interview_id, starts_at=interview.starts_at,
                            job_id=interview.job_id, job_title=interview.job_title, department=interview.department,
                            # an erased candidate's profile is kept without a name
                            candidate_id=interview.candidate_id, candidate_name=(candidate.name if candidate else None) or "",
                            status=InterviewStatus(interview.status),
                            pending_request_id=interview.pending_request_id)

    return _walk(days, interview_store.interviews_starting_on, lambda i: (i.starts_at, i.interview_id), row,
                 _decode(cursor, days))


def _request_rows(filters: SearchFilters, scope: StaffScope, cursor: str | None) -> Iterator:
    if filters.status and filters.status not in RequestStatus._value2member_map_:
        raise InvalidSearchError("Invalid search: status.", code="invalid_search_fields", fields="status")
    # Requests are made before their interviews: the default range looks back only.
    days = filters.days(utc_now().date(), back=DEFAULT_BACK_DAYS + DEFAULT_AHEAD_DAYS, ahead=0)

    def row(request) -> RequestRow | None:
        if filters.status and request.status != filters.status:
            return None
        interview, candidate = interview_store.interview_with_profile(request.interview_id, request.candidate_id)
        if not scope.covers(interview) or not _matches(filters, interview, candidate):
            return None
        return RequestRow(request_id=request.request_id, created_at=request.created_at,
                          interview_id=request.interview_id, job_title=interview.job_title if interview else "",
                          department=interview.department if interview else "",
                          # an erased candidate's profile is kept without a name
                          candidate_name=(candidate.name if candidate else None) or "", initiator=request.initiator,
                          reason_code=request.reason_code, status=RequestStatus(request.status))

    return _walk(days, request_store.requests_created_on, lambda r: (r.created_at, r.request_id), row,
                 _decode(cursor, days))


def interviews(filters: SearchFilters, scope: StaffScope, cursor: str | None = None,
               limit: int = 25) -> InterviewPage:
    """A page of the interviews starting in the range, latest first, within reach."""
    return _page(_interview_rows(filters, scope, cursor), max(1, min(limit, MAX_LIMIT)), InterviewPage)


def requests(filters: SearchFilters, scope: StaffScope, cursor: str | None = None, limit: int = 25) -> RequestPage:
    """A page of the requests made in the range (any age, any status), newest first, within reach."""
    return _page(_request_rows(filters, scope, cursor), max(1, min(limit, MAX_LIMIT)), RequestPage)


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv(rows: Iterator, columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for n, (_, _, shown) in enumerate(rows):
        if n >= MAX_EXPORT_ROWS:
            break
        values = shown.model_dump(mode="json")
        writer.writerow([_cell(values[c]) for c in columns])
    return out.getvalue()


def interviews_csv(filters: SearchFilters, scope: StaffScope) -> str:
    """Every interview the search finds (all pages, up to MAX_EXPORT_ROWS) as CSV, formula-safe."""
    return _csv(_interview_rows(filters, scope, None), list(InterviewRow.model_fields))


def requests_csv(filters: SearchFilters, scope: StaffScope) -> str:
    """Every request the search finds (all pages, up to MAX_EXPORT_ROWS) as CSV, formula-safe."""
    return _csv(_request_rows(filters, scope, None), list(RequestRow.model_fields))
