"""The cancellation-risk model's latest score per interview, the nudge threshold chosen with the model, and a
summary of the model in use (its held-out metrics, for the report): written nightly by analytics, the scores
and threshold read by the reminders of notify.
"""

from __future__ import annotations

import json

from pynamodb.exceptions import DoesNotExist

from functions.integration.tables import AnalyticsItem

_MODEL = "risk#model"


def put_risk_score(interview_id: str, probability: float, expires_at: int) -> None:
    AnalyticsItem(f"risk#{interview_id}", "score", total=probability, expires_at=expires_at).save()


def risk_score(interview_id: str) -> float | None:
    try:
        return float(AnalyticsItem.get(f"risk#{interview_id}", "score").total)
    except (DoesNotExist, TypeError):
        return None


def put_nudge_threshold(threshold: float | None, expires_at: int) -> None:
    """The threshold of the model whose scores were just stored; None: the model reached no precision target
    (the reminders keep their default)."""
    AnalyticsItem(_MODEL, "nudge_threshold", total=threshold, expires_at=expires_at).save()


def nudge_threshold() -> float | None:
    try:
        return float(AnalyticsItem.get(_MODEL, "nudge_threshold").total)
    except (DoesNotExist, TypeError):
        return None


def put_model_summary(summary: dict) -> None:
    AnalyticsItem(_MODEL, "summary", row=json.dumps(summary, sort_keys=True)).save()


def model_summary() -> dict | None:
    try:
        row = AnalyticsItem.get(_MODEL, "summary").row
    except DoesNotExist:
        return None
    return json.loads(row) if row else None
