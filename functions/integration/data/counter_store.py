"""Per-day counters of the analytics, incremented once per event (a marker item makes a redelivery a no-op).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from functions.integration.data.transactions import Labelled, TransactionConflict, all_or_nothing
from functions.integration.tables import AnalyticsItem


MAX_TRANSACTION_ITEMS = 100  # DynamoDB's limit for one TransactWriteItems


@dataclass(frozen=True)
class Increment:
    """Add n (and total, if measured) to the counter `metric` of `day`."""

    day: str
    metric: str
    n: int = 1
    total: float | None = None


def _add(transaction: Labelled, increment: Increment) -> None:
    actions = [AnalyticsItem.n.add(increment.n)]
    if increment.total is not None:
        actions.append(AnalyticsItem.total.add(increment.total))
    transaction.update("counter", AnalyticsItem(increment.day, increment.metric), actions=actions)


def count_once(marker_day: str, marker: str, increments: list[Increment], expires_at: int | None = None,
               value: float | None = None) -> bool:
    """Apply the increments and write the marker (day, metric) in one transaction, once: False (and nothing
    changed) when the marker exists, e.g. an SQS redelivery of an event already counted. Increments must name
    distinct counters (merge them first) and be at most 99."""
    try:
        with all_or_nothing() as transaction:
            transaction.save("marker", AnalyticsItem(marker_day, marker, n=1, total=value, expires_at=expires_at),
                             condition=AnalyticsItem.day.does_not_exist())
            for increment in increments:
                _add(transaction, increment)
    except TransactionConflict as conflict:
        if "marker" in conflict.failed:
            return False
        raise
    return True


def store_once_and_count(rows: Sequence[tuple[str, str, str]], increments: Sequence[Increment]) -> set[str]:
    """Store each row item (day, metric, text) only if it does not exist yet, and apply the increments, in one
    transaction. Returns the metrics of the rows that existed already, in which case nothing changed (the caller
    leaves them out, with their increments, and tries again); an empty set when everything was written. At most
    MAX_TRANSACTION_ITEMS rows and distinct (day, metric) increments together. Imported history rows are their
    own markers this way: a row and the counters it back-fills are written together, once."""
    try:
        with all_or_nothing() as transaction:
            for day, metric, text in rows:
                transaction.save(f"row:{metric}", AnalyticsItem(day, metric, n=1, row=text),
                                 condition=AnalyticsItem.day.does_not_exist())
            for increment in increments:
                _add(transaction, increment)
    except TransactionConflict as conflict:
        existing = {label.removeprefix("row:") for label in conflict.failed if label.startswith("row:")}
        if existing:
            return existing
        raise
    return set()


def aggregates_on(day: str) -> dict[str, tuple[int, float]]:
    """Every counter of one day: metric -> (n, total). One query (paged), whatever the history's size."""
    return {item.metric: (int(item.n or 0), float(item.total or 0)) for item in AnalyticsItem.query(day)}


def put_aggregates(increments: list[Increment]) -> None:
    """Write counters as they are (no ADD): seeding demo data and benchmarks with already-summed increments."""
    with AnalyticsItem.batch_write() as batch:
        for increment in increments:
            batch.save(AnalyticsItem(increment.day, increment.metric, n=increment.n, total=increment.total))
