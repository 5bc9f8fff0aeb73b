"""Point-in-time features: a snapshot at a horizon before the start uses nothing that happened after it, the
training rows are snapshots labelled with the eventual outcome, and scoring builds its rows with the same code."""

from __future__ import annotations

import copy
import random
from datetime import datetime, timedelta, timezone

from functions.analytics import risk, risk_snapshots
from functions.core.clock import to_iso
from functions.integration.tables import CancellationRecord, CandidateItem, InterviewItem

START = datetime(2030, 3, 10, 14, 0, tzinfo=timezone.utc)
BEHAVIOURS = ("viewed_jd_at", "downloaded_intro_at", "clicked_link_at")


def _interview(created_hours_before: float = 120, **behaviour_hours_before: float) -> InterviewItem:
    item = InterviewItem("int-1", candidate_id="cand-1", job_level="L2", candidate_source="agency",
                         starts_at=to_iso(START), created_at=to_iso(START - timedelta(hours=created_hours_before)),
                         completed_parts=["self-introduction"], status="SCHEDULED")
    for attribute, hours in behaviour_hours_before.items():
        setattr(item, attribute, to_iso(START - timedelta(hours=hours)))
    return item


def _candidate(cancellation_hours_before: list[float]) -> CandidateItem:
    return CandidateItem("cand-1", cancellations=[
        CancellationRecord(request_id=f"r-{n}", interview_id=f"other-{n}", job_title="x", initiator="candidate",
                           reason_code="illness", at=to_iso(START - timedelta(hours=h)))
        for n, h in enumerate(cancellation_hours_before)])


def _without_facts_after(interview: InterviewItem, candidate: CandidateItem, at: datetime):
    """The same interview and candidate as they stood at `at`: every later fact removed."""
    interview, candidate = copy.deepcopy(interview), copy.deepcopy(candidate)
    for attribute in BEHAVIOURS:
        moment = getattr(interview, attribute)
        if moment and datetime.fromisoformat(moment.replace("Z", "+00:00")) > at:
            setattr(interview, attribute, None)
    candidate.cancellations = [c for c in candidate.cancellations
                               if datetime.fromisoformat(c.at.replace("Z", "+00:00")) <= at]
    return interview, candidate


def test_no_feature_of_a_snapshot_uses_information_from_after_its_snapshot_time():
    rng = random.Random(7)
    for _ in range(300):
        # GIVEN an interview with behaviour and earlier cancellations at random times, before and after the
        # horizons, up to the start
        behaviour = {a: rng.uniform(0, 100) for a in BEHAVIOURS if rng.random() < 0.7}
        interview = _interview(created_hours_before=rng.uniform(50, 150), **behaviour)
        candidate = _candidate([rng.uniform(0, 200) for _ in range(rng.randint(0, 4))])
        for horizon in risk_snapshots.HORIZONS_HOURS:
            at = risk_snapshots.snapshot_time(interview, horizon)
            # WHEN its snapshot is taken from everything known now, and from what was known at the snapshot time
            full = risk_snapshots.snapshot_row(interview, candidate, at, horizon, "attended")
            as_then = risk_snapshots.snapshot_row(*_without_facts_after(interview, candidate, at), at, horizon,
                                                  "attended")
            # THEN the two are the same row: nothing after the snapshot time leaks in
            assert full == as_then


def test_a_fact_after_the_snapshot_changes_nothing_and_one_before_it_counts():
    # GIVEN the link clicked 30 h before the start and a cancellation elsewhere 36 h before
    interview, candidate = _interview(clicked_link_at=30), _candidate([36])
    at48, at24 = (risk_snapshots.snapshot_time(interview, h) for h in (48, 24))
    # THEN the 48 h snapshot knows neither; the 24 h snapshot knows both
    row48 = risk_snapshots.snapshot_row(interview, candidate, at48, 48)
    row24 = risk_snapshots.snapshot_row(interview, candidate, at24, 24)
    assert (row48["clicked_link"], row48["prior_cancellations"]) == ("0", "0")
    assert (row24["clicked_link"], row24["prior_cancellations"]) == ("1", "1")
    assert (row48["interview_id"], row24["feature_horizon_hours"]) == ("int-1@48h", "24")


def test_training_rows_are_the_snapshots_the_interview_was_still_scheduled_at_labelled_with_the_outcome():
    candidate = _candidate([])
    # GIVEN an attended interview booked 5 days ahead: both horizons
    attended = risk_snapshots.labelled_snapshots(_interview(), candidate, "attended", START)
    assert [r["interview_id"] for r in attended] == ["int-1@48h", "int-1@24h"]
    assert {r["outcome"] for r in attended} == {"attended"}
    # GIVEN one cancelled 30 h before the start: only the 48 h snapshot (at 24 h it was no longer scheduled)
    cancelled = risk_snapshots.labelled_snapshots(_interview(), candidate, "cancelled", START - timedelta(hours=30))
    assert [(r["interview_id"], r["outcome"]) for r in cancelled] == [("int-1@48h", "cancelled")]
    # GIVEN one cancelled 3 days ahead: none; and one booked 30 h ahead: only the 24 h snapshot
    assert risk_snapshots.labelled_snapshots(_interview(), candidate, "cancelled", START - timedelta(days=3)) == []
    late = risk_snapshots.labelled_snapshots(_interview(created_hours_before=30), candidate, "attended", START)
    assert [r["interview_id"] for r in late] == ["int-1@24h"]


def test_scoring_builds_its_row_with_the_same_snapshot_code_at_the_nearest_horizon():
    interview, candidate = _interview(clicked_link_at=40), _candidate([])
    for hours_left, horizon in ((50, 48), (37, 48), (30, 24), (22, 24)):
        now = START - timedelta(hours=hours_left)
        # WHEN the nightly run scores the interview hours_left before its start
        row = risk.row_of(interview, candidate, now)
        # THEN it is the snapshot at `now`, tagged with the nearest horizon
        assert row == risk_snapshots.snapshot_row(interview, candidate, now, horizon)
        assert row["clicked_link"] == ("1" if hours_left < 40 else "0")
