"""`interviews model ...`: train the cancellation-risk model on a historical import CSV, and score with it.

    interviews model train --csv history.csv --out risk.json      # also writes risk.json.metrics.json
    interviews model score --model risk.json --csv upcoming.csv --out scores.csv

Wired into `cli/main.py` through `register(subparsers)`; each sub-command's `func` returns the exit code.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `model` command (with `train` and `score`) to an argparse sub-parser collection."""
    model = subparsers.add_parser("model", help="train and use the cancellation-risk model")
    actions = model.add_subparsers(dest="model_command", required=True)

    train = actions.add_parser("train", help="train on a historical import CSV and print held-out metrics")
    train.add_argument("--csv", required=True, type=Path, help="historical import CSV (with outcomes)")
    train.add_argument("--out", required=True, type=Path, help="model file to write (and OUT.metrics.json)")
    train.add_argument("--folds", type=int, default=5, help="cross-validation folds for the held-out metrics")
    train.add_argument("--seed", type=int, default=0, help="seed for the fold split and the model")
    train.set_defaults(func=train_command)

    score = actions.add_parser("score", help="write interview_id,probability for every row of a CSV")
    score.add_argument("--model", required=True, type=Path, help="a model written by `model train`")
    score.add_argument("--csv", required=True, type=Path, help="import-format CSV (outcome column optional)")
    score.add_argument("--out", required=True, type=Path, help="scores CSV to write")
    score.set_defaults(func=score_command)


def format_metrics(metrics: dict[str, Any]) -> str:
    """Held-out metrics (an `Evaluation.to_dict()`) as the few lines a person reads."""
    folds = ", ".join(f"{auc:.3f}" for auc in metrics["fold_roc_auc"])
    lines = [
        f"held-out metrics ({metrics['folds']}-fold stratified cross-validation, seed {metrics['seed']}, "
        f"{metrics['n_rows']} rows, {metrics['positive_rate']:.1%} did not attend):",
        f"  ROC AUC      {metrics['roc_auc_mean']:.3f} ± {metrics['roc_auc_std']:.3f}   (folds: {folds})",
        f"  Brier score  {metrics['brier_score']:.3f}   (always predicting the base rate: "
        f"{metrics['brier_score_base_rate']:.3f})",
        "  reliability  predicted   rows   mean predicted   observed",
    ]
    for row in metrics["reliability"]:
        predicted = "-" if row["mean_predicted"] is None else f"{row['mean_predicted']:.3f}"
        observed = "-" if row["observed_rate"] is None else f"{row['observed_rate']:.3f}"
        lines.append(f"               {row['lower']:.1f}-{row['upper']:.1f}   {row['count']:5d}   "
                     f"{predicted:>14}   {observed:>8}")
    return "\n".join(lines)


def train_command(args: argparse.Namespace) -> int:
    from functions.analytics import risk_model  # imported here: NumPy is slow to load

    try:
        rows = risk_model.load_history(args.csv)
        model = risk_model.train_and_evaluate(rows, folds=args.folds, seed=args.seed)
    except (OSError, risk_model.HistoryFormatError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    args.out.parent.mkdir(parents=True, exist_ok=True)
    metrics_file = risk_model.save(model, args.out)
    print(f"trained on {model.n_rows} rows from {args.csv}")
    print(format_metrics(model.metrics or {}))
    print(f"wrote {args.out} and {metrics_file}")
    return EXIT_OK


def score_command(args: argparse.Namespace) -> int:
    from functions.analytics import risk_model

    try:
        model = risk_model.load(args.model)
        rows = risk_model.load_history(args.csv, require_outcome=False)
        scores = risk_model.score(model, rows)
    except (OSError, risk_model.HistoryFormatError, risk_model.ModelFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["interview_id", "probability"])
        writer.writerows((interview_id, f"{probability:.6f}") for interview_id, probability in scores)
    print(f"wrote {len(scores)} scores to {args.out}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the `model` command on its own (`python -m cli.model train ...`), before or without cli/main.py."""
    parser = argparse.ArgumentParser(prog="interviews")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["model", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
