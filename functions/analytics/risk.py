"""The cancellation-risk model in production: its history kept from the bus's events, retrained nightly on
it (metrics stored beside the model), and its scores of the coming interviews stored for the reminders.

History: a candidate-initiated cancellation that was approved ("cancelled"), an InterviewAttended ("attended")
and an InterviewMissed ("no_show"; the AI-interview platform's or staff's, functions/domain/workplace/risk_watch.py) each
store the interview's point-in-time snapshots (risk_snapshots.py: what was known 48 h and 24 h before the start) in
the import format of functions/analytics/risk_model.py, labelled with the outcome. Rows imported from earlier
systems (`interviews history import`, functions/analytics/history_import/) count in every retrain beside the live
months, so the first model need not wait for live outcomes.
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from functions.core.settings import get_settings
from functions.integration.data import candidate_store, interview_store, risk_score_store
from functions.analytics import history_store, risk_snapshots
from functions.core.clock import from_iso
from functions.integration.tables import CandidateItem, InterviewItem

HISTORY_MONTHS = 12
MIN_ROWS_PER_CLASS = 20  # fewer attended or cancelled interviews than this: no model, the reminder rule stays
SCORE_FROM_HOURS, SCORE_TO_HOURS = 22, 51  # every interview the hourly reminders reach before the next night


def row_of(interview: InterviewItem, candidate: CandidateItem | None, now: datetime) -> dict | None:
    """The row scoring builds at `now`: the same snapshot code as training, at the nearest horizon."""
    return risk_snapshots.snapshot_row(interview, candidate, now, risk_snapshots.nearest_horizon(interview, now))


def record_outcome(interview_id: str, candidate_id: str, outcome: str, at: str) -> None:
    """Store the finished interview's point-in-time snapshots, labelled with its outcome (one per horizon)."""
    interview, candidate = interview_store.interview_with_profile(interview_id, candidate_id)
    if interview is None:
        return
    for row in risk_snapshots.labelled_snapshots(interview, candidate, outcome, from_iso(at)):
        history_store.put_history_row(at[:7], row["interview_id"], json.dumps(row, sort_keys=True))


def history(today: date, months: int = HISTORY_MONTHS) -> list[dict]:
    """The training rows: the live history of the last `months` months, and every imported row."""
    found, month = [], today.replace(day=1)
    for _ in range(months):
        found += [json.loads(row) for row in history_store.history_rows(month.strftime("%Y-%m"))]
        month = (month - timedelta(days=1)).replace(day=1)
    found += [json.loads(row) for row in history_store.imported_rows()]
    return found


def retrain(today: date, save_file) -> dict:
    """Train on the stored history and save model + metrics through save_file(name, bytes) -> where."""
    from functions.analytics import risk_model  # NumPy: only the nightly run pays for its import

    rows = history(today)
    attended = sum(r["outcome"] == "attended" for r in rows)
    if min(attended, len(rows) - attended) < MIN_ROWS_PER_CLASS:
        return {"trained": False, "rows": len(rows), "why": f"fewer than {MIN_ROWS_PER_CLASS} of a class"}
    model = risk_model.train_and_evaluate(rows, precision_target=get_settings().nudge_precision_target)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "risk-model.json"
        metrics = risk_model.save(model, path)
        stored = {"model": save_file("models/risk-model.json", path.read_bytes()),
                  "metrics": save_file("models/risk-model.json.metrics.json", metrics.read_bytes())}
    threshold = model.nudge_threshold or {}
    # What the report shows of the model in use: its held-out metrics and the nudge threshold chosen with it.
    risk_score_store.put_model_summary({"trained_at": model.trained_at, "rows": len(rows),
                                        "held_out": model.metrics, "nudge_threshold": threshold})
    return {"trained": True, "rows": len(rows), "roc_auc": model.metrics["roc_auc_mean"], "stored_at": stored,
            "nudge_threshold": threshold.get("threshold"), "model": model}


def score_upcoming(model, now: datetime) -> int:
    """Score the scheduled interviews the reminders will reach before the next nightly run; store each score
with the factors that raised it most."""
    from functions.analytics import risk_model

    hour = now.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    interviews = [i for h in range(SCORE_FROM_HOURS, SCORE_TO_HOURS)
                  for i in interview_store.interviews_starting_in_hour((hour + timedelta(hours=h)).strftime("%Y-%m-%dT%H"))
                  if i.status == "SCHEDULED"]
    # The same snapshot code as training, at now (None only for a booking stamped after now: clock skew).
    rows = [row for row in (row_of(i, candidate_store.get_candidate(i.candidate_id), now) for i in interviews)
            if row is not None]
    if not rows:
        return 0
    expires = int(time.time()) + 3 * 24 * 3600
    risk_score_store.put_nudge_threshold((getattr(model, "nudge_threshold", None) or {}).get("threshold"), expires)
    # With each score its top contributing factors, which the staff console's risk view puts in words.
    factors = contributions(model, rows)
    for (row_id, probability), top in zip(risk_model.score(model, rows), factors):
        risk_score_store.put_risk_score(row_id.rpartition("@")[0], probability, expires, top)
    return len(rows)


def contributions(model, rows: list[dict], top: int = 3) -> list[list[dict]]:
    """Per row, the schema columns that raise its risk most, largest first: [{"factor", "value", "weight"}].

    Why the logistic regression's terms: the model is additive, so each column's share of its log-odds
    (coefficient x the column's standardized or one-hot value, summed over the columns a schema column becomes) is
    an exact, readable decomposition. Only positive weights are named (what makes this candidate likelier not to
    come); "value" is the row's own cell (lead time in hours)."""
    import numpy as np

    from functions.analytics import risk_model

    interviews = risk_model.parse_rows(rows, require_outcome=False)
    transformed = model.linear.encoder.transform(risk_model.feature_matrix(interviews, model.schema))
    terms = transformed * np.asarray(model.linear.weights, dtype=float)
    sources = np.array(model.linear.encoder.sources(), dtype=int)
    found = []
    for interview, row_terms in zip(interviews, terms):
        weights = np.bincount(sources, weights=row_terms, minlength=len(model.schema.columns))
        order = [int(i) for i in np.argsort(-weights) if weights[i] > 0][:top]
        derived = risk_model._derived(interview)  # noqa: SLF001 - the model's own derived columns
        named = []
        for index in order:
            column = model.schema.columns[index]
            if column == "lead_time_log_hours":
                value = str(round(math.expm1(derived[column])))
            else:
                value = str(derived.get(column, interview.cells.get(column, "")))
            named.append({"factor": column, "value": value, "weight": round(float(weights[index]), 4)})
        found.append(named)
    return found
