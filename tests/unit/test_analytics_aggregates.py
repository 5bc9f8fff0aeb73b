"""The aggregation math: what an event adds, and percentiles read back from bucketed counters."""

from __future__ import annotations

import math

import pytest

from functions.domain.measures import aggregates
from functions.domain.measures.aggregates import BUCKETS, Dimensions, Totals, percentile


def _totals(found: list) -> Totals:
    return Totals({i.metric: (i.n, i.total or 0.0) for i in aggregates.merged("2030-01-12", found)})


def test_a_percentile_interpolates_inside_its_bucket():
    # Given 10 observations in the bucket (30, 45] and 10 in (45, 60]
    histogram = [(b, 10 if b in (45, 60) else 0) for b in BUCKETS]
    # Then the median is the top of the first bucket and p90 is 80% of the way through the second
    assert percentile(histogram, 0.5) == pytest.approx(45)
    assert percentile(histogram, 0.9) == pytest.approx(45 + 15 * 0.8)


def test_a_percentile_in_the_open_last_bucket_is_its_floor_and_none_without_data():
    histogram = [(b, 1 if math.isinf(b) else 0) for b in BUCKETS]
    assert percentile(histogram, 0.9) == BUCKETS[-2]
    assert percentile([(b, 0) for b in BUCKETS], 0.5) is None


@pytest.mark.parametrize("minutes,bucket", [(0, "1"), (1, "1"), (1.01, "2"), (59, "60"), (60, "60"),
                                            (10080, "10080"), (10081, "inf")])
def test_durations_land_in_the_bucket_whose_upper_bound_holds_them(minutes, bucket):
    assert aggregates.bucket_of(minutes) == bucket


def test_percentiles_from_counters_match_the_exact_ones_within_a_bucket():
    # Given approval times of 1..600 minutes, each counted as the event path counts it
    found = []
    for minute in range(1, 601):
        found += aggregates._duration("approval_minutes", "2030-01-12T00:00:00Z",
                                      f"2030-01-12T{minute // 60:02d}:{minute % 60:02d}:00Z")
    totals = _totals(found)
    # Then p50 and p90 from the histogram are within the bucket of the exact values, and the mean is exact
    histogram = totals.histogram("approval_minutes")
    assert 240 <= percentile(histogram, 0.5) <= 360  # exact: 300
    assert 480 <= percentile(histogram, 0.9) <= 720  # exact: 540
    assert totals.total("approval_minutes") / totals.n("approval_minutes") == pytest.approx(300.5)


def test_only_a_persons_decision_counts_as_approval_time_but_every_outcome_as_heard_back():
    created, decided = "2030-01-12T08:00:00.000Z", "2030-01-12T09:00:00.000Z"
    auto = _totals(aggregates.decided("approved", "policy:auto-approve", created, decided, decided))
    person = _totals(aggregates.decided("rejected", "approver:rec-1", created, decided, decided))
    assert auto.n("approval_minutes") == 0 and auto.n("heard_back_minutes") == 1
    assert auto.n("outcome#approved#by#auto") == 1
    assert person.n("approval_minutes") == 1 and person.total("approval_minutes") == pytest.approx(60)
    assert person.values("approval_minutes#le") == {"60": 1}


def test_a_request_counts_under_every_dimension_in_the_candidates_own_time():
    # Given an interview at 01:30 UTC on a Sunday, for a candidate in Shanghai (09:30 on Sunday there)
    dims = Dimensions.of("Backend Engineer", "Engineering", "referral", "2030-01-13T01:30:00Z", "Asia/Shanghai")
    totals = _totals(aggregates.requested(dims, "candidate", "illness", auto_approve=False))
    assert (dims.hour, dims.weekday) == ("09", "Sun")
    assert totals.values("requested#hour") == {"09": 1}
    assert totals.values("requested#job") == {"Backend Engineer": 1}
    assert totals.values("requested#reason") == {"candidate:illness": 1}
    assert totals.n("requested") == 1 and totals.n("requested#auto") == 0


def test_an_unknown_timezone_falls_back_to_utc_and_a_hash_in_a_value_cannot_split_a_counter_name():
    dims = Dimensions.of("C# developer", "Eng", "web", "2030-01-13T01:30:00Z", "Not/AZone")
    totals = _totals(aggregates.scheduled(dims))
    assert dims.hour == "01"
    assert totals.values("scheduled#job") == {"C  developer": 1}


def test_merged_increments_name_each_counter_once():
    merged = aggregates.merged("2030-01-12", [("a", 1, None), ("a", 2, 3.0), ("b", 1, None)])
    assert {(i.metric, i.n, i.total) for i in merged} == {("a", 3, 3.0), ("b", 1, None)}


@pytest.mark.parametrize("detail_type,detail,marker", [
    ("InterviewScheduled", {"interview_id": "int-1"}, "event#InterviewScheduled#int-1"),
    ("InterviewAttended", {"interview_id": "int-1", "candidate_id": "c"}, "event#InterviewAttended#int-1"),
    ("CancellationRequested", {"request_id": "r-1", "interview_id": "int-1"}, "event#CancellationRequested#r-1"),
    ("CancellationApproved", {"request_id": "r-1", "interview_id": "int-1"}, "event#CancellationApproved#r-1"),
])
def test_an_event_is_counted_once_per_what_it_is_about(detail_type, detail, marker):
    from functions.analytics.ingest import marker_of

    assert marker_of(detail_type, detail) == marker
