"""The model card's other figures, measured: the first model trained on the public data as imported history, and
the score distribution across groups the model does not see.

    .venv/bin/python benchmarks/risk_model_card.py [path/to/interview_attendance.csv]

1. The first model: the public data converted (scripts/convert_attendance.py), cleaned as
   `interviews history import --timezone Asia/Kolkata` cleans it (times to UTC), in the order the nightly run
   reads the stored rows (by interview id), trained and evaluated as the nightly run does (5-fold CV, seed 0,
   nudge threshold for precision 0.5 on the latest 30%). In-process, no store: the same rows and code path as
   `interviews history import --train` without the 2-minute write.
2. A proxy audit (docs/model-card.md, "Score distributions across groups"): out-of-fold scores of the converted
   data (benchmarks/risk_model_auc.py's evaluation), summarised per gender, marital status and interview type
   read from the source file, at threshold 0.5. The model never reads gender or marital status.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from functions.analytics import risk_fairness, risk_model  # noqa: E402
from functions.analytics.history_import import cleaning  # noqa: E402
from scripts import convert_attendance  # noqa: E402

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "interview_attendance.csv"
INTERVIEW_TYPE = convert_attendance.INTERVIEW_TYPE
ZONE, PRECISION_TARGET, AUDIT_THRESHOLD = "Asia/Kolkata", 0.5, 0.5


def imported_rows(path: Path) -> list[dict]:
    """The converted file as the history import stores it, in the order the nightly run reads it back."""
    with tempfile.TemporaryDirectory() as folder:
        converted = Path(folder) / "attendance.csv"
        convert_attendance.convert_file(path, converted)
        kept = cleaning.clean_file(converted, ZONE).kept
    # What the import stores for each row is `kept.row` as JSON (history_import/writing.py), read back as is.
    return [dict(k.row) for k in sorted(kept, key=lambda k: k.interview_id)]


def source_groups(path: Path) -> dict[str, list[str]]:
    """Per audited attribute, each source row's group, in the converter's row order."""
    with open(path, newline="", encoding="utf-8-sig") as source:
        records = [record for _, record in convert_attendance._source_records(source)]  # noqa: SLF001
    return {
        "gender": [f"gender: {(r.get(convert_attendance.GENDER) or '').strip().lower()}" for r in records],
        "marital status": [(r.get(convert_attendance.MARITAL_STATUS) or "").strip().lower() for r in records],
        "interview type": [f"interview type: {convert_attendance.interview_type(r.get(INTERVIEW_TYPE))}"
                           for r in records],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA, help="interview_attendance.csv")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"error: {args.data} not found", file=sys.stderr)
        return 1

    rows = imported_rows(args.data)
    model = risk_model.train_and_evaluate(rows, precision_target=PRECISION_TARGET)
    held_out, chosen = model.metrics, model.nudge_threshold
    print(f"First model on the imported history ({len(rows)} rows, {held_out['positive_rate']:.1%} did not attend):")
    print(f"  ROC AUC, 5-fold CV  {held_out['roc_auc_mean']:.3f} ± {held_out['roc_auc_std']:.3f}   (folds "
          + ", ".join(f"{a:.3f}" for a in held_out["fold_roc_auc"]) + ")")
    print(f"  Brier score         {held_out['brier_score']:.3f}   (always the base rate: "
          f"{held_out['brier_score_base_rate']:.3f})")
    print(f"  nudge threshold     {chosen['threshold']}: precision {chosen['precision']}, recall {chosen['recall']}, "
          f"{chosen['flagged_share']:.0%} flagged (latest {chosen['latest_share']:.0%}, target {PRECISION_TARGET})")

    converted = convert_attendance.read_attendance(args.data)
    labels, probabilities, _ = risk_model.out_of_fold_probabilities(converted)
    print(f"\nProxy audit: out-of-fold scores of the converted data, threshold {AUDIT_THRESHOLD}")
    print(f"  {'group':34s} {'rows':>5s} {'mean':>6s}  p10 / p50 / p90     observed  flagged")
    for attribute, groups in source_groups(args.data).items():
        for entry in risk_fairness.score_distribution(groups, labels, probabilities, AUDIT_THRESHOLD):
            print(f"  {entry['group']:34s} {entry['interviews']:5d} {entry['mean_score']:6.3f}  "
                  f"{entry['p10']:.2f} / {entry['p50']:.2f} / {entry['p90']:.2f}  {entry['observed_rate']:8.1%}"
                  f"  {entry['flagged_share']:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
