"""The cancellation-risk model, its CSV import, the attendance-data converter and the `model` CLI."""
from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import random
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from cli import model as model_cli
from functions.analytics import risk_model
from functions.analytics.risk_model import HistoryFormatError

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_ATTENDANCE = REPO_ROOT.parent / "shared" / "data" / "interview_attendance.csv"


def synthetic_history(n: int, seed: int, signal: bool = True) -> list[dict[str, str]]:
    """Import-format rows whose outcome follows a known logistic rule (or, without signal, a coin)."""
    rng = random.Random(seed)
    start = datetime(2025, 3, 3, tzinfo=timezone.utc)
    rows = []
    for i in range(n):
        scheduled = start + timedelta(days=rng.randrange(60), hours=8 + rng.randrange(10))
        lead_hours = rng.choice([3, 12, 24, 72, 168])
        viewed_jd, clicked_link = rng.random() < 0.5, rng.random() < 0.5
        prior_cancellations = rng.choice([0, 0, 0, 1, 2])
        source = rng.choice(["referral", "job board", "agency"])
        distance_km = rng.uniform(0, 60)
        logit = (0.5 - 2.0 * viewed_jd - 1.5 * clicked_link + 1.0 * prior_cancellations
                 + 0.04 * (distance_km - 30) + (1.0 if source == "agency" else 0.0))
        p_not_attending = 1 / (1 + math.exp(-logit)) if signal else 0.35
        did_not_attend = rng.random() < p_not_attending
        rows.append({
            "interview_id": f"iv-{seed}-{i}",
            "scheduled_at": scheduled.isoformat(),
            "invited_at": (scheduled - timedelta(hours=lead_hours)).isoformat(),
            "outcome": rng.choice(["cancelled", "no_show"]) if did_not_attend else "attended",
            "viewed_jd": str(int(viewed_jd)),
            "clicked_link": str(int(clicked_link)),
            "prior_cancellations": str(prior_cancellations),
            "source": source,
            "feature_distance_km": f"{distance_km:.1f}",
            "feature_channel": rng.choice(["sms"] * 5 + ["email"] * 5 + ["fax"]),  # "fax" is a rare category
        })
    return rows


def without(row: dict[str, str], column: str) -> dict[str, str]:
    return {k: v for k, v in row.items() if k != column}


def not_attended(rows: list[dict[str, str]]) -> list[int]:
    return [int(row["outcome"] != "attended") for row in rows]


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def converter() -> ModuleType:
    # scripts/ is not an installed package: load the script from its file.
    script = REPO_ROOT / "scripts" / "convert_attendance.py"
    spec = importlib.util.spec_from_file_location("convert_attendance", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the model learns, and only what is there -------------------------------------------------------------

def test_model_finds_a_real_signal_on_held_out_rows():
    # Given a history where not attending follows JD views, link clicks, prior cancellations, distance, source
    history, unseen = synthetic_history(300, seed=1), synthetic_history(300, seed=2)

    # When the model is trained on one sample and scores another it never saw
    model = risk_model.train(history)
    probabilities = [p for _, p in risk_model.score(model, unseen)]

    # Then it ranks the unseen rows well
    assert roc_auc_score(not_attended(unseen), probabilities) > 0.8


def test_evaluation_reports_cross_validated_auc_and_calibration():
    # Given a history with a real signal
    history = synthetic_history(300, seed=3)

    # When it is evaluated by stratified 5-fold cross-validation
    evaluation = risk_model.evaluate(history, folds=5, seed=0)

    # Then the held-out AUC shows the signal, and the calibration summary covers every row in 5 bins
    assert evaluation.roc_auc_mean > 0.8
    assert len(evaluation.fold_roc_auc) == 5
    assert evaluation.brier_score < evaluation.brier_score_base_rate  # beats always guessing the base rate
    assert [b.lower for b in evaluation.reliability] == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8])
    assert sum(b.count for b in evaluation.reliability) == 300
    assert all(b.lower <= b.mean_predicted <= b.upper for b in evaluation.reliability if b.count)


def test_random_labels_give_auc_near_one_half():
    # Given the same features but outcomes drawn by a coin
    history = synthetic_history(300, seed=4, signal=False)

    # When evaluated by cross-validation (3 folds: the test stays quick)
    evaluation = risk_model.evaluate(history, folds=3, seed=0)

    # Then the model finds nothing (n=300: the fold mean's standard error is about 0.035)
    assert abs(evaluation.roc_auc_mean - 0.5) < 0.1


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=50))
def test_reliability_table_puts_every_prediction_in_exactly_one_bin(pairs):
    # Given any predictions and outcomes
    probabilities = np.array([p for p, _ in pairs])
    labels = np.array([int(y) for _, y in pairs])

    # When tabulated
    table = risk_model.reliability_table(labels, probabilities, bins=5)

    # Then the counts add up and each bin's mean lies inside the bin
    assert sum(b.count for b in table) == len(pairs)
    for b in table:
        if b.count:
            assert b.lower - 1e-9 <= b.mean_predicted <= b.upper + 1e-9


# --- scoring and persistence -------------------------------------------------------------------------------

def test_score_returns_one_probability_per_row_in_input_order_without_outcomes():
    # Given a trained model and upcoming interviews without an outcome column, one with an unseen source
    model = risk_model.train(synthetic_history(200, seed=5))
    upcoming = [without(row, "outcome") for row in synthetic_history(25, seed=6)]
    upcoming[0]["source"] = "a source never seen in training"

    # When they are scored
    scores = risk_model.score(model, upcoming)

    # Then there is one probability per row, in order, each in [0, 1]
    assert [interview_id for interview_id, _ in scores] == [row["interview_id"] for row in upcoming]
    assert all(0.0 <= p <= 1.0 for _, p in scores)


def test_score_refuses_rows_missing_a_column_the_model_was_trained_with():
    # Given a model trained with feature_distance_km
    model = risk_model.train(synthetic_history(200, seed=7))
    rows = [without(row, "feature_distance_km") for row in synthetic_history(5, seed=8)]

    # When rows without that column are scored, Then the error names the column
    with pytest.raises(HistoryFormatError, match="feature_distance_km"):
        risk_model.score(model, rows)


def test_train_save_load_score_round_trip(tmp_path):
    # Given a model trained and evaluated on a history CSV
    path = write_csv(tmp_path / "history.csv", synthetic_history(200, seed=9))
    rows = risk_model.load_history(path)
    model = risk_model.train(rows)
    model.metrics = {"roc_auc_mean": 0.9}
    upcoming = synthetic_history(20, seed=10)

    # When it is saved, loaded back and used to score
    metrics_file = risk_model.save(model, tmp_path / "risk.json")
    loaded = risk_model.load(tmp_path / "risk.json")

    # Then the loaded model scores exactly as the original, and the metrics sit beside it
    assert risk_model.score(loaded, upcoming) == risk_model.score(model, upcoming)
    assert metrics_file == tmp_path / "risk.json.metrics.json"
    assert json.loads(metrics_file.read_text())["held_out"] == {"roc_auc_mean": 0.9}


# --- CSV validation ----------------------------------------------------------------------------------------

def _history_csv_with(tmp_path: Path, row: int, column: str, value: str) -> Path:
    rows = synthetic_history(5, seed=11)
    rows[row - 1][column] = value
    return write_csv(tmp_path / "bad.csv", rows)


@pytest.mark.parametrize(("row", "column", "value"), [
    (2, "scheduled_at", "13.02.2015"),
    (3, "invited_at", "yesterday"),
    (4, "outcome", "maybe"),
    (5, "outcome", ""),
    (1, "viewed_jd", "yes"),
    (2, "prior_cancellations", "two"),
    (3, "interview_id", "iv-11-0"),  # a duplicate of row 1
])
def test_bad_cells_are_reported_with_row_line_and_column(tmp_path, row, column, value):
    # Given a history CSV with one bad cell
    path = _history_csv_with(tmp_path, row, column, value)

    # When it is loaded, Then the error names the data row, its line in the file, and the column
    with pytest.raises(HistoryFormatError) as raised:
        risk_model.load_history(path)
    assert f"row {row} (line {row + 1}), column '{column}'" in str(raised.value)


def test_error_line_counts_blank_lines_in_the_file(tmp_path):
    # Given a history CSV with a blank line after the header and a bad timestamp in data row 2
    path = _history_csv_with(tmp_path, 2, "scheduled_at", "not a time")
    header, *data = path.read_text().splitlines(keepends=True)
    path.write_text(header + "\n" + "".join(data))

    # When it is loaded, Then the error still names data row 2, now on line 4 of the file
    with pytest.raises(HistoryFormatError, match=r"row 2 \(line 4\), column 'scheduled_at'"):
        risk_model.load_history(path)


def test_missing_required_column_is_named(tmp_path):
    # Given a history CSV without invited_at
    rows = synthetic_history(5, seed=12)
    path = write_csv(tmp_path / "no_invited.csv", rows, [c for c in rows[0] if c != "invited_at"])

    # When it is loaded, Then the error names the missing column
    with pytest.raises(HistoryFormatError, match="header: missing required column.*invited_at"):
        risk_model.load_history(path)


def test_outcome_column_may_be_absent_only_when_scoring(tmp_path):
    # Given a CSV of upcoming interviews without outcomes
    rows = synthetic_history(5, seed=13)
    path = write_csv(tmp_path / "upcoming.csv", rows, [c for c in rows[0] if c != "outcome"])

    # When it is loaded for scoring it is accepted; for training the missing outcome is named
    assert len(risk_model.load_history(path, require_outcome=False)) == 5
    with pytest.raises(HistoryFormatError, match="outcome"):
        risk_model.load_history(path)


def test_a_bare_date_means_the_slot_hour_is_unknown():
    # Given two interviews on the same day, one with a time and one with only the date
    rows = synthetic_history(2, seed=14)
    rows[0]["scheduled_at"], rows[0]["invited_at"] = "2025-03-05T14:30:00", "2025-03-04T09:00:00"
    rows[1]["scheduled_at"], rows[1]["invited_at"] = "2025-03-05", "2025-03-03"

    # When their features are built
    interviews = risk_model.parse_rows(rows)
    schema = risk_model.infer_schema(interviews)
    matrix = risk_model.feature_matrix(interviews, schema)

    # Then the timed one has slot hour 14, the dated one an unknown hour; both are Wednesdays
    hour, weekday = schema.columns.index("slot_hour"), schema.columns.index("weekday")
    assert [matrix[0, hour], matrix[1, hour]] == ["14", risk_model.MISSING]
    assert [matrix[0, weekday], matrix[1, weekday]] == ["wed", "wed"]


def test_answer_counts_tally_yes_no_and_empty_flag_and_text_cells():
    # Given an interview with a yes flag, a "Yes" and a "no" answer, an empty answer and a free-text column
    row = synthetic_history(1, seed=17)[0] | {
        "viewed_jd": "1", "clicked_link": "", "feature_permission": "Yes", "feature_venue_clear": "no",
        "feature_call_letter": "",
    }

    # When its features are built
    interviews = risk_model.parse_rows([row])
    schema = risk_model.infer_schema(interviews)
    matrix = risk_model.feature_matrix(interviews, schema)

    # Then two cells say yes, one says no, and two are empty; the text "agency" and the timestamps count as none
    counts = [matrix[0, schema.columns.index(c)] for c in ("answers_yes", "answers_no", "answers_empty")]
    assert counts == [2.0, 1.0, 2.0]


# --- CLI ---------------------------------------------------------------------------------------------------

def parse_cli(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="interviews")
    model_cli.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_cli_train_then_score_writes_model_metrics_and_scores(tmp_path, capsys):
    # Given a history CSV and an upcoming-interviews CSV without outcomes
    history = write_csv(tmp_path / "history.csv", synthetic_history(200, seed=15))
    upcoming_rows = synthetic_history(30, seed=16)
    upcoming = write_csv(tmp_path / "upcoming.csv", [without(row, "outcome") for row in upcoming_rows])
    model_path, scores_path = tmp_path / "out" / "risk.json", tmp_path / "scores.csv"

    # When `model train` and then `model score` run
    train_args = parse_cli(
        ["model", "train", "--csv", str(history), "--out", str(model_path), "--folds", "3"]
    )
    train_code = train_args.func(train_args)
    printed = capsys.readouterr().out
    score_args = parse_cli(["model", "score", "--model", str(model_path), "--csv", str(upcoming),
                            "--out", str(scores_path)])
    score_code = score_args.func(score_args)

    # Then both succeed; the held-out metrics are printed and stored beside the model; every row is scored
    assert (train_code, score_code) == (0, 0)
    assert "ROC AUC" in printed and "Brier score" in printed
    stored = json.loads((tmp_path / "out" / "risk.json.metrics.json").read_text())
    assert stored["held_out"]["folds"] == 3 and 0.5 < stored["held_out"]["roc_auc_mean"] <= 1.0
    with open(scores_path, newline="") as scores_file:
        written = list(csv.DictReader(scores_file))
    assert [row["interview_id"] for row in written] == [row["interview_id"] for row in upcoming_rows]
    assert all(0.0 <= float(row["probability"]) <= 1.0 for row in written)


def test_cli_train_reports_a_bad_csv_and_writes_nothing(tmp_path, capsys):
    # Given a history CSV with a bad outcome in data row 2
    path = _history_csv_with(tmp_path, 2, "outcome", "ghosted")

    # When `model train` runs on it
    args = parse_cli(["model", "train", "--csv", str(path), "--out", str(tmp_path / "risk.json")])
    code = args.func(args)

    # Then it fails with the row and column named, and no model file appears
    assert code != 0
    assert "row 2 (line 3), column 'outcome'" in capsys.readouterr().err
    assert not (tmp_path / "risk.json").exists()


# --- the public attendance data converter ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("13.02.2015", (date(2015, 2, 13), None)),
    ("21.4.16", (date(2016, 4, 21), None)),
    ("04-12-2016", (date(2016, 12, 4), None)),
    ("15-Apr-16", (date(2016, 4, 15), None)),
    ("25 \u2013 Apr-16", (date(2016, 4, 25), None)),
    ("30.1.16 ", (date(2016, 1, 30), None)),
    ("28.8.2016 & 02.00 PM", (date(2016, 8, 28), (14, 0))),
    ("28.08.2016 & 9.30 AM", (date(2016, 8, 28), (9, 30))),
    ("12.04.2019", (date(2016, 4, 12), None)),  # a spreadsheet fill-down slip on 12.04.2016
])
def test_converter_reads_the_source_date_spellings(text, expected):
    # Given a date as spelled in the source, When parsed, Then it is the day (and time) meant
    assert converter().interview_time(text) == expected


def test_converter_maps_messy_answers():
    # Given the source's spellings of yes, no, unsure and not asked
    convert = converter()

    # When read as answers and as 0/1 flags, Then they fall into the right group
    spellings = ("Yes", "yes ", "NO", "Not yet", "Need To Check", "NA", "Na", "11:00 AM")
    assert [convert.answer(v) for v in spellings] == ["yes", "yes", "no", "no", "unsure", "", "", ""]
    assert [convert.flag(v) for v in ("Yes", "No", "Not sure", "NA")] == ["1", "0", "", ""]


@pytest.mark.skipif(not SHARED_ATTENDANCE.exists(), reason="the shared attendance data is not here")
def test_converter_on_the_shared_attendance_file(tmp_path):
    # Given the public attendance data as published
    convert = converter()

    # When converted to the import format and loaded back through the model's validation
    convert.convert_file(SHARED_ATTENDANCE, tmp_path / "history.csv")
    rows = risk_model.load_history(tmp_path / "history.csv")

    # Then every interview is there (the blank trailing row is not), with the published outcome counts
    assert len(rows) == 1233
    assert Counter(row["outcome"] for row in rows) == {"attended": 783, "no_show": 450}
