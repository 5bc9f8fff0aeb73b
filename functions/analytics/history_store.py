"""The cancellation-risk model's training history: one row per finished interview, by month, and the rows
imported from earlier systems (`interviews history import`), kept apart so that every retrain reads them.
"""

from __future__ import annotations

from functions.integration.tables import AnalyticsItem

# Imported rows (functions/analytics/history_import/) all live in this partition, keyed by their interview id:
# training reads them whatever their age (they are why the history was imported), and an id imported once is
# never imported again. Each such item is also the marker of the counters its import added (counter_store).
IMPORTED = "history#imported"


def put_history_row(month: str, interview_id: str, row: str) -> None:
    """One interview's outcome and what was known beforehand (JSON). Repeating it rewrites the same item."""
    AnalyticsItem(f"history#{month}", interview_id, row=row).save()


def history_rows(month: str) -> list[str]:
    return [item.row for item in AnalyticsItem.query(f"history#{month}") if item.row]


def imported_rows() -> list[str]:
    """Every imported history row (JSON), in interview id order."""
    return [item.row for item in AnalyticsItem.query(IMPORTED) if item.row]


def imported_rows_of(interview_ids: list[str]) -> dict[str, str]:
    """interview id -> the row imported for it, for those of the ids that were imported (batched reads)."""
    keys = [(IMPORTED, interview_id) for interview_id in interview_ids]
    return {item.metric: item.row for item in AnalyticsItem.batch_get(keys, consistent_read=True) if item.row}
