"""Recommendations drawn from a report's figures: each names what to change and the evidence for it."""

from __future__ import annotations

from functions.analytics.benchmarks import Benchmarks


def _pct(value: float) -> str:
    return f"{value:.0%}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


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
    advice = {"hour": "offer fewer slots at {v}:00 or make them easier to move",
              "weekday": "offer fewer slots on {v} or make them easier to move",
              "source": "check what candidates from '{v}' are told before they book",
              "job": "check the job description and expectations of '{v}'"}
    for dimension, text in advice.items():
        for row in report["rates"][dimension]:
            if row["requested"] >= limits.min_requests and row["rate"] and row["rate"] >= limits.hot_spot_ratio * overall:
                found.append({"key": f"hot_{dimension}", "text": _sentence(text.format(v=row["value"])),
                              "evidence": f"{dimension} {row['value']}: {_pct(row['rate'])} cancelled against "
                                          f"{_pct(overall)} overall ({row['requested']} of {row['scheduled']})"})
    return found


def draw(report: dict, benchmarks: Benchmarks) -> list[dict]:
    limits = benchmarks.recommendations
    candidate_requests = next((r["count"] for r in report["initiators"] if r["initiator"] == "candidate"), 0)
    found: list[dict] = []
    if candidate_requests >= limits.min_requests:
        share, count = _reason_share(report, "candidate", "schedule_conflict")
        if share > limits.schedule_conflict_share:
            found.append({"key": "widen_slots", "text": "Widen the slot hours and let candidates move their "
                          "interview instead of cancelling it",
                          "evidence": f"schedule conflicts are {_pct(share)} of the candidates' requests ({count})"})
        share, count = _reason_share(report, "candidate", "job_mismatch")
        if share > limits.job_mismatch_share:
            found.append({"key": "clarify_jobs", "text": "Make job descriptions clearer before candidates book",
                          "evidence": f"job mismatch is {_pct(share)} of the candidates' requests ({count})"})
    found += _hot_spots(report, benchmarks)
    unmet = {b["metric"]: b for b in report["benchmarks"] if b["met"] is False}
    if "approval_p90_hours" in unmet or "approval_p50_hours" in unmet:
        found.append({"key": "faster_approvals", "text": "Approve more reasons automatically or shorten the "
                      "approvers' SLA", "evidence": "approval time above its benchmark"})
    if "retention_rate" in unmet:
        found.append({"key": "retention", "text": "Edit and send the retention drafts of rejected requests",
                      "evidence": f"only {_pct(unmet['retention_rate']['value'])} of rejected requests ended with "
                                  "the candidate attending"})
    if "satisfaction_mean" in unmet:
        found.append({"key": "satisfaction", "text": "Read the low ratings' requests and the messages they got",
                      "evidence": f"mean rating {unmet['satisfaction_mean']['value']:.1f} of 5"})
    return found
