"""Does the nudge work? The report's comparison of the nudge experiment's arms (functions/domain/measures/nudge_holdout.py).

Each arm's cancellation rate is cancelled / (cancelled + attended) among its high-risk interviews with a known
outcome in the period. The effect is nudged minus held-out (negative: the nudge lowers cancellations), with
Newcombe's hybrid score interval for a difference of two independent proportions (method 10 of Newcombe 1998,
built from the arms' Wilson intervals): it stays inside [-1, 1] and keeps its coverage with small arms and rates
near 0 or 1, where the plain Wald interval does not.
"""

from __future__ import annotations

import math

from functions.domain.measures.aggregates import Totals
from functions.domain.measures.nudge_holdout import ARMS, HELD_OUT, NUDGED

Z_95 = 1.959963984540054  # the two-sided 95% normal quantile


def wilson(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson's score interval of a proportion."""
    if n <= 0:
        raise ValueError("a proportion needs at least one observation")
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def difference_interval(x1: int, n1: int, x2: int, n2: int, z: float = Z_95) -> tuple[float, float, float]:
    """p1 - p2 and Newcombe's hybrid score interval of it: (estimate, low, high)."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    estimate = p1 - p2
    low = estimate - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = estimate + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return estimate, low, high


def summary(totals: Totals) -> dict:
    """The report's section: per arm the interviews and cancellations behind the rate, and the effect with its
    95% interval (None while an arm has no interview with a known outcome)."""
    arms = {}
    for arm in ARMS:
        cancelled, attended = totals.n(f"nudge#{arm}#cancelled"), totals.n(f"nudge#{arm}#attended")
        interviews = cancelled + attended
        arms[arm] = {"interviews": interviews, "cancelled": cancelled,
                     "rate": cancelled / interviews if interviews else None}
    effect = None
    if arms[NUDGED]["interviews"] and arms[HELD_OUT]["interviews"]:
        estimate, low, high = difference_interval(arms[NUDGED]["cancelled"], arms[NUDGED]["interviews"],
                                                  arms[HELD_OUT]["cancelled"], arms[HELD_OUT]["interviews"])
        effect = {"difference": estimate, "low": low, "high": high, "confidence": 0.95,
                  "significant": high < 0 or low > 0}
    return {"arms": arms, "interviews": sum(a["interviews"] for a in arms.values()), "effect": effect}
