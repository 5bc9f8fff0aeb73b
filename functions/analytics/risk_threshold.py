"""The nudge threshold: the score above which a candidate is nudged, chosen for a precision target on the latest
held-out interviews instead of a fixed 0.5.

Why the latest: the model is fitted on the older share of the history and scores the most recent share
(LATEST_SHARE, by start time), which it has not seen, the way production scores interviews it has not seen.
Among those scores the threshold is the lowest one at which at least `target` of the interviews flagged
(score >= threshold) did not attend: as many at-risk candidates as possible are nudged while no more than
1 - target of the nudges go to candidates who would have come anyway. When no threshold reaches the target the
choice says so and the reminders keep their default. The choice is stored with the model (its metrics file
and the analytics table, functions/integration/data/risk_score_store.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from functions.analytics import risk_fairness
from functions.analytics.risk_rows import OUTCOMES, HistoryFormatError, parse_rows

LATEST_SHARE = 0.3  # the most recent share of the history, held out to choose the threshold on
MIN_FLAGGED = 5  # a precision measured on fewer flagged interviews than this is noise, not a threshold


def threshold_for_precision(labels: np.ndarray, probabilities: np.ndarray, target: float) -> dict[str, Any]:
    """The lowest score whose flagged interviews reach the precision target, with the precision and recall
    there. labels: 1 = did not attend."""
    if not 0 < target <= 1:
        raise ValueError(f"the precision target must lie in (0, 1], not {target}")
    labels, probabilities = np.asarray(labels, dtype=int), np.asarray(probabilities, dtype=float)
    positives = int(labels.sum())
    chosen: dict[str, Any] = {"target": target, "rows": len(labels), "reached": False, "threshold": None,
                              "precision": None, "recall": None, "flagged_share": None}
    if positives == 0:
        return chosen
    for threshold in sorted(set(probabilities.tolist())):  # lowest first: the first that reaches it wins
        flagged = probabilities >= threshold
        count = int(flagged.sum())
        if count < MIN_FLAGGED:
            break
        precision = float(labels[flagged].mean())
        if precision >= target:
            return {**chosen, "reached": True, "threshold": round(threshold, 6), "precision": round(precision, 4),
                    "recall": round(float(labels[flagged].sum()) / positives, 4),
                    "flagged_share": round(count / len(labels), 4)}
    return chosen


def choose_on_latest(rows: Sequence[Mapping[str, Any]], target: float, seed: int = 0,
                     latest_share: float = LATEST_SHARE) -> dict[str, Any]:
    """Fit on the older rows, score the latest `latest_share` of them (by start), choose the threshold there."""
    from functions.analytics import risk_model  # the model imports this module's caller; no cycle at import

    interviews = parse_rows(rows)
    order = sorted(range(len(rows)), key=lambda i: interviews[i].scheduled_at.timestamp())
    cut = len(order) - max(1, round(len(order) * latest_share))
    older, latest = [rows[i] for i in order[:cut]], [rows[i] for i in order[cut:]]
    try:
        model = risk_model.train(older, seed)
    except HistoryFormatError as error:  # too few of a class among the older rows to fit on
        return {"target": target, "rows": len(latest), "reached": False, "threshold": None, "why": str(error)}
    labels = np.array([OUTCOMES[interviews[i].outcome] for i in order[cut:]], dtype=int)
    probabilities = np.array([p for _, p in risk_model.score(model, latest)])
    chosen = threshold_for_precision(labels, probabilities, target)
    sources = [str(rows[i].get("source") or "") for i in order[cut:]]
    return {**chosen, "held_out": "latest", "latest_share": latest_share,
            "by_source": risk_fairness.score_distribution(sources, labels, probabilities, chosen["threshold"])}
