"""The nightly report as a page: HTML with inline SVG charts (Jinja2, autoescaped), in the reader's language.

Why here (web): the analytics function renders it when it stores the report, and the staff API renders a stored
report's JSON again in the language of whoever reads it (functions/cancel/risk_routes.py).
"""

from __future__ import annotations

from functools import partial

from functions.core.i18n import translator
from functions.core.models import Locale
from functions.web import report_text
from functions.web.rendering import render

WIDTH = 640
LABEL_WIDTH = 190
ROW = 22


def _fmt_minutes(value: float | None, locale: Locale) -> str:
    if value is None:
        return "–"
    t = translator(locale)
    if value < 120:
        return t("report.in_minutes", value=report_text.number(value, locale, 0))
    return t("report.in_hours", value=report_text.number(value / 60, locale))


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


def _rate_rows(rows: list[dict], locale: Locale, counts: bool = True,
               name=lambda value: value) -> list[tuple[str, float | None, str]]:
    return [(name(r["value"]), r["rate"], report_text.percent(r["rate"], locale)
             + (f" ({r['requested']}/{r['scheduled']})" if counts else "")) for r in rows]


def _histogram(duration: dict, locale: Locale) -> list[tuple[str, float | None, str]]:
    buckets = duration["histogram"]
    used = [i for i, b in enumerate(buckets) if b["count"]]
    if not used:
        return []
    shown = buckets[used[0]:used[-1] + 1]
    more = translator(locale)("report.more")
    return [(f"≤{_short_minutes(b['le'])}" if b["le"] is not None else more, b["count"], str(b["count"]))
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


def charts(report: dict, locale: Locale = Locale.EN) -> dict:
    rates = report["rates"]
    share = partial(report_text.percent, locale=locale)
    reasons = [(f"{report_text.label('policy', r['initiator'], locale)}: "
                f"{report_text.label('reason', r['reason'], locale)}", r["count"],
                f"{r['count']} ({share(r['share'])})") for r in report["reasons"]]
    return {
        "hour": columns(_rate_rows(rates["hour"], locale, counts=False)),
        "weekday": columns(_rate_rows(rates["weekday"], locale, counts=False,
                                      name=lambda v: report_text.weekday(v, locale))),
        "job": bars(_rate_rows(rates["job"], locale)),
        "department": bars(_rate_rows(rates["department"], locale)),
        "source": bars(_rate_rows(rates["source"], locale)),
        "reasons": bars(reasons),
        "approval_minutes": columns(_histogram(report["approval_minutes"], locale), height=120),
        "heard_back_minutes": columns(_histogram(report["heard_back_minutes"], locale), height=120),
        "satisfaction": bars([(f"{s} ★", n, str(n)) for s, n in report["satisfaction"]["distribution"].items()]),
        "reliability": reliability(report["risk_model"]["reliability"]) if report.get("risk_model") else None,
    }


def to_html(report: dict, locale: Locale = Locale.EN) -> str:
    return render("report/report.html.j2", locale, report=report, charts=charts(report, locale),
                  share=partial(report_text.percent, locale=locale), minutes=partial(_fmt_minutes, locale=locale),
                  recommendations=report_text.recommendations(report, locale),
                  label=partial(report_text.label, locale=locale))
