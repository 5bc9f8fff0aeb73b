"""Recommendations drawn from a report's figures: each names what to change and the evidence for it.

A recommendation is a stable `key` and its `params` (figures as numbers, names as given), never a sentence: the
reader's language is chosen when the report is shown (functions/web/report_text.py words it from the catalogs).
"""

from __future__ import annotations

from functions.analytics.benchmarks import Benchmarks

HOT_SPOT_DIMENSIONS = ("hour", "weekday", "source", "job")


def _reason_share(report: dict, initiator: str, reason: str) -> tuple[float, int]:
    for row in report["reasons"]:
        if row["initiator"] == initiator and row["reason"] == reason:
            return row["share_of_initiator"] or 0.0, row["count"]
    return 0.0, 0


def _hot_spots(report: dict, benchmarks: Benchmarks) -> list[dict]:
    """Groups (slot hour, weekday, source, job) whose rate is far above the overall rate."""
    overall, limits = report["cancellation_rate"], benchmarks.recommendations
    found = []
    if not overall:
        return found
    for dimension in HOT_SPOT_DIMENSIONS:
        for row in report["rates"][dimension]:
            if row["requested"] >= limits.min_requests and row["rate"] and row["rate"] >= limits.hot_spot_ratio * overall:
                found.append({"key": f"hot_{dimension}",
                              "params": {"dimension": dimension, "value": row["value"], "rate": row["rate"],
                                         "overall": overall, "requested": row["requested"],
                                         "scheduled": row["scheduled"]}})
    return found


def draw(report: dict, benchmarks: Benchmarks) -> list[dict]:
    limits = benchmarks.recommendations
    candidate_requests = next((r["count"] for r in report["initiators"] if r["initiator"] == "candidate"), 0)
    found: list[dict] = []
    if candidate_requests >= limits.min_requests:
        share, count = _reason_share(report, "candidate", "schedule_conflict")
        if share > limits.schedule_conflict_share:
            found.append({"key": "widen_slots", "params": {"share": share, "requests": count}})
        share, count = _reason_share(report, "candidate", "job_mismatch")
        if share > limits.job_mismatch_share:
            found.append({"key": "clarify_jobs", "params": {"share": share, "requests": count}})
    found += _hot_spots(report, benchmarks)
    unmet = {b["metric"]: b for b in report["benchmarks"] if b["met"] is False}
    approval = unmet.get("approval_p90_hours") or unmet.get("approval_p50_hours")
    if approval:
        found.append({"key": "faster_approvals", "params": {"metric": approval["metric"], "hours": approval["value"],
                                                            "target": approval["max"]}})
    if "retention_rate" in unmet:
        found.append({"key": "retention", "params": {"rate": unmet["retention_rate"]["value"]}})
    if "satisfaction_mean" in unmet:
        found.append({"key": "satisfaction", "params": {"mean": unmet["satisfaction_mean"]["value"]}})
    return found
