"""Writing cleaned history: each kept row stored as training history together with the report's counters it
back-fills, in one conditional transaction per interview, so that importing the same file twice adds nothing.

The stored row is its own marker (history_store.IMPORTED, keyed by interview id): a row whose interview was
imported before changes nothing and is reported as a duplicate (identical, or with other values: the stored one
stays). A failure part-way (a network error, a throttle) stops the import; the result says exactly how many rows
were written, and running the same import again writes only the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from functions.analytics import history_store
from functions.analytics.history_import.cleaning import Kept
from functions.domain.measures import aggregates
from functions.domain.measures.aggregates import NOT_RECORDED, WEEKDAYS, Dimensions
from functions.integration.data import counter_store
from functions.integration.data.counter_store import Increment


@dataclass(frozen=True)
class AlreadyImported:
    line: int
    interview_id: str
    identical: bool  # False: stored with other values, which stay


@dataclass
class Written:
    written: int = 0
    already: list[AlreadyImported] = field(default_factory=list)
    failed_at_line: int | None = None  # the row being written when the import stopped
    failure: str | None = None  # the error's type: its text may quote the row

    @property
    def handled(self) -> int:
        return self.written + len(self.already) + (self.failed_at_line is not None)


def increments_of(kept: Kept) -> list[Increment]:
    """The counters one imported row adds: the booking on its invitation's day, the outcome on its start's day."""
    hour = NOT_RECORDED if kept.hour is None else f"{kept.hour:02d}"
    dims = Dimensions(NOT_RECORDED, NOT_RECORDED, kept.row.get("source") or NOT_RECORDED, hour, WEEKDAYS[kept.weekday])
    booked, done = aggregates.imported(dims, kept.row["outcome"])
    if kept.booked_day == kept.outcome_day:
        return aggregates.merged(kept.booked_day, booked + done)
    return aggregates.merged(kept.booked_day, booked) + aggregates.merged(kept.outcome_day, done)


def stored_text(kept: Kept) -> str:
    return json.dumps(kept.row, sort_keys=True)


def write(rows: Sequence[Kept], progress: Callable[[Written], None] | None = None, every: int = 200) -> Written:
    """Write the rows, once each; `progress(result so far)` after every `every` rows."""
    result = Written()
    for kept in rows:
        text = stored_text(kept)
        try:
            if counter_store.count_once(history_store.IMPORTED, kept.interview_id, increments_of(kept), row=text):
                result.written += 1
            else:
                stored = history_store.imported_row(kept.interview_id)
                same = stored is not None and json.loads(stored) == kept.row
                result.already.append(AlreadyImported(kept.line, kept.interview_id, same))
        except Exception as error:  # noqa: BLE001 - stop and say how far it got; a rerun writes the rest
            result.failed_at_line, result.failure = kept.line, type(error).__name__
            break
        if progress is not None and result.handled % every == 0:
            progress(result)
    return result
