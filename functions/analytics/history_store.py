"""The cancellation-risk model's training history: one row per finished interview, by month.
"""

from __future__ import annotations

from functions.integration.tables import AnalyticsItem


def put_history_row(month: str, interview_id: str, row: str) -> None:
    """One interview's outcome and what was known beforehand (JSON). Repeating it rewrites the same item."""
    AnalyticsItem(f"history#{month}", interview_id, row=row).save()


def history_rows(month: str) -> list[str]:
    return [item.row for item in AnalyticsItem.query(f"history#{month}") if item.row]
