"""Writing cleaned history: each kept row stored as training history together with the report's counters it
back-fills, once per interview, so that importing the same file twice adds nothing.

The stored row is its own marker (history_store.IMPORTED, keyed by interview id), written on the condition that
it does not exist, in the same transaction as its counters. Consecutive rows share a transaction (up to
DynamoDB's 100 items, the counters of rows on the same day merged), which makes a long import far fewer writes.
A row whose interview was imported before is read first and left out, and reported as a duplicate (identical, or
with other values: the stored one stays). A failure part-way (a
network error, a throttle) stops the import; each transaction is all or nothing, so the result says exactly how
many rows were written, and running the same import again writes only the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
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
    days: set[str] = field(default_factory=set)  # the days whose counters the written rows changed
    already: list[AlreadyImported] = field(default_factory=list)
    failed_at_line: int | None = None  # the first row of the transaction that failed: it and the rest not written
    failure: str | None = None  # the error's type: its text may quote the row

    @property
    def handled(self) -> int:
        return self.written + len(self.already) + (self.failed_at_line is not None)


def increments_of(kept: Kept) -> list[Increment]:
    """The counters one imported row adds: the booking on its invitation's day, the outcome on its start's day."""
    hour = NOT_RECORDED if kept.hour is None else f"{kept.hour:02d}"
    dims = Dimensions(NOT_RECORDED, NOT_RECORDED, kept.row.get("source") or NOT_RECORDED, hour, WEEKDAYS[kept.weekday])
    booked, done = aggregates.imported(dims, kept.row["outcome"])
    return aggregates.merged(kept.booked_day, booked) + aggregates.merged(kept.outcome_day, done)


def merged(rows: Sequence[Kept]) -> list[Increment]:
    """The rows' increments summed per counter (day, metric): a transaction may touch an item only once."""
    sums: dict[tuple[str, str], tuple[int, float | None]] = {}
    for one in (increment for kept in rows for increment in increments_of(kept)):
        n, total = sums.get((one.day, one.metric), (0, None))
        sums[(one.day, one.metric)] = (n + one.n, total if one.total is None else (total or 0) + one.total)
    return [Increment(day, metric, n, total) for (day, metric), (n, total) in sums.items()]


def batches(rows: Sequence[Kept]) -> Iterator[list[Kept]]:
    """Consecutive rows whose own items and distinct counters fit one transaction."""
    batch: list[Kept] = []
    counters: set[tuple[str, str]] = set()
    for kept in rows:
        mine = {(one.day, one.metric) for one in increments_of(kept)}
        if batch and len(batch) + 1 + len(counters | mine) > counter_store.MAX_TRANSACTION_ITEMS:
            yield batch
            batch, counters = [], set()
        batch.append(kept)
        counters |= mine
    if batch:
        yield batch


def stored_text(kept: Kept) -> str:
    return json.dumps(kept.row, sort_keys=True)


def _write_batch(batch: list[Kept], result: Written) -> None:
    """Rows already imported are read first and left out (no transaction fails for them); the transaction's
    conditions still catch a row another import wrote meanwhile, and then the batch is looked at again."""
    pending = batch
    while pending:
        stored = history_store.imported_rows_of([k.interview_id for k in pending])
        for kept in (k for k in pending if k.interview_id in stored):
            same = json.loads(stored[kept.interview_id]) == kept.row
            result.already.append(AlreadyImported(kept.line, kept.interview_id, same))
        pending = [k for k in pending if k.interview_id not in stored]
        if pending and not counter_store.store_once_and_count(
                [(history_store.IMPORTED, k.interview_id, stored_text(k)) for k in pending], merged(pending)):
            result.written += len(pending)
            result.days |= {day for k in pending for day in (k.booked_day, k.outcome_day)}
            return


def write(rows: Sequence[Kept], progress: Callable[[Written], None] | None = None, every: int = 200) -> Written:
    """Write the rows, once each; `progress(result so far)` each time another `every` rows are done."""
    result = Written()
    for batch in batches(rows):
        before = result.handled
        try:
            _write_batch(batch, result)
        except Exception as error:  # noqa: BLE001 - stop and say how far it got; a rerun writes the rest
            done = {a.line for a in result.already}
            result.failed_at_line = next(k.line for k in batch if k.line not in done)
            result.failure = type(error).__name__
            break
        if progress is not None and result.handled // every > before // every:
            progress(result)
    return result
