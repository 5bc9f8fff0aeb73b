"""The cancellation-risk model's latest score per interview (with its top contributing factors), the nudge
threshold chosen with the model, and a summary of the model in use (its held-out metrics, for the report): written
nightly by analytics, the scores and threshold read by the reminders of notify and by the staff console's risk view;
and the staff's "remind now" marks (one per interview and day).
"""

from __future__ import annotations

import json

from pynamodb.exceptions import DoesNotExist

from functions.integration.data.transactions import conditional
from functions.integration.tables import AnalyticsItem

_MODEL = "risk#model"
# The probability of not attending from which a candidate counts as at risk when the nightly model reached no
# precision target (otherwise the model's own threshold, chosen on the latest held-out history).
DEFAULT_NUDGE_THRESHOLD = 0.5


def put_risk_score(interview_id: str, probability: float, expires_at: int, factors: list[dict] | None = None) -> None:
    """The score, and (if given) the factors that raised it most: [{"factor", "value", "weight"}], as JSON."""
    AnalyticsItem(f"risk#{interview_id}", "score", total=probability, expires_at=expires_at,
                  row=json.dumps(factors, sort_keys=True) if factors is not None else None).save()


def risk_scores(interview_ids: list[str]) -> dict[str, tuple[float, list[dict]]]:
    """interview id -> (score, top factors) for those of the ids that have a score (batched reads)."""
    keys = [(f"risk#{interview_id}", "score") for interview_id in dict.fromkeys(interview_ids)]
    found = {}
    for item in AnalyticsItem.batch_get(keys) if keys else []:
        if item.total is not None:
            found[item.day.removeprefix("risk#")] = (float(item.total), json.loads(item.row) if item.row else [])
    return found


def at_risk_threshold() -> float:
    """The threshold in force: the model's when it chose one, else the default."""
    threshold = nudge_threshold()
    return DEFAULT_NUDGE_THRESHOLD if threshold is None else threshold


def claim_reminder_now(interview_id: str, day: str, by: str, expires_at: int) -> bool:
    """Mark that staff had the candidate reminded on `day` (UTC): True the first time that day, False after."""
    return conditional(lambda: AnalyticsItem(f"remind-now#{interview_id}", day, row=json.dumps({"by": by}),
                                             expires_at=expires_at).save(condition=AnalyticsItem.day.does_not_exist()))


def release_reminder_now(interview_id: str, day: str) -> None:
    """Take back the day's mark when the reminder could not be handed on (so that a retry may send it)."""
    AnalyticsItem(f"remind-now#{interview_id}", day).delete()


def reminded_now(interview_id: str, day: str) -> bool:
    try:
        AnalyticsItem.get(f"remind-now#{interview_id}", day)
    except DoesNotExist:
        return False
    return True


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
