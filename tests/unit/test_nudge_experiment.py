"""The nudge experiment: the arm assignment, the interval of the effect, and a simulation in which the nudge's
true effect is known, read back from the nightly report (counters -> report -> HTML and CSV)."""

from __future__ import annotations

import random
from datetime import date

import pytest

from functions.analytics import benchmarks, nudge_effect, render, report
from functions.domain.measures import aggregates
from functions.domain.measures import nudge_holdout
from functions.domain.measures.aggregates import Totals

DAY = date(2030, 1, 12)


def test_the_arm_follows_from_the_interview_id_and_holds_out_about_the_configured_share():
    # GIVEN 20 000 interview ids and the default share of 10%
    ids = [f"int-{i}" for i in range(20_000)]
    # WHEN each is assigned twice
    first = [nudge_holdout.arm_of(i, 0.1) for i in ids]
    # THEN the assignment is reproducible and holds out close to 10%
    assert first == [nudge_holdout.arm_of(i, 0.1) for i in ids]
    assert first.count("held_out") / len(ids) == pytest.approx(0.1, abs=0.01)
    # and the shares 0 and 1 hold out nobody and everybody
    assert {nudge_holdout.arm_of(i, 0.0) for i in ids[:200]} == {"nudged"}
    assert {nudge_holdout.arm_of(i, 1.0) for i in ids[:200]} == {"held_out"}


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_a_share_outside_0_to_1_is_refused(share):
    with pytest.raises(ValueError, match="between 0 and 1"):
        nudge_holdout.arm_of("int-1", share)


def test_the_difference_interval_matches_newcombes_published_example():
    # GIVEN Newcombe (1998), table II, examples (a) 56/70 against 48/80 and (d) 5/56 against 0/29
    estimate, low, high = nudge_effect.difference_interval(56, 70, 48, 80)
    # THEN the hybrid score interval (method 10) is the published 0.0524 to 0.3339, and -0.0381 to 0.1926
    assert estimate == pytest.approx(0.2)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)
    assert [round(v, 4) for v in nudge_effect.difference_interval(5, 56, 0, 29)[1:]] == [-0.0381, 0.1926]


def _simulated_report(effect: float, interviews: int = 40_000, base_rate: float = 0.30, seed: int = 17) -> dict:
    """High-risk interviews split by the real assignment (10% held out); a held-out candidate cancels with
    base_rate, a nudged one with base_rate + effect; each outcome becomes the counters analytics would write."""
    rng = random.Random(seed)
    totals = Totals()
    for i in range(interviews):
        arm = nudge_holdout.arm_of(f"sim-{seed}-{i}", 0.1)
        rate = base_rate + (effect if arm == "nudged" else 0.0)
        outcome = "cancelled" if rng.random() < rate else "attended"
        found = nudge_holdout.outcome_counters(arm, outcome)
        totals.add({c.metric: (c.n, c.total or 0.0) for c in aggregates.merged(DAY.isoformat(), found)})
    return report.build(DAY, DAY, totals, benchmarks.load())


def test_a_nudge_that_truly_lowers_cancellation_by_8_points_is_found_inside_the_reports_interval():
    # GIVEN 40 000 simulated high-risk interviews where the nudge lowers cancellation from 30% to 22%
    built = _simulated_report(effect=-0.08)
    experiment = built["nudge_experiment"]
    # THEN the report's estimate is close to -0.08 and its 95% interval contains it and excludes zero
    effect = experiment["effect"]
    assert effect["low"] <= -0.08 <= effect["high"] and effect["high"] < 0 and effect["significant"]
    assert effect["difference"] == pytest.approx(-0.08, abs=0.02)
    # and the number of interviews behind it is every simulated one, about 10% of them held out
    assert experiment["interviews"] == 40_000
    assert experiment["arms"]["held_out"]["interviews"] == pytest.approx(4_000, rel=0.1)
    # and the HTML and CSV show it
    html, table = render.to_html(built), render.to_csv(built)
    assert "Does the nudge work?" in html and f"{effect['difference'] * 100:+.1f} pp" in html
    assert "nudge_experiment,effect_low," in table and "nudge_experiment,cancellation_rate_held_out," in table


def test_a_nudge_without_effect_gives_an_interval_that_contains_zero():
    # GIVEN the same simulation where nudged and held-out candidates cancel alike
    effect = _simulated_report(effect=0.0)["nudge_experiment"]["effect"]
    # THEN the interval contains zero and the effect is not called significant
    assert effect["low"] <= 0 <= effect["high"] and not effect["significant"]


def test_without_outcomes_in_both_arms_the_report_shows_no_effect():
    # GIVEN only nudged interviews with an outcome
    totals = Totals({"nudge#nudged#cancelled": (3, 0.0), "nudge#nudged#attended": (5, 0.0)})
    experiment = report.build(DAY, DAY, totals, benchmarks.load())["nudge_experiment"]
    # THEN the arms' figures are there but no effect is claimed
    assert experiment["arms"]["nudged"] == {"interviews": 8, "cancelled": 3, "rate": 0.375}
    assert experiment["arms"]["held_out"]["rate"] is None and experiment["effect"] is None
