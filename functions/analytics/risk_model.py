"""Cancellation-risk model: who is likely not to attend (cancel or no-show), from what we know beforehand.

Input is the historical-import CSV (see `load_history`); a row is a plain dict of column -> text, so rows can
come from a file, from the store or from a test alike. Every entry point validates its rows the same way and
raises `HistoryFormatError` naming the row and column at fault.

Features: the behaviour flags (viewed_jd, downloaded_intro, clicked_link, reminder_sent), lead time
(scheduled_at - invited_at), slot hour and weekday, prior cancellations and reschedules, source, job level,
every extra `feature_*` column (numeric when all its values are numbers, otherwise text), and how many of the
flag and text cells say yes, no or nothing. The model (linear_model/, NumPy alone) encodes them (numbers
imputed + standardised, text one-hot with rare categories grouped) into a regularised logistic regression whose
strength is chosen by inner cross-validation, so `evaluate`'s outer cross-validation stays honest.

A model file is JSON (the encoder's vocabularies and the coefficients): loading one runs no code.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from functions.analytics.linear_model import INNER_FOLDS, LinearModel, brier_score, roc_auc, stratified_folds
from functions.analytics.risk_rows import (  # noqa: F401 - the import format, re-exported for callers of the model
    COUNT_COLUMNS,
    EXTRA_PREFIX,
    FLAG_COLUMNS,
    OUTCOMES,
    REQUIRED_COLUMNS,
    TEXT_COLUMNS,
    HistoryFormatError,
    Interview,
    check_columns,
    load_history,
    parse_rows,
    lead_hours,
)

MISSING = "(missing)"  # the category an empty text/flag cell becomes: "not asked" is itself informative
RELIABILITY_BINS = 5
MODEL_FORMAT = "risk-model/2"  # a JSON file of the encoder's vocabularies and the coefficients (1 was joblib)
TIME_COLUMNS = ("lead_time_log_hours", "slot_hour", "weekday")  # computed from the timestamps
# How many of a row's flag and text cells say yes (1), no (0), or nothing: a candidate who answers every
# question "yes" differs from one who leaves half of them blank, whatever the questions are.
ANSWER_COUNT_COLUMNS = ("answers_yes", "answers_no", "answers_empty")
YES_ANSWERS, NO_ANSWERS = ("1", "yes"), ("0", "no")
DERIVED_COLUMNS = TIME_COLUMNS + ANSWER_COUNT_COLUMNS
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ModelFileError(ValueError):
    """A file given as a model is not one `save` wrote."""


# --- features --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeatureSchema:
    """Which columns the model reads, and how; fixed at training time so scoring builds the same matrix."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.numeric + self.categorical


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def infer_schema(interviews: Sequence[Interview]) -> FeatureSchema:
    present = set().union(*(i.cells.keys() for i in interviews))
    extras = sorted(c for c in present if c.startswith(EXTRA_PREFIX))
    numeric_extras, text_extras = [], []
    for column in extras:
        values = [i.cells.get(column, "") for i in interviews]
        filled = [v for v in values if v]
        # A column is a number if every filled value is one; 0/1 columns fall here too.
        (numeric_extras if filled and all(map(_is_number, filled)) else text_extras).append(column)
    numeric = (
        ["lead_time_log_hours"] + list(ANSWER_COUNT_COLUMNS) + [c for c in COUNT_COLUMNS if c in present]
        + numeric_extras
    )
    categorical = (
        ["slot_hour", "weekday"]
        + [c for c in FLAG_COLUMNS if c in present]
        + [c for c in TEXT_COLUMNS if c in present]
        + text_extras
    )
    return FeatureSchema(tuple(numeric), tuple(categorical))


def _derived(interview: Interview) -> dict[str, Any]:
    scheduled = interview.scheduled_at
    hours = lead_hours(scheduled, interview.invited_at, interview.place)
    # Hour and weekday are read in the timestamp's own offset: local times make them mean the local slot.
    return {
        # Log: the difference between 2 and 26 hours' notice matters more than between 200 and 224.
        "lead_time_log_hours": math.log1p(hours),
        "slot_hour": f"{scheduled.hour:02d}" if interview.time_of_day_known else MISSING,
        "weekday": WEEKDAYS[scheduled.weekday()],
    }


def _answer_counts(interview: Interview, schema: FeatureSchema) -> dict[str, float]:
    """Counts of yes, no and empty cells among the row's flag and text columns (not the timestamp ones)."""
    answers = [interview.cells.get(c, "").lower() for c in schema.categorical if c not in TIME_COLUMNS]
    return {
        "answers_yes": float(sum(a in YES_ANSWERS for a in answers)),
        "answers_no": float(sum(a in NO_ANSWERS for a in answers)),
        "answers_empty": float(sum(not a for a in answers)),
    }


def feature_matrix(interviews: Sequence[Interview], schema: FeatureSchema) -> np.ndarray:
    """An object array, one column per schema column: floats (NaN if empty) then strings."""
    matrix = np.empty((len(interviews), len(schema.columns)), dtype=object)
    for r, interview in enumerate(interviews):
        derived = _derived(interview) | _answer_counts(interview, schema)
        for c, column in enumerate(schema.numeric):
            value = derived.get(column, interview.cells.get(column, ""))
            if value == "":
                matrix[r, c] = math.nan
            elif isinstance(value, float):
                matrix[r, c] = value
            elif _is_number(value):
                matrix[r, c] = float(value)
            else:
                raise HistoryFormatError(f"{interview.place.at(column)}: {value!r} is not a number")
        for c, column in enumerate(schema.categorical, start=len(schema.numeric)):
            value = derived.get(column, interview.cells.get(column, ""))
            matrix[r, c] = value.lower() if value else MISSING
    return matrix


# --- training, evaluation, scoring -----------------------------------------------------------------------

@dataclass
class TrainedModel:
    linear: LinearModel
    schema: FeatureSchema
    n_rows: int
    positive_rate: float
    trained_at: str
    model_format: str = MODEL_FORMAT
    metrics: dict[str, Any] | None = None  # held-out metrics from `evaluate`, saved beside the model
    nudge_threshold: dict[str, Any] | None = None  # risk_threshold.choose_on_latest's choice, if asked for


def _labels(interviews: Sequence[Interview]) -> np.ndarray:
    return np.array([OUTCOMES[i.outcome] for i in interviews if i.outcome is not None], dtype=int)


def _require_both_classes(labels: np.ndarray, minimum: int) -> None:
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if min(positives, negatives) < minimum:
        raise HistoryFormatError(
            f"need at least {minimum} attended and {minimum} not-attended rows, "
            f"got {negatives} and {positives}"
        )


def _fit(interviews: Sequence[Interview], seed: int) -> tuple[LinearModel, FeatureSchema]:
    schema = infer_schema(interviews)
    linear = LinearModel.fit(feature_matrix(interviews, schema), len(schema.numeric), _labels(interviews), seed)
    return linear, schema


def train(rows: Sequence[Mapping[str, Any]], seed: int = 0) -> TrainedModel:
    """Fit on every row (all must have an outcome)."""
    interviews = parse_rows(rows)
    labels = _labels(interviews)
    _require_both_classes(labels, INNER_FOLDS)  # the inner CV needs one of each class per fold
    linear, schema = _fit(interviews, seed)
    return TrainedModel(
        linear=linear, schema=schema, n_rows=len(interviews), positive_rate=float(labels.mean()),
        trained_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


@dataclass(frozen=True)
class ReliabilityBin:
    lower: float
    upper: float
    count: int
    mean_predicted: float | None
    observed_rate: float | None


@dataclass(frozen=True)
class Evaluation:
    """Held-out quality from stratified k-fold CV; calibration figures pool the out-of-fold predictions."""

    folds: int
    seed: int
    n_rows: int
    positive_rate: float
    roc_auc_mean: float
    roc_auc_std: float
    fold_roc_auc: list[float]
    brier_score: float
    brier_score_base_rate: float  # what always predicting the base rate would score: the bar to beat
    reliability: list[ReliabilityBin] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def reliability_table(
    labels: np.ndarray, probabilities: np.ndarray, bins: int = RELIABILITY_BINS
) -> list[ReliabilityBin]:
    """Equal-width bins of predicted probability: how many rows, mean prediction, observed rate."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    # Bin i holds [edge_i, edge_i+1); the last bin also holds 1.0.
    index = np.minimum(np.searchsorted(edges, probabilities, side="right") - 1, bins - 1)
    table = []
    for i in range(bins):
        inside = index == i
        count = int(inside.sum())
        table.append(ReliabilityBin(
            lower=float(edges[i]), upper=float(edges[i + 1]), count=count,
            mean_predicted=round(float(probabilities[inside].mean()), 4) if count else None,
            observed_rate=round(float(labels[inside].mean()), 4) if count else None,
        ))
    return table


def out_of_fold_probabilities(
    rows: Sequence[Mapping[str, Any]], folds: int = 5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """(labels, out-of-fold probabilities, per-fold ROC AUC); each fold's model never sees its test rows."""
    if folds < 2:
        raise ValueError(f"folds must be at least 2, got {folds}")
    interviews = parse_rows(rows)
    labels = _labels(interviews)
    # Each training fold (a (folds-1)/folds share) must still hold INNER_FOLDS of each class.
    _require_both_classes(labels, max(folds, math.ceil(INNER_FOLDS * folds / (folds - 1)) + 1))
    probabilities = np.zeros(len(interviews))
    fold_auc = []
    # One interview's snapshots ("<id>@<horizon>h", risk_snapshots.py) stay in one fold, or CV would flatter.
    groups = [i.interview_id.partition("@")[0] for i in interviews]
    grouped = len(set(groups)) < len(groups)
    for train_index, test_index in stratified_folds(labels, folds, seed, groups if grouped else None):
        # Schema and category lists are learnt from the training fold only.
        linear, schema = _fit([interviews[i] for i in train_index], seed)
        test = [interviews[i] for i in test_index]
        probabilities[test_index] = linear.predict_proba(feature_matrix(test, schema))
        fold_auc.append(roc_auc(labels[test_index], probabilities[test_index]))
    return labels, probabilities, fold_auc


def evaluate(rows: Sequence[Mapping[str, Any]], folds: int = 5, seed: int = 0) -> Evaluation:
    labels, probabilities, fold_auc = out_of_fold_probabilities(rows, folds, seed)
    base_rate = float(labels.mean())
    return Evaluation(
        folds=folds, seed=seed, n_rows=len(labels), positive_rate=round(base_rate, 4),
        roc_auc_mean=round(float(np.mean(fold_auc)), 4), roc_auc_std=round(float(np.std(fold_auc)), 4),
        fold_roc_auc=[round(a, 4) for a in fold_auc],
        brier_score=round(brier_score(labels, probabilities), 4),
        brier_score_base_rate=round(brier_score(labels, np.full(len(labels), base_rate)), 4),
        reliability=reliability_table(labels, probabilities),
    )


def train_and_evaluate(rows: Sequence[Mapping[str, Any]], folds: int = 5, seed: int = 0,
                       precision_target: float | None = None) -> TrainedModel:
    """What the nightly job and the CLI do: measure on held-out folds, then fit on everything; with a precision
    target, also choose the nudge threshold on the latest held-out rows (risk_threshold.py)."""
    from functions.analytics import risk_threshold

    evaluation = evaluate(rows, folds, seed)
    model = train(rows, seed)
    model.metrics = evaluation.to_dict()
    if precision_target is not None:
        model.nudge_threshold = risk_threshold.choose_on_latest(rows, precision_target, seed)
    return model


def score(model: TrainedModel, rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, float]]:
    """(interview_id, probability of not attending) for every row, in input order. Outcomes are ignored."""
    interviews = parse_rows(rows, require_outcome=False)
    present = set(rows[0].keys())
    missing = [c for c in model.schema.columns if c not in present and c not in DERIVED_COLUMNS]
    if missing:
        raise HistoryFormatError(
            f"header: missing column(s) {', '.join(missing)}, which the model was trained with"
        )
    probabilities = model.linear.predict_proba(feature_matrix(interviews, model.schema))
    return [(i.interview_id, float(p)) for i, p in zip(interviews, probabilities)]


# --- persistence -----------------------------------------------------------------------------------------

def metrics_path(path: str | Path) -> Path:
    return Path(f"{path}.metrics.json")


def save(model: TrainedModel, path: str | Path) -> Path:
    """Write the model (JSON) and, beside it, `<path>.metrics.json`. Returns the metrics file's path."""
    stored = {
        "format": model.model_format,
        "schema": {"numeric": list(model.schema.numeric), "categorical": list(model.schema.categorical)},
        "linear": model.linear.to_dict(),
        "n_rows": model.n_rows, "positive_rate": model.positive_rate, "trained_at": model.trained_at,
        "metrics": model.metrics, "nudge_threshold": model.nudge_threshold,
    }
    Path(path).write_text(json.dumps(stored, separators=(",", ":")) + "\n", encoding="utf-8")
    summary = {
        "trained_at": model.trained_at,
        "n_rows": model.n_rows,
        "positive_rate": round(model.positive_rate, 4),
        "model_format": model.model_format,
        "features": {"numeric": list(model.schema.numeric), "categorical": list(model.schema.categorical)},
        "held_out": model.metrics,  # null if the model was never evaluated
        "nudge_threshold": model.nudge_threshold,  # null if no precision target was given
    }
    target = metrics_path(path)
    target.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return target


def load(path: str | Path) -> TrainedModel:
    """Read a model written by `save` (plain JSON: nothing in it runs)."""
    try:
        stored = json.loads(Path(path).read_bytes())
    except OSError:
        raise
    except ValueError:  # not JSON (a joblib file of format 1, say) or not UTF-8
        raise ModelFileError(f"{path} is not a model file written by `model train` (not JSON)") from None
    if not isinstance(stored, dict) or stored.get("format") != MODEL_FORMAT:
        found = stored.get("format") if isinstance(stored, dict) else type(stored).__name__
        raise ModelFileError(f"{path} does not hold a risk model of format {MODEL_FORMAT} (found {found!r})")
    try:
        schema = FeatureSchema(tuple(stored["schema"]["numeric"]), tuple(stored["schema"]["categorical"]))
        linear = LinearModel.from_dict(stored["linear"])
        return TrainedModel(linear=linear, schema=schema, n_rows=int(stored["n_rows"]),
                            positive_rate=float(stored["positive_rate"]), trained_at=str(stored["trained_at"]),
                            metrics=stored.get("metrics"), nudge_threshold=stored.get("nudge_threshold"))
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"{path} is not a complete risk model ({error})") from None
