"""The risk model in production: history kept from events, retrained nightly (model and metrics stored side by
side), the coming interviews scored, and the reminders' nudge driven by the score."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

from functions.analytics import ingest, nightly, risk
from functions.core.clock import to_iso
from functions.integration.data import interview_store, risk_score_store
from functions.integration.tables import InterviewItem
from functions.analytics import history_store
from functions.notify import reminders
from tests.integration.conftest import store_request


def _history(n_per_class: int) -> None:
    """Attended and cancelled interviews; the cancelled ones were mostly booked at short notice from agencies."""
    rng = random.Random(1)
    now = datetime.now(timezone.utc)
    for i in range(2 * n_per_class):
        cancelled = i % 2 == 1
        starts = now - timedelta(days=rng.randint(1, 20))
        lead = timedelta(hours=rng.randint(2, 30) if cancelled and rng.random() < 0.8 else rng.randint(40, 200))
        row = {"interview_id": f"h-{i}", "scheduled_at": starts.isoformat(), "invited_at": (starts - lead).isoformat(),
               "source": "agency" if cancelled and rng.random() < 0.7 else rng.choice(["referral", "agency"]),
               "job_level": "L2", "prior_cancellations": "0", "feature_completed_parts": "1",
               "viewed_jd": "", "downloaded_intro": "", "clicked_link": "",
               "outcome": "cancelled" if cancelled else "attended"}
        history_store.put_history_row(starts.strftime("%Y-%m"), row["interview_id"], json.dumps(row))


def test_an_approved_candidate_cancellation_and_an_attendance_become_point_in_time_history_rows(system, scheduled):
    # GIVEN two interviews booked five days ago, starting in 30 hours; the candidate followed the AI-interview
    # link of the second one an hour ago (after its 48 h snapshot, before its 24 h one)
    now = datetime.now(timezone.utc)
    for interview_id in ("int-1", "int-2"):
        scheduled(interview_id=interview_id, starts_in=timedelta(hours=30))
        interview_store.get_interview(interview_id).update(
            actions=[InterviewItem.created_at.set(to_iso(now - timedelta(days=5)))])
    interview_store.record_behaviour("int-2", "cand-1", "clicked_link_at", to_iso(now - timedelta(hours=1)))
    # WHEN the first is cancelled now (approved) and the second attended at its start
    at = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    attended_at = (now + timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    store_request(system, "r-0", "int-1", "cand-1", "APPROVED", created_at=at, decided_at=at)  # as the workflow stores it
    for n, (detail_type, interview_id) in enumerate((("CancellationApproved", "int-1"), ("InterviewAttended", "int-2"))):
        detail = {"request_id": f"r-{n}", "interview_id": interview_id, "candidate_id": "cand-1",
                  "initiator": "candidate", "reason_code": "illness", "outcome": "approved", "actor": "approver:x",
                  "decided_at": at, "slot_id": "slot-int-1", "comment": ""} if n == 0 else \
            {"interview_id": interview_id, "candidate_id": "cand-1", "attended_at": attended_at}
        ingest.count({"id": f"e-{n}", "time": at if n == 0 else attended_at, "detail-type": detail_type,
                      "detail": detail})
    rows = {r["interview_id"]: r for r in risk.history(now.date()) + risk.history((now + timedelta(days=2)).date())}
    # THEN the cancellation (30 h ahead) has only its 48 h snapshot; the attendance both, labelled
    assert {k for k in rows if k.startswith("int-1")} == {"int-1@48h"}
    assert rows["int-1@48h"]["outcome"] == "cancelled" and rows["int-1@48h"]["feature_horizon_hours"] == "48"
    assert rows["int-2@48h"]["outcome"] == rows["int-2@24h"]["outcome"] == "attended"
    # and the click counts only in the snapshot taken after it
    assert (rows["int-2@48h"]["clicked_link"], rows["int-2@24h"]["clicked_link"]) == ("0", "1")
    assert rows["int-1@48h"]["source"] and rows["int-1@48h"]["scheduled_at"].endswith("+00:00")


def test_too_little_history_trains_nothing_and_the_rule_stays(system, monkeypatch, tmp_path):
    monkeypatch.setenv("REPORT_DIR", str(tmp_path))
    _history(5)
    result = nightly.retrain_risk_model(datetime.now(timezone.utc))
    assert result["trained"] is False and result["rows"] == 10
    assert not (tmp_path / "models").exists()


def test_the_nightly_retrain_stores_model_and_metrics_and_its_scores_drive_the_nudge(system, scheduled, monkeypatch,
                                                                                     tmp_path):
    monkeypatch.setenv("REPORT_DIR", str(tmp_path))
    # Given a history of 40 attended and 40 cancelled interviews, and an interview 30 hours ahead
    _history(40)
    event = scheduled(interview_id="int-soon", starts_in=timedelta(hours=30))
    # When the nightly job retrains
    now = datetime.now(timezone.utc)
    result = nightly.retrain_risk_model(now)
    # Then the model and its held-out metrics are stored side by side, and the coming interview has a score
    assert result["trained"] is True and result["rows"] == 80 and result["scored"] == 1
    metrics = json.loads((tmp_path / "models" / "risk-model.json.metrics.json").read_text())
    assert (tmp_path / "models" / "risk-model.json").stat().st_size > 0
    assert metrics["n_rows"] == 80 and 0 <= metrics["held_out"]["roc_auc_mean"] <= 1
    score = risk_score_store.risk_score("int-soon")
    assert score is not None and 0 <= score <= 1
    # And the reminders' nudge follows the stored score rather than the rule (which, for a candidate who never
    # cancelled and has started the AI interview, would not nudge)
    interview, candidate = interview_store.interview_with_profile("int-soon", event["candidate"]["candidate_id"])
    assert interview.completed_parts and not candidate.cancellations
    risk_score_store.put_risk_score("int-soon", 0.9, 2**31)
    assert reminders.high_risk(interview, candidate) is True
    # (below the stored threshold, whatever it is: on this 50/50 history the lowest held-out score reaches the
    # precision target, and the logistic regression puts that near 0.01, where the former forest blend stayed
    # above 0.1)
    threshold = risk_score_store.nudge_threshold()
    assert threshold is not None and 0 < threshold < 0.9
    risk_score_store.put_risk_score("int-soon", threshold / 2, 2**31)
    assert reminders.high_risk(interview, candidate) is False


def test_the_nightly_retrain_stores_the_threshold_chosen_for_the_precision_target_and_the_nudge_follows_it(
        system, scheduled, monkeypatch, tmp_path):
    monkeypatch.setenv("REPORT_DIR", str(tmp_path))
    # GIVEN a history of 60 attended and 60 cancelled interviews, and an interview 30 hours ahead
    _history(60)
    event = scheduled(interview_id="int-next", starts_in=timedelta(hours=30))
    # WHEN the nightly job retrains (precision target: the default 0.5)
    result = nightly.retrain_risk_model(datetime.now(timezone.utc))
    # THEN the threshold chosen on the latest held-out interviews is stored with the model and for the reminders
    metrics = json.loads((tmp_path / "models" / "risk-model.json.metrics.json").read_text())
    chosen = metrics["nudge_threshold"]
    assert chosen["target"] == 0.5 and chosen["rows"] == 36 and chosen["reached"]
    assert result["nudge_threshold"] == chosen["threshold"] == risk_score_store.nudge_threshold()
    # and the report's model summary carries the calibration figures and the threshold
    summary = risk_score_store.model_summary()
    assert summary["held_out"]["brier_score"] >= 0 and summary["nudge_threshold"] == chosen
    # WHEN the threshold is 0.95: a score of 0.9 is no longer high risk; at 0.85 it is
    interview, candidate = interview_store.interview_with_profile("int-next", event["candidate"]["candidate_id"])
    risk_score_store.put_risk_score("int-next", 0.9, 2**31)
    risk_score_store.put_nudge_threshold(0.95, 2**31)
    assert reminders.high_risk(interview, candidate) is False
    risk_score_store.put_nudge_threshold(0.85, 2**31)
    assert reminders.high_risk(interview, candidate) is True
    # and a model that reached no target leaves the default 0.5
    risk_score_store.put_nudge_threshold(None, 2**31)
    assert reminders.high_risk(interview, candidate) is True
