"""Checks that the cancellation-risk model treats groups of candidates alike where it should.

The model never sees protected attributes (risk_rows.PROTECTED_WORDS refuses them). What it does see can still
score groups differently; the candidate source (agency, referral, job board, ...) is the grouping production
always knows. `score_distribution` summarises the scores per group on held-out interviews, beside each group's
observed non-attendance: a group scored far above its observed rate would be nudged for the model's sake, not
its own (docs/model-card.md says how to read it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MISSING_GROUP = "(none)"


def score_distribution(groups: Sequence[str], labels: np.ndarray, probabilities: np.ndarray,
                       threshold: float | None) -> list[dict]:
    """Per group: interviews, mean score, 10th/50th/90th percentile, observed non-attendance rate, and the
    share flagged for a nudge at the threshold (None without one)."""
    labels, probabilities = np.asarray(labels, dtype=int), np.asarray(probabilities, dtype=float)
    if not len(labels) == len(probabilities) == len(groups):
        raise ValueError("groups, labels and probabilities must be equally long")
    names = np.array([g or MISSING_GROUP for g in groups], dtype=object)
    table = []
    for group in sorted(set(names.tolist())):
        inside = names == group
        scores = probabilities[inside]
        p10, p50, p90 = (round(float(v), 4) for v in np.percentile(scores, [10, 50, 90]))
        table.append({"group": group, "interviews": int(inside.sum()), "mean_score": round(float(scores.mean()), 4),
                      "p10": p10, "p50": p50, "p90": p90,
                      "observed_rate": round(float(labels[inside].mean()), 4),
                      "flagged_share": None if threshold is None else round(float((scores >= threshold).mean()), 4)})
    return table
