"""The report built from counters: rates, shares, benchmarks, recommendations, and its three file formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from pydantic import ValidationError

from functions.domain.measures import aggregates
from functions.analytics import benchmarks, render, report
from functions.domain.measures.aggregates import Dimensions, Totals

DAY = date(2030, 1, 12)


def _dims(hour: int = 10, job: str = "Backend Engineer") -> Dimensions:
    return Dimensions.of(job, "Engineering", "referral", f"2030-01-14T{hour:02d}:00:00Z", "UTC")


def _totals(events: list[list]) -> Totals:
    totals = Totals()
    for found in events:
        totals.add({i.metric: (i.n, i.total or 0.0) for i in aggregates.merged(DAY.isoformat(), found)})
    return totals


def _build(events: list[list], config: benchmarks.Benchmarks | None = None) -> dict:
    return report.build(DAY, DAY, _totals(events), config or benchmarks.load())


def test_rates_and_shares_come_from_the_counters():
    # Given 10 interviews booked (5 at 10:00, 5 at 18:00) and 4 cancellation requests
    events = [aggregates.scheduled(_dims(10)) for _ in range(5)] + [aggregates.scheduled(_dims(18)) for _ in range(5)]
    events += [aggregates.requested(_dims(18), "candidate", "schedule_conflict", True) for _ in range(3)]
    events += [aggregates.requested(_dims(10), "company", "position_paused", False)]
    built = _build(events)
    # Then
    assert built["cancellation_rate"] == pytest.approx(0.4)
    assert built["auto_approval_share"] == pytest.approx(0.75)
    assert [(r["value"], r["rate"]) for r in built["rates"]["hour"]] == [("10", 0.2), ("18", 0.6)]
    assert built["initiators"] == [{"initiator": "candidate", "count": 3, "share": 0.75},
                                   {"initiator": "company", "count": 1, "share": 0.25}]
    assert built["reasons"][0] == {"initiator": "candidate", "reason": "schedule_conflict", "count": 3,
                                   "share": 0.75, "share_of_initiator": 1.0}


def test_an_empty_period_has_no_rates_and_meets_no_benchmark():
    built = _build([])
    assert built["cancellation_rate"] is None and built["approval_minutes"]["p50"] is None
    assert all(b["met"] is None for b in built["benchmarks"])
    assert built["recommendations"] == []


def test_many_schedule_conflicts_recommend_wider_slot_hours_and_moves():
    events = [aggregates.scheduled(_dims()) for _ in range(40)]
    events += [aggregates.requested(_dims(), "candidate", "schedule_conflict", True) for _ in range(4)]
    events += [aggregates.requested(_dims(), "candidate", "illness", False) for _ in range(2)]
    keys = [r["key"] for r in _build(events)["recommendations"]]
    assert "widen_slots" in keys
    # But below the threshold share, or with too few requests, nothing is said about it
    few = [aggregates.scheduled(_dims()) for _ in range(40)]
    few += [aggregates.requested(_dims(), "candidate", "schedule_conflict", True) for _ in range(2)]
    assert "widen_slots" not in [r["key"] for r in _build(few)["recommendations"]]


def test_a_slot_hour_far_above_the_overall_rate_is_a_hot_spot():
    events = [aggregates.scheduled(_dims(h)) for h in (9, 10, 11, 12) for _ in range(10)]
    events += [aggregates.requested(_dims(9), "candidate", "illness", False) for _ in range(6)]
    events += [aggregates.requested(_dims(h), "candidate", "illness", False) for h in (10, 11, 12)]
    found = [r for r in _build(events)["recommendations"] if r["key"] == "hot_hour"]
    assert len(found) == 1 and found[0]["params"]["value"] == "09" and found[0]["params"]["requested"] == 6
    assert "09:00" in render.to_html(_build(events))


def test_benchmarks_are_met_or_not_by_their_direction():
    config = benchmarks.parse("metrics:\n  cancellation_rate: {max: 0.1}\n  auto_approval_share: {min: 0.5}\n")
    events = [aggregates.scheduled(_dims()) for _ in range(10)]
    events += [aggregates.requested(_dims(), "candidate", "illness", False)]
    rows = {b["metric"]: b["met"] for b in _build(events, config)["benchmarks"]}
    assert rows == {"cancellation_rate": True, "auto_approval_share": False}


def test_a_slow_approval_recommends_faster_approvals():
    slow = aggregates.decided("approved", "approver:rec-1", "2030-01-12T00:00:00Z", "2030-01-13T12:00:00Z",
                              "2030-01-13T12:00:00Z")
    keys = [r["key"] for r in _build([slow])["recommendations"]]
    assert "faster_approvals" in keys


@pytest.mark.parametrize("text", [
    "metrics:\n  cancellation_rate: {max: 0.1, min: 0.0}\n",  # both bounds
    "metrics:\n  cancellation_rate: {}\n",  # neither
    "metrics:\n  made_up_metric: {max: 1}\n",  # unknown metric
    "metrics: {}\nrecommendations:\n  hot_spot_ratio: 0.5\n",  # a hot spot below the overall rate
    "metrics: {}\nsurprise: 1\n",  # unknown section
])
def test_an_invalid_benchmarks_file_is_refused(text):
    with pytest.raises(ValidationError):
        benchmarks.parse(text)


def test_the_packaged_benchmarks_file_is_valid_and_names_every_metric():
    assert set(benchmarks.load(str(benchmarks.PACKAGED)).metrics) == set(benchmarks.Metric.__args__)


def test_the_html_escapes_what_came_from_outside_and_draws_svg_charts():
    evil = "<script>alert(1)</script>"
    events = [aggregates.scheduled(_dims(job=evil)), aggregates.requested(_dims(job=evil), "candidate", "other", False)]
    html = render.to_html(_build(events))
    assert evil not in html and "&lt;script&gt;" in html
    assert html.count("<svg") >= 8


def test_csv_and_json_carry_the_same_figures():
    events = [aggregates.scheduled(_dims()) for _ in range(4)] + [aggregates.requested(_dims(), "candidate",
                                                                                       "illness", False)]
    built = _build(events)
    rows = list(csv.DictReader(io.StringIO(render.to_csv(built))))
    (rate,) = [r for r in rows if (r["section"], r["name"]) == ("rate", "cancellation_rate")]
    assert float(rate["value"]) == json.loads(render.to_json(built))["cancellation_rate"] == 0.25
    assert {r["section"] for r in rows} >= {"volume", "rate_by_hour", "reason", "benchmark"}
