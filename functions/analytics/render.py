"""The report as files: HTML with inline SVG charts (functions/web/report_html.py), JSON and CSV."""

from __future__ import annotations

import csv
import io
import json

from functions.core.models import Locale
from functions.web import report_html, report_text


def to_html(report: dict, locale: Locale = Locale.EN) -> str:
    """The report as a page in the reader's language (functions/web/report_html.py, shared with the staff API)."""
    return report_html.to_html(report, locale)


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


def to_csv(report: dict, locale: Locale = Locale.EN) -> str:
    """One row per figure: section, name, value (rates as fractions, times in minutes); recommendations worded in
    `locale`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "name", "value", "count", "of"])
    for key, value in report["volume"].items():
        writer.writerow(["volume", key, value, "", ""])
    writer.writerow(["rate", "cancellation_rate", report["cancellation_rate"], report["volume"]["requested"],
                     report["volume"]["scheduled"]])
    for dimension, rows in report["rates"].items():
        for row in rows:
            writer.writerow([f"rate_by_{dimension}", row["value"], row["rate"], row["requested"], row["scheduled"]])
    for row in report["reasons"]:
        writer.writerow(["reason", f"{row['initiator']}:{row['reason']}", row["share"], row["count"],
                         report["volume"]["requested"]])
    for measure in ("approval_minutes", "heard_back_minutes"):
        for stat in ("p50", "p90", "mean"):
            writer.writerow([measure, stat, report[measure][stat], report[measure]["count"], ""])
    writer.writerow(["share", "auto_approval", report["auto_approval_share"], "", ""])
    retention = report["retention"]
    writer.writerow(["retention", "rate", retention["rate"], retention["retained"], retention["rejected"]])
    satisfaction = report["satisfaction"]
    writer.writerow(["satisfaction", "mean", satisfaction["mean"], satisfaction["ratings"], ""])
    nudge = report["nudge_experiment"]
    for arm, row in nudge["arms"].items():
        writer.writerow(["nudge_experiment", f"cancellation_rate_{arm}", row["rate"], row["cancelled"],
                         row["interviews"]])
    if nudge["effect"]:
        for stat in ("difference", "low", "high"):
            writer.writerow(["nudge_experiment", f"effect_{stat}", nudge["effect"][stat], "", nudge["interviews"]])
    model = report.get("risk_model")
    if model:
        for stat in ("roc_auc", "brier_score", "brier_score_base_rate"):
            writer.writerow(["risk_model", stat, model[stat], "", model["rows"]])
        for b in model["reliability"]:
            writer.writerow(["risk_model_reliability", f"{b['lower']:g}-{b['upper']:g}", b["observed_rate"],
                             b["count"], b["mean_predicted"]])
        writer.writerow(["risk_model", "nudge_threshold", model["nudge_threshold"].get("threshold"),
                         model["nudge_threshold"].get("precision"), model["nudge_threshold"].get("target")])
        for g in model["nudge_threshold"].get("by_source") or []:
            writer.writerow(["risk_model_score_by_source", g["group"], g["mean_score"], g["interviews"],
                             g["observed_rate"]])
    for row in report["benchmarks"]:
        writer.writerow(["benchmark", row["metric"], row["value"], "met" if row["met"] else
                         ("not met" if row["met"] is False else "no data"), row["min"] if row["min"] is not None
                         else row["max"]])
    for row in report_text.recommendations(report, locale):
        writer.writerow(["recommendation", row["key"], row["text"], row["evidence"], ""])
    return out.getvalue()
