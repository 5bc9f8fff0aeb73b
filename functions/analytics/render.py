"""The report as files: HTML with inline SVG charts (Jinja2, autoescaped), JSON and CSV."""

from __future__ import annotations

import csv
import io
import json

from functions.core.models import Locale
from functions.web.rendering import render

WIDTH = 640
LABEL_WIDTH = 190
ROW = 22


def _fmt_share(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _fmt_minutes(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f} min" if value < 120 else f"{value / 60:.1f} h"


def _short_minutes(value: float) -> str:
    return f"{value:g}m" if value < 60 else f"{value / 60:g}h" if value < 2880 else f"{value / 1440:g}d"


def bars(rows: list[tuple[str, float | None, str]]) -> dict:
    """A horizontal bar chart's geometry: rows of (label, value, text shown after the bar)."""
    top = max((v or 0 for _, v, _ in rows), default=0) or 1
    span = WIDTH - LABEL_WIDTH - 130
    return {"width": WIDTH, "height": ROW * len(rows) + 6, "label_width": LABEL_WIDTH,
            "bars": [{"y": i * ROW + 3, "label": label, "text": text,
                      "w": round(span * (value or 0) / top, 1)} for i, (label, value, text) in enumerate(rows)]}


def columns(rows: list[tuple[str, float | None, str]], height: int = 160) -> dict:
    """A vertical column chart's geometry (slot hours, weekdays, histogram buckets)."""
    top = max((v or 0 for _, v, _ in rows), default=0) or 1
    step = (WIDTH - 20) / max(1, len(rows))
    return {"width": WIDTH, "height": height + 54, "base": height + 24, "step": round(step, 1),
            "columns": [{"x": round(10 + i * step + step * 0.15, 1), "w": round(step * 0.7, 1),
                         "h": round(height * (value or 0) / top, 1), "label": label, "text": text,
                         "cx": round(10 + i * step + step / 2, 1)}
                        for i, (label, value, text) in enumerate(rows)]}


def _rate_rows(rows: list[dict], counts: bool = True) -> list[tuple[str, float | None, str]]:
    return [(r["value"], r["rate"], f"{_fmt_share(r['rate'])}" + (f" ({r['requested']}/{r['scheduled']})"
                                                                   if counts else "")) for r in rows]


def _histogram(duration: dict) -> list[tuple[str, float | None, str]]:
    buckets = duration["histogram"]
    used = [i for i, b in enumerate(buckets) if b["count"]]
    if not used:
        return []
    shown = buckets[used[0]:used[-1] + 1]
    return [(f"≤{_short_minutes(b['le'])}" if b["le"] is not None else "more", b["count"], str(b["count"]))
            for b in shown]


def reliability(bins: list[dict], size: int = 220) -> dict:
    """The reliability curve's geometry: observed rate against mean predicted probability per bin, beside the
    diagonal a calibrated model would follow (SVG y grows downwards)."""
    pad = 30
    scale = size - 2 * pad
    return {"size": size, "pad": pad, "end": size - pad,
            "points": [{"x": round(pad + scale * b["mean_predicted"], 1),
                        "y": round(size - pad - scale * b["observed_rate"], 1), "count": b["count"]}
                       for b in bins]}


def charts(report: dict) -> dict:
    rates = report["rates"]
    return {
        "hour": columns(_rate_rows(rates["hour"], counts=False)),
        "weekday": columns(_rate_rows(rates["weekday"], counts=False)),
        "job": bars(_rate_rows(rates["job"])),
        "department": bars(_rate_rows(rates["department"])),
        "source": bars(_rate_rows(rates["source"])),
        "reasons": bars([(f"{r['initiator']}: {r['reason']}", r["count"], f"{r['count']} ({_fmt_share(r['share'])})")
                         for r in report["reasons"]]),
        "approval_minutes": columns(_histogram(report["approval_minutes"]), height=120),
        "heard_back_minutes": columns(_histogram(report["heard_back_minutes"]), height=120),
        "satisfaction": bars([(f"{s} ★", n, str(n)) for s, n in report["satisfaction"]["distribution"].items()]),
        "reliability": reliability(report["risk_model"]["reliability"]) if report.get("risk_model") else None,
    }


def to_html(report: dict, locale: Locale = Locale.EN) -> str:
    return render("report/report.html.j2", locale, report=report, charts=charts(report),
                  share=_fmt_share, minutes=_fmt_minutes)


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


def to_csv(report: dict) -> str:
    """One row per figure: section, name, value (rates as fractions, times in minutes)."""
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
    for row in report["recommendations"]:
        writer.writerow(["recommendation", row["key"], row["text"], row["evidence"], ""])
    return out.getvalue()
