"""The nightly summary: the period's requests by status, reason and initiator, read through the by-day index."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from functions.shared import store


def daily_summary(day: date) -> dict:
    requests = store.requests_created_on(day.isoformat())
    return {
        "day": day.isoformat(),
        "requests": len(requests),
        "by_status": dict(Counter(r.status for r in requests)),
        "by_reason": dict(Counter(r.reason_code for r in requests)),
        "by_initiator": dict(Counter(r.initiator for r in requests)),
        "auto_approved": sum(1 for r in requests if r.auto_approve),
    }


def yesterday(today: date) -> date:
    return today - timedelta(days=1)
