"""The nudge experiment: does nudging a high-risk candidate lower cancellations? A randomized holdout answers it.

A share of the high-risk interviews (NUDGE_HOLDOUT_SHARE, 10% by default) gets no nudge. The arm follows from a
hash of the interview id, so it is random with respect to everything the candidate does yet reproducible (a test
or an audit can recompute it), and it is stored with the interview the first time, so a rerun or a later change
of the share never moves an interview to the other arm. Analytics counts each arm's outcomes (cancelled or
attended) per day; the report compares the arms' cancellation rates (functions/analytics/nudge_effect.py).
"""

from __future__ import annotations

import hashlib

from functions.integration.data import interview_store

NUDGED, HELD_OUT = "nudged", "held_out"
ARMS = (NUDGED, HELD_OUT)
OUTCOMES = ("cancelled", "attended")


def arm_of(interview_id: str, held_out_share: float) -> str:
    """The arm an interview falls in: a uniform number in [0, 1) from the id's SHA-256, below the share: held out."""
    if not 0 <= held_out_share <= 1:
        raise ValueError(f"the held-out share must lie between 0 and 1, not {held_out_share}")
    draw = int.from_bytes(hashlib.sha256(interview_id.encode()).digest()[:8], "big") / 2 ** 64
    return HELD_OUT if draw < held_out_share else NUDGED


def assign(interview_id: str, held_out_share: float) -> str:
    """The interview's arm, stored the first time (a conditional write): later calls return the stored arm."""
    return interview_store.assign_nudge_arm(interview_id, arm_of(interview_id, held_out_share))


def outcome_counters(arm: str | None, outcome: str) -> list[tuple[str, int, None]]:
    """The per-day counters of one outcome of an interview in the experiment (none when it is not in it)."""
    if arm not in ARMS:
        return []
    if outcome not in OUTCOMES:
        raise ValueError(f"the nudge experiment counts {OUTCOMES}, not {outcome!r}")
    return [(f"nudge#{arm}#{outcome}", 1, None)]
