"""The report of a period, built from the per-day counters only: one query per day, whatever the history.

`collect` reads the counters; `build` turns them into the report (a plain dict: what the JSON file holds and
the HTML and CSV show). Cancellation rate = cancellation requests in the period / interviews booked in it.
"""

from __future__ import annotations

from datetime import date, timedelta

from functions.analytics import nudge_effect, recommendations
from functions.domain.measures.aggregates import DIMENSIONS, WEEKDAYS, Totals, percentile, ratio
from functions.analytics.benchmarks import Benchmarks
from functions.integration.data import counter_store

DURATIONS = ("approval_minutes", "heard_back_minutes")


def days_of(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def collect(start: date, end: date) -> Totals:
    totals = Totals()
    for day in days_of(start, end):
        totals.add(counter_store.aggregates_on(day.isoformat()))
    return totals


def _order(dimension: str, values: list[str]) -> list[str]:
    if dimension == "weekday":
        return sorted(values, key=lambda v: WEEKDAYS.index(v) if v in WEEKDAYS else 7)
    return sorted(values)


def _rates(totals: Totals, dimension: str) -> list[dict]:
    scheduled = totals.values(f"scheduled#{dimension}")
    requested = totals.values(f"requested#{dimension}")
    return [{"value": value, "scheduled": scheduled.get(value, 0), "requested": requested.get(value, 0),
             "rate": ratio(requested.get(value, 0), scheduled.get(value, 0))}
            for value in _order(dimension, list(set(scheduled) | set(requested)))]


def _reasons(totals: Totals) -> list[dict]:
    by_initiator = totals.values("requested#initiator")
    requested = totals.n("requested")
    rows = []
    for key, count in totals.values("requested#reason").items():
        initiator, _, reason = key.partition(":")
        rows.append({"initiator": initiator, "reason": reason, "count": count, "share": ratio(count, requested),
                     "share_of_initiator": ratio(count, by_initiator.get(initiator, 0))})
    return sorted(rows, key=lambda r: (-r["count"], r["initiator"], r["reason"]))


def _duration(totals: Totals, measure: str) -> dict:
    histogram = totals.histogram(measure)
    count = totals.n(measure)
    return {"count": count, "mean": ratio(totals.total(measure), count),
            "p50": percentile(histogram, 0.5), "p90": percentile(histogram, 0.9),
            "histogram": [{"le": None if bound == float("inf") else bound, "count": n} for bound, n in histogram]}


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else minutes / 60


def _risk_model(summary: dict | None) -> dict | None:
    """The model in use, as HR reads it: how well it ranks and how well its probabilities are calibrated (Brier
    score against always predicting the base rate, and the reliability curve), and the nudge threshold."""
    held_out = (summary or {}).get("held_out")
    if not held_out:
        return None
    return {"trained_at": summary.get("trained_at"), "rows": summary.get("rows"),
            "roc_auc": held_out["roc_auc_mean"], "brier_score": held_out["brier_score"],
            "brier_score_base_rate": held_out["brier_score_base_rate"],
            "reliability": [b for b in held_out.get("reliability") or [] if b["count"]],
            "nudge_threshold": summary.get("nudge_threshold") or {}}


def build(start: date, end: date, totals: Totals, benchmarks: Benchmarks, model: dict | None = None) -> dict:
    """The period's report; `model` is the risk model's stored summary (risk_score_store.model_summary)."""
    scheduled, requested = totals.n("scheduled"), totals.n("requested")
    rejected = totals.n("outcome#rejected")
    ratings = {str(s): totals.n(f"rating#score#{s}") for s in range(1, 6)}
    rated = totals.n("rating")
    report = {
        "period": {"from": start.isoformat(), "to": end.isoformat(), "days": (end - start).days + 1},
        "volume": {"scheduled": scheduled, "requested": requested, "approved": totals.n("outcome#approved"),
                   "rejected": rejected, "needs_attention": totals.n("outcome#needs_attention"),
                   "attended": totals.n("attended"), "moved": totals.n("moved"),
                   "retention_messages": totals.n("retention_sent"),
                   # Only imported history reports these (`interviews history import`): no-shows, and how many of
                   # the period's bookings were back-filled rather than counted from events.
                   "no_shows": totals.n("no_show"), "imported": totals.n("imported")},
        "behaviour": totals.values("acted"),
        "cancellation_rate": ratio(requested, scheduled),
        "rates": {dimension: _rates(totals, dimension) for dimension in DIMENSIONS},
        "initiators": [{"initiator": i, "count": n, "share": ratio(n, requested)}
                       for i, n in sorted(totals.values("requested#initiator").items())],
        "reasons": _reasons(totals),
        "auto_approval_share": ratio(totals.n("requested#auto"), requested),
        "decided_by": {who: totals.n(f"outcome#approved#by#{who}") + totals.n(f"outcome#rejected#by#{who}")
                       for who in ("auto", "approver", "default")},
        **{measure: _duration(totals, measure) for measure in DURATIONS},
        "retention": {"rejected": rejected, "retained": totals.n("retained"),
                      "rate": ratio(totals.n("retained"), rejected)},
        "satisfaction": {"ratings": rated, "mean": ratio(totals.total("rating"), rated), "distribution": ratings,
                         "positive_share": ratio(ratings["4"] + ratings["5"], rated)},
        "nudge_experiment": nudge_effect.summary(totals),
        "risk_model": _risk_model(model),
    }
    values = {
        "cancellation_rate": report["cancellation_rate"],
        "auto_approval_share": report["auto_approval_share"],
        "approval_p50_hours": _hours(report["approval_minutes"]["p50"]),
        "approval_p90_hours": _hours(report["approval_minutes"]["p90"]),
        "heard_back_p90_hours": _hours(report["heard_back_minutes"]["p90"]),
        "retention_rate": report["retention"]["rate"],
        "satisfaction_mean": report["satisfaction"]["mean"],
    }
    report["benchmarks"] = [
        {"metric": metric, "value": values[metric], "min": target.min, "max": target.max, "met": target.met(values[metric])}
        for metric, target in benchmarks.metrics.items()]
    report["recommendations"] = recommendations.draw(report, benchmarks)
    return report
