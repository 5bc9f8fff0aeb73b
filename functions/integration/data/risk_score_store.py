"""The cancellation-risk model's latest score per interview: written nightly by analytics, read by the
reminders of notify.
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from functions.integration.tables import AnalyticsItem


def put_risk_score(interview_id: str, probability: float, expires_at: int) -> None:
    AnalyticsItem(f"risk#{interview_id}", "score", total=probability, expires_at=expires_at).save()


def risk_score(interview_id: str) -> float | None:
    try:
        return float(AnalyticsItem.get(f"risk#{interview_id}", "score").total)
    except (DoesNotExist, TypeError):
        return None
