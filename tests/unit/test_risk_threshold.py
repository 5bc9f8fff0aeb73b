"""The nudge threshold: chosen for a precision target on the latest held-out interviews, stored with the model,
and shown in the report beside the model's calibration (Brier score, reliability curve)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest

from functions.analytics import benchmarks, render, report, risk_model, risk_threshold
from functions.domain.measures.aggregates import Totals


def test_the_threshold_is_the_lowest_score_whose_flagged_interviews_reach_the_precision_target():
    # GIVEN ten scored interviews (1 = did not attend), the top five of which hold four non-attenders
    labels = np.array([1, 1, 0, 1, 1, 0, 0, 1, 0, 0])
    scores = np.array([.9, .8, .7, .6, .5, .4, .3, .2, .15, .1])
    # WHEN the target precision is 0.8
    chosen = risk_threshold.threshold_for_precision(labels, scores, 0.8)
    # THEN everyone from 0.5 up is flagged: precision 4/5, recall 4/5 of the five non-attenders
    assert chosen["reached"] and chosen["threshold"] == 0.5
    assert (chosen["precision"], chosen["recall"], chosen["flagged_share"]) == (0.8, 0.8, 0.5)
    # and a target no group of at least five flagged interviews reaches leaves the threshold unset
    unreachable = risk_threshold.threshold_for_precision(labels, scores, 0.95)
    assert unreachable["reached"] is False and unreachable["threshold"] is None


@pytest.mark.parametrize("target", [0, 1.2])
def test_a_precision_target_outside_0_to_1_is_refused(target):
    with pytest.raises(ValueError, match="precision target"):
        risk_threshold.threshold_for_precision(np.array([0, 1]), np.array([.2, .8]), target)


def _history(n: int, seed: int = 3) -> list[dict]:
    """Interviews over 100 days; short notice makes a cancellation likely."""
    rng = random.Random(seed)
    start = datetime(2030, 1, 1, tzinfo=timezone.utc)
    rows = []
    for i in range(n):
        starts = start + timedelta(days=rng.uniform(0, 100))
        lead_hours = rng.choice([rng.uniform(2, 30), rng.uniform(40, 300)])
        cancelled = rng.random() < (0.7 if lead_hours < 30 else 0.2)
        rows.append({"interview_id": f"h-{i}", "scheduled_at": starts.isoformat(),
                     "invited_at": (starts - timedelta(hours=lead_hours)).isoformat(),
                     "source": rng.choice(["agency", "referral"]), "job_level": "L2",
                     "outcome": "cancelled" if cancelled else "attended"})
    return rows


def test_the_threshold_is_chosen_on_the_latest_interviews_and_stored_with_the_model(tmp_path):
    # GIVEN 300 interviews of history
    rows = _history(300)
    # WHEN the model is trained with a precision target of 0.6
    model = risk_model.train_and_evaluate(rows, folds=3, precision_target=0.6)
    # THEN the threshold was chosen on the latest 30% (90 interviews), reaching the target
    chosen = model.nudge_threshold
    assert chosen["held_out"] == "latest" and chosen["rows"] == 90
    assert chosen["reached"] and chosen["precision"] >= 0.6 and 0 < chosen["threshold"] < 1
    # and the latest interviews' scores are summarised per candidate source (the model card's check)
    assert {g["group"] for g in chosen["by_source"]} == {"agency", "referral"}
    assert sum(g["interviews"] for g in chosen["by_source"]) == 90
    # and the model's metrics file keeps it
    metrics = risk_model.save(model, tmp_path / "m.json")
    assert '"nudge_threshold"' in metrics.read_text() and str(chosen["threshold"]) in metrics.read_text()


def test_the_report_shows_the_models_brier_score_reliability_curve_and_threshold():
    # GIVEN the stored summary of a model in use
    summary = {"trained_at": "2030-01-11T02:00:00+00:00", "rows": 400,
               "held_out": {"roc_auc_mean": 0.71, "brier_score": 0.19, "brier_score_base_rate": 0.22,
                            "reliability": [{"lower": 0.0, "upper": 0.2, "count": 50, "mean_predicted": 0.12,
                                             "observed_rate": 0.1},
                                            {"lower": 0.2, "upper": 0.4, "count": 0, "mean_predicted": None,
                                             "observed_rate": None},
                                            {"lower": 0.4, "upper": 0.6, "count": 30, "mean_predicted": 0.5,
                                             "observed_rate": 0.55}]},
               "nudge_threshold": {"reached": True, "threshold": 0.42, "precision": 0.61, "recall": 0.5,
                                   "target": 0.6, "rows": 120,
                                   "by_source": [{"group": "agency", "interviews": 70, "mean_score": 0.41,
                                                  "p10": 0.2, "p50": 0.4, "p90": 0.7, "observed_rate": 0.4,
                                                  "flagged_share": 0.45}]}}
    # WHEN the report is built and rendered
    built = report.build(date(2030, 1, 12), date(2030, 1, 12), Totals(), benchmarks.load(), model=summary)
    html, table = render.to_html(built), render.to_csv(built)
    # THEN it holds the Brier scores, the non-empty reliability bins and the threshold
    model = built["risk_model"]
    assert (model["brier_score"], model["brier_score_base_rate"]) == (0.19, 0.22)
    assert [b["count"] for b in model["reliability"]] == [50, 30]
    assert "Brier 0.1900" in html and "<polyline" in html and "0.420" in html
    assert 'id="scores-by-source"' in html and "<td>agency</td><td>70</td><td>0.410</td>" in html
    assert "risk_model_score_by_source,agency,0.41,70,0.4" in table
    assert "risk_model,brier_score,0.19" in table and "risk_model_reliability,0.4-0.6,0.55,30,0.5" in table
    # and without a model the report says so
    empty = report.build(date(2030, 1, 12), date(2030, 1, 12), Totals(), benchmarks.load())
    assert empty["risk_model"] is None and "No model trained yet" in render.to_html(empty)
