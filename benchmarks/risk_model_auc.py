"""How well the cancellation-risk model ranks, on the public "Interview Attendance Problem" data.

    .venv/bin/python benchmarks/risk_model_auc.py [path/to/interview_attendance.csv]

Prints 5-fold stratified cross-validated ROC AUC (shuffled, seed 0), all measured in this run, same folds:
- the baseline: every raw column (but the outcome) one-hot encoded as is, into a plain logistic regression;
- our model on the converted data (scripts/convert_attendance.py), with and without `Expected Attendance`
  (the recruiter's guess before the interview: allowed, but shown both ways so readers can judge).
Nothing derived from `Observed Attendance` is a feature. The data file is read in place, never copied.

Where the ceiling seems to be: in our runs nothing honest moved the AUC by more than about 0.01. Tried:
logistic regression at several strengths, gradient boosting, random forest and extra trees alone, pairwise
interactions (client x answers), per-day context (interviews that day, the day's share of unanswered
questions), grouping rare categories at 1-20 rows. The interview date itself (as a category or a day number)
did not help either, and would only pick up same-day batch effects that shuffled CV leaks and production
cannot know. 882 of the 1,233 candidates answered "yes" to every question and were expected to attend; 26% of
them did not, and no single column separates them (each ranks them at about 0.56 AUC or less, leave-one-out).

Second round (issue 7's 0.74 target), same folds, seed 0; fold std is about 0.04, so a change under ~0.01 is
noise. Adopted: counts of each row's yes / no / empty flag and text cells (generic, in risk_model.py):
0.716 -> 0.719 (0.709 -> 0.719 without Expected Attendance); over CV seeds 0-4 the mean went 0.712 -> 0.713,
up in 4 of 5. Tried and not adopted (encoders fitted inside each training fold):
- target encoding (sklearn TargetEncoder, cross-fitted) of client, native location and skillset, rest
  one-hot, logistic regression: 0.702; of every text column: 0.711; a forest on it 0.714; blended with
  the one-hot logistic regression: 0.719 (the adopted model scores the same);
- HistGradientBoosting with native categories, depth 3, 20-40 rows a leaf, L2 1-10: 0.700-0.707; averaged
  with the logistic regression 0.716, with logistic regression + forest 0.718;
- Expected Attendance as an ordinal (yes 1, unsure 0.5, no 0): 0.718, 0.721 with the counts, but no better
  than the counts alone over four CV seeds (0.713 both); every yes/unsure/no answer as an ordinal: the same;
- L1 logistic regression (strength by inner CV): 0.714-0.717; naive Bayes: 0.68;
- more cleaning: skillset into ~20 families (java, aml/kyc, regulatory, ...) 0.716 vs 0.715 over three
  seeds; the raw answer spellings beside yes/no/unsure 0.718; current/job location and venue as categories
  0.716. The converter already evens out case, spaces and the known typos.
Dropping the skillset column scored 0.720 over three seeds, but that choice was read off the outer folds
(not honest to adopt) and is within noise. No honest variant came near 0.74: the target is not met.

Issue 17: the converter no longer writes Gender and Marital Status (protected attributes the model must not
use; docs/model-card.md). Without them: 0.719 -> 0.723 with Expected Attendance, 0.720 without; the target is
now 0.72 (0.74 withdrawn).

Issue #18: the analytics asset had to shrink under 200 MB, and scikit-learn + SciPy were 138 MB of it. The model
is now NumPy alone (functions/analytics/linear_model/: the same encoding and L2 logistic regression, no forest).
This benchmark also fits the former scikit-learn pipeline (benchmarks/risk_model_sklearn.py; scikit-learn is a
dev dependency) and its logistic regression alone beside the NumPy model, on the same folds with the same
features, and says whether the NumPy model stays within MAX_AUC_LOSS of the former pipeline. Seed 0: 0.713 vs
0.719 with Expected Attendance, 0.716 vs 0.718 without; the logistic regressions agree (0.713 / 0.715).
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # scripts/ is not an installed package

import risk_model_sklearn  # noqa: E402 - beside this file

from cli.model import format_metrics  # noqa: E402
from functions.analytics import linear_model, risk_model  # noqa: E402
from scripts.convert_attendance import OBSERVED, read_attendance  # noqa: E402

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "interview_attendance.csv"
FOLDS, SEED = 5, 0
MAX_AUC_LOSS = 0.01  # issue #18: the NumPy model may not rank worse than the scikit-learn pipeline by more
TARGET_AUC = 0.72  # issue 17: 0.74 withdrawn (published work on this data reports about 0.72 at best)


def baseline_auc(path: Path) -> tuple[float, float]:
    """One-hot of every raw, named column except the outcome, plain logistic regression."""
    with open(path, newline="", encoding="utf-8-sig") as source:
        reader = csv.reader(source)
        header = [name.strip() for name in next(reader)]
        named = [i for i, name in enumerate(header) if name]  # the five trailing columns have no name
        rows = [[cells[i] for i in named] for cells in reader if any(c.strip("\ufeff ") for c in cells)]
    names = [header[i] for i in named]
    outcome = names.index(OBSERVED)
    labels = np.array([row[outcome].strip().lower() == "no" for row in rows], dtype=int)
    features = np.array([row[:outcome] + row[outcome + 1:] for row in rows], dtype=object)
    pipeline = make_pipeline(OneHotEncoder(handle_unknown="ignore"), LogisticRegression(max_iter=1000))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    scores = cross_val_score(pipeline, features, labels, cv=folds, scoring="roc_auc")
    return float(scores.mean()), float(scores.std())


def compare_with_sklearn(rows: list[dict], folds: int = FOLDS,
                         seed: int = SEED) -> dict[str, tuple[float, float, float]]:
    """{model: (mean fold AUC, fold std, pooled Brier)} for the NumPy model and the former scikit-learn pipeline
    (and its logistic-regression half alone), each fitted on the same training folds, scored on the same test
    folds, with the same schema and feature matrix. The folds are dealt by interview id (as grouped snapshots are),
    so they differ from `risk_model.evaluate`'s on ungrouped rows: compare within this table, not across."""
    interviews = risk_model.parse_rows(rows)
    labels = np.array([risk_model.OUTCOMES[i.outcome] for i in interviews], dtype=int)
    groups = [i.interview_id.partition("@")[0] for i in interviews]
    fitters = {
        "NumPy logistic regression (now)":
            lambda m, n, y: linear_model.LinearModel.fit(m, n, y, seed).predict_proba,
        "scikit-learn LR + forest (before)": lambda m, n, y: _sklearn(m, n, y, forest=True),
        "scikit-learn LR alone": lambda m, n, y: _sklearn(m, n, y, forest=False),
    }
    pooled = {name: np.zeros(len(labels)) for name in fitters}
    fold_auc: dict[str, list[float]] = {name: [] for name in fitters}
    for train_index, test_index in linear_model.stratified_folds(labels, folds, seed, groups):
        train = [interviews[i] for i in train_index]
        schema = risk_model.infer_schema(train)
        matrix = risk_model.feature_matrix(train, schema)
        test = risk_model.feature_matrix([interviews[i] for i in test_index], schema)
        for name, fit in fitters.items():
            pooled[name][test_index] = fit(matrix, len(schema.numeric), labels[train_index])(test)
            fold_auc[name].append(linear_model.roc_auc(labels[test_index], pooled[name][test_index]))
    return {name: (float(np.mean(fold_auc[name])), float(np.std(fold_auc[name])),
                   linear_model.brier_score(labels, pooled[name])) for name in fitters}


def _sklearn(matrix, n_numeric: int, labels, forest: bool):
    pipeline = risk_model_sklearn.build_pipeline(n_numeric, matrix.shape[1], SEED, forest)
    pipeline.fit(matrix, labels)
    return lambda test: pipeline.predict_proba(test)[:, 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA, help="interview_attendance.csv")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"error: {args.data} not found", file=sys.stderr)
        return 1

    started = time.perf_counter()
    rows = read_attendance(args.data)
    without_expected = [{k: v for k, v in row.items() if k != "feature_expected_attendance"} for row in rows]
    base_mean, base_std = baseline_auc(args.data)
    ours = risk_model.evaluate(rows, folds=FOLDS, seed=SEED)
    ours_without = risk_model.evaluate(without_expected, folds=FOLDS, seed=SEED)
    compared = {label: compare_with_sklearn(data) for label, data in
                (("with Expected Attendance", rows), ("without Expected Attendance", without_expected))}
    elapsed = time.perf_counter() - started

    print(f"Cancellation-risk model on {args.data.name}: {len(rows)} interviews, "
          f"{ours.positive_rate:.1%} did not attend")
    print(f"ROC AUC, {FOLDS}-fold stratified cross-validation (shuffled, seed {SEED}), "
          "mean ± std over folds:")
    print(f"  baseline: one-hot of every raw column + plain logistic regression   "
          f"{base_mean:.3f} ± {base_std:.3f}")
    print(f"  our model, with Expected Attendance                                 "
          f"{ours.roc_auc_mean:.3f} ± {ours.roc_auc_std:.3f}")
    print(f"  our model, without Expected Attendance                              "
          f"{ours_without.roc_auc_mean:.3f} ± {ours_without.roc_auc_std:.3f}")
    verdict = "met" if ours.roc_auc_mean >= TARGET_AUC else "NOT met"
    print(f"  target for our model: >= {TARGET_AUC:.2f} -> {verdict}")
    print()
    print(f"NumPy model against the former scikit-learn pipeline: the same {FOLDS} folds, dealt by interview id "
          f"(linear_model.stratified_folds, seed {SEED}), the same features")
    worst = 0.0
    for label, results in compared.items():
        print(f"  {label}:")
        for name, (auc, std, brier) in results.items():
            print(f"    {name:36s} ROC AUC {auc:.3f} ± {std:.3f}   Brier {brier:.4f}")
        now, before = results["NumPy logistic regression (now)"], results["scikit-learn LR + forest (before)"]
        worst = max(worst, before[0] - now[0])
    verdict = "within" if worst <= MAX_AUC_LOSS else "NOT within"
    print(f"  NumPy model's AUC loss against the former pipeline, worst case: {worst:+.3f} -> {verdict} {MAX_AUC_LOSS}")
    print()
    print("Our model (with Expected Attendance), calibration of the out-of-fold predictions:")
    print(format_metrics(ours.to_dict()))
    print(f"\n(measured in {elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
