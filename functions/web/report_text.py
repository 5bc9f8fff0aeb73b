"""The nightly report's words and figures in the reader's language: its recommendations, labels and numbers.

Why here (web): the analytics function renders the report when it stores it, and the staff API (the cancel function)
renders a stored report again for whoever reads it, in their language; both reach this module, neither the other.

A recommendation is stored as a `key` and `params` (functions/analytics/recommendations.py); its text and evidence
come from the catalogs (`report.rec.<key>` and `report.rec.<key>.evidence`), its figures through Babel. A report
stored before recommendations had params carries English `text` and `evidence`: shown as they are.
"""

from __future__ import annotations

from babel.dates import get_day_names
from babel.numbers import format_decimal, parse_pattern

from functions.core.i18n import babel_locale, catalog, translator
from functions.core.models import Locale

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DASH = "–"


def percent(value: float | None, locale: Locale, digits: int = 1) -> str:
    """A share as a percentage in the reader's notation, `digits` after the point ("12.5%", "12,5 %")."""
    if value is None:
        return DASH
    language = babel_locale(locale)
    pattern = parse_pattern(language.percent_formats[None].pattern)
    pattern.frac_prec = (digits, digits)
    return pattern.apply(value, language)


def number(value: float | None, locale: Locale, digits: int = 1) -> str:
    if value is None:
        return DASH
    return format_decimal(value, "#,##0." + "#" * digits if digits else "#,##0", locale=babel_locale(locale))


def weekday(value: str, locale: Locale) -> str:
    """A weekday as the counters store it ("Mon") in the reader's words; anything else as it is."""
    if value not in _WEEKDAYS:
        return value
    return get_day_names("abbreviated", locale=babel_locale(locale))[_WEEKDAYS.index(value)]


def label(prefix: str, value: str, locale: Locale) -> str:
    """`<prefix>.<value>` from the catalog if it has one, else the value as it is (a name from outside)."""
    return catalog(locale).get(f"{prefix}.{value}", value)


def group_value(dimension: str, value: str, locale: Locale) -> str:
    """A hot spot's group as a reader names it: "09:00", "Tue"/"周二", a source or job as it is."""
    if dimension == "hour":
        return f"{value}:00"
    if dimension == "weekday":
        return weekday(value, locale)
    return value


def _values(key: str, params: dict, locale: Locale) -> dict:
    """A recommendation's params formatted for the reader (the catalog's placeholders)."""
    if key.startswith("hot_"):
        dimension = params["dimension"]
        return {"value": group_value(dimension, str(params["value"]), locale),
                "dimension": label("report.dimension", dimension, locale),
                "rate": percent(params["rate"], locale, 0), "overall": percent(params["overall"], locale, 0),
                "requested": number(params["requested"], locale, 0),
                "scheduled": number(params["scheduled"], locale, 0)}
    formatted = {}
    for name, value in params.items():
        if name in ("share", "rate"):
            formatted[name] = percent(value, locale, 0)
        elif name == "metric":
            formatted[name] = label("report.metric", value, locale)
        elif name == "requests":
            formatted[name] = number(value, locale, 0)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            formatted[name] = number(value, locale)
        else:
            formatted[name] = DASH if value is None else str(value)
    return formatted


def recommendation(item: dict, locale: Locale) -> dict:
    """{"key", "text", "evidence"} in the reader's language; a stored one without params as it was stored."""
    key = item.get("key", "")
    params = item.get("params")
    messages = catalog(locale)
    catalog_key = "report.rec.hot_spot" if key.startswith("hot_") else f"report.rec.{key}"
    if params is None or f"report.rec.{key}" not in messages:
        return {"key": key, "text": item.get("text", key), "evidence": item.get("evidence", "")}
    t = translator(locale)
    try:
        values = _values(key, params, locale)
        return {"key": key, "text": t(f"report.rec.{key}", **values),
                "evidence": t(f"{catalog_key}.evidence", **values)}
    except (KeyError, TypeError, ValueError):  # params not as this version writes them: what the item has
        return {"key": key, "text": item.get("text", key), "evidence": item.get("evidence", "")}


def recommendations(report: dict, locale: Locale) -> list[dict]:
    return [recommendation(item, locale) for item in report.get("recommendations") or []]
