"""What each event adds to the per-day counters, and how the counters read back (rates, shares, percentiles).

Pure: no AWS here. functions/analytics/ingest.py looks up what an event does not carry and applies the
increments through counter_store.count_once; functions/analytics/report.py sums the counters of a period.

Counter names ("metric"): "<measure>" and "<measure>#<dimension>#<value>", for example "requested",
"requested#job#Backend Engineer", "requested#reason#candidate:illness", "approval_minutes#le#60".
Durations are kept as histograms (one counter per bucket of fixed upper bounds, in minutes) plus their sum, so
p50 and p90 come from counters that can only be added to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from functions.core.clock import from_iso
from functions.integration.data.counter_store import Increment

# Upper bounds (minutes) of the duration histograms; the last bucket is everything longer.
BUCKETS: tuple[float, ...] = (1, 2, 5, 10, 15, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 1080, 1440,
                              2160, 2880, 4320, 7200, 10080, math.inf)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DIMENSIONS = ("job", "department", "source", "hour", "weekday")


@dataclass(frozen=True)
class Dimensions:
    """What a cancellation rate is broken down by: the interview's job, department, the candidate's source,
    and the slot's hour and weekday in the candidate's own timezone."""

    job: str
    department: str
    source: str
    hour: str  # "00".."23"
    weekday: str  # "Mon".."Sun"

    @classmethod
    def of(cls, job: str, department: str, source: str, starts_at: str, zone: str | None) -> Dimensions:
        local = _local(from_iso(starts_at), zone)
        return cls(job, department, source, f"{local.hour:02d}", WEEKDAYS[local.weekday()])


def _local(moment: datetime, zone: str | None) -> datetime:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return moment.astimezone(ZoneInfo(zone or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return moment.astimezone(ZoneInfo("UTC"))


def _clean(value: str) -> str:
    return str(value).replace("#", " ").strip() or "-"


def _by_dimensions(measure: str, dims: Dimensions) -> list[tuple[str, int, float | None]]:
    return [(measure, 1, None)] + [(f"{measure}#{name}#{_clean(getattr(dims, name))}", 1, None)
                                   for name in DIMENSIONS]


def bucket_of(minutes: float) -> str:
    bound = next(b for b in BUCKETS if minutes <= b)
    return "inf" if math.isinf(bound) else f"{bound:g}"


def _duration(measure: str, start: str | None, end: str | None) -> list[tuple[str, int, float | None]]:
    if not start or not end:
        return []
    minutes = max(0.0, (from_iso(end) - from_iso(start)).total_seconds() / 60)
    return [(measure, 1, round(minutes, 3)), (f"{measure}#le#{bucket_of(minutes)}", 1, None)]


# ---- what each event adds ------------------------------------------------------------------------------------------

def scheduled(dims: Dimensions) -> list[tuple[str, int, float | None]]:
    return _by_dimensions("scheduled", dims)


def requested(dims: Dimensions, initiator: str, reason_code: str, auto_approve: bool) -> list:
    return _by_dimensions("requested", dims) + [
        (f"requested#initiator#{_clean(initiator)}", 1, None),
        (f"requested#reason#{_clean(initiator)}:{_clean(reason_code)}", 1, None),
    ] + ([("requested#auto", 1, None)] if auto_approve else [])


def decided(outcome: str, actor: str, created_at: str | None, decided_at: str | None, heard_at: str | None) -> list:
    """An outcome: approved or rejected. Approval time counts decisions a person made; the time until the
    candidate heard back counts every outcome (the outcome mail goes out as the event is delivered)."""
    decider = "auto" if actor == "policy:auto-approve" else "default" if actor.startswith("policy:") else "approver"
    found = [(f"outcome#{_clean(outcome)}", 1, None), (f"outcome#{_clean(outcome)}#by#{decider}", 1, None)]
    if decider == "approver":
        found += _duration("approval_minutes", created_at, decided_at)
    return found + _duration("heard_back_minutes", created_at, heard_at)


def needs_attention() -> list:
    return [("outcome#needs_attention", 1, None)]


def attended(after_rejection: bool) -> list:
    """The candidate took part; after a rejected cancellation request that is a retained candidate."""
    return [("attended", 1, None)] + ([("retained", 1, None)] if after_rejection else [])


def no_show() -> list:
    """The candidate did not come (the AI-interview platform or staff say so)."""
    return [("no_show", 1, None)]


def moved() -> list:
    """A candidate moved their interview instead of cancelling it."""
    return [("moved", 1, None)]


def retention_sent() -> list:
    return [("retention_sent", 1, None)]


def acted(behaviour: str) -> list:
    """A candidate followed a tracked link for the first time (viewed_jd, downloaded_intro, clicked_link)."""
    return [(f"acted#{_clean(behaviour)}", 1, None)]


def rated(score: int) -> list:
    return [("rating", 1, float(score)), (f"rating#score#{int(score)}", 1, None)]


NOT_RECORDED = "-"  # what an imported row says of a dimension the import format does not carry (job, department)


def imported(dims: Dimensions, outcome: str) -> tuple[list, list]:
    """What one row of imported history adds (`interviews history import`): at its booking, the interview as
    scheduled (and "imported", so a report can say how much of it was back-filled); at its start, its outcome.
    A "cancelled" row is a candidate's cancellation that was approved (the import format's meaning); its reason
    and its decision's times are not in the format. A "no_show" is counted as such, as InterviewMissed is."""
    booked = scheduled(dims) + [("imported", 1, None)]
    if outcome == "cancelled":
        done = requested(dims, "candidate", "not_recorded", False) + [("outcome#approved", 1, None)]
    elif outcome == "attended":
        done = attended(False)
    else:
        done = no_show()
    return booked, done


def merged(day: str, found: list[tuple[str, int, float | None]]) -> list[Increment]:
    """The increments of one event for `day`, one per counter (a transaction may touch an item only once)."""
    sums: dict[str, list] = {}
    for metric, n, total in found:
        current = sums.setdefault(metric, [0, None])
        current[0] += n
        if total is not None:
            current[1] = (current[1] or 0) + total
    return [Increment(day, metric, n, total) for metric, (n, total) in sums.items()]


# ---- reading counters back -------------------------------------------------------------------------------------------

class Totals:
    """Counters summed over the days of a period: metric -> (n, total)."""

    def __init__(self, counters: dict[str, tuple[int, float]] | None = None):
        self.counters: dict[str, list[float]] = {}
        if counters:
            self.add(counters)

    def add(self, counters: dict[str, tuple[int, float]]) -> None:
        for metric, (n, total) in counters.items():
            current = self.counters.setdefault(metric, [0, 0.0])
            current[0] += n
            current[1] += total

    def n(self, metric: str) -> int:
        return int(self.counters.get(metric, (0, 0.0))[0])

    def total(self, metric: str) -> float:
        return float(self.counters.get(metric, (0, 0.0))[1])

    def values(self, prefix: str) -> dict[str, int]:
        """The counters "<prefix>#<value>" (one level only) as value -> n."""
        head = prefix + "#"
        return {metric[len(head):]: int(n) for metric, (n, _) in self.counters.items()
                if metric.startswith(head) and "#" not in metric[len(head):]}

    def histogram(self, measure: str) -> list[tuple[float, int]]:
        """(upper bound in minutes, count) for every bucket, in order; empty buckets included."""
        counts = self.values(f"{measure}#le")
        return [(bound, counts.get("inf" if math.isinf(bound) else f"{bound:g}", 0)) for bound in BUCKETS]


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def percentile(histogram: list[tuple[float, int]], q: float) -> float | None:
    """The q-quantile (0 < q <= 1) of a bucketed histogram, interpolated linearly inside its bucket.

    In the open last bucket the answer is its lower bound (a floor: "at least"). None without observations.
    """
    count = sum(n for _, n in histogram)
    if not count:
        return None
    rank = q * count
    lower, seen = 0.0, 0
    for bound, n in histogram:
        if n and seen + n >= rank:
            if math.isinf(bound):
                return lower
            return lower + (bound - lower) * max(0.0, rank - seen) / n
        seen += n
        lower = bound
    return lower
