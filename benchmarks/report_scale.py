"""Does the nightly report's cost follow the period, not the history?

    .venv/bin/python benchmarks/report_scale.py [--period-cancellations 10000] [--history-cancellations 100000]

In-process moto (mock_aws), pinned to one CPU core. What is measured:
1. The event path for a sample of events (counter_store.count_once through ingest, one transaction each): ms/event.
2. The report of a 7-day period holding 10,000 cancellations (plus their bookings and outcomes): collect (one
   query per day) + build + HTML/JSON/CSV, median of 5 runs.
3. The same report after 100,000 more cancellations are added to the history (the 100 days before the period).
The seeded counters are what the event path would have written (the same aggregates functions, summed per day
and counter), but written with batch puts rather than one transaction per event: seeding 660,000 events through
moto one by one would take hours and measure moto, not the report.

moto's Query is not DynamoDB's: it sorts every item of the table on each call (Table.all_items()), so with moto
as it is any query slows down as the table grows, whatever it reads. DynamoDB reads only the queried partition.
Both are printed: moto as it is, and moto with its table Query reading only the partition (same results).
The figure that does not depend on the emulator is printed too: the items the report reads.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
import tests.conftest  # noqa: E402,F401 - the in-process environment (table names, fake credentials)

from moto import mock_aws  # noqa: E402

PERIOD_START, PERIOD_DAYS = date(2030, 3, 1), 7
JOBS = ["Backend Engineer", "Frontend Engineer", "Data Analyst", "Product Manager", "Sales Associate",
        "Designer", "QA Engineer", "Support Specialist"]
DEPARTMENTS = {"Backend Engineer": "Engineering", "Frontend Engineer": "Engineering", "QA Engineer": "Engineering",
               "Data Analyst": "Data", "Product Manager": "Product", "Designer": "Product",
               "Sales Associate": "Sales", "Support Specialist": "Support"}
SOURCES = ["referral", "job_board", "campus", "agency", "direct"]
CANDIDATE_REASONS = ["schedule_conflict"] * 4 + ["illness"] * 2 + ["emergency", "job_mismatch", "other"]
COMPANY_REASONS = ["position_paused", "scheduling_error", "duplicate_booking", "screening_failed",
                   "interviewer_unavailable"]
BOOKINGS_PER_CANCELLATION = 5


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _dimensions(rng: random.Random, day: date, cancelled: bool):
    """A booking's job, source and slot; cancelled ones lean to early and late slots, agencies and Mondays."""
    from functions.domain.measures.aggregates import Dimensions

    job = rng.choice(JOBS)
    hours = [8, 8, 9, 18, 19, 19] + list(range(8, 20)) if cancelled else list(range(8, 20))
    source = rng.choice(SOURCES + ["agency", "job_board"] if cancelled else SOURCES)
    offset = rng.choice([0, 0] + list(range(7))) if cancelled else rng.randrange(7)
    start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(days=offset - day.weekday() + 7,
                                                                                    hours=rng.choice(hours))
    return Dimensions.of(job, DEPARTMENTS[job], source, _iso(start), "UTC")


def synthetic_events(rng: random.Random, day: date):
    """The counters of one cancellation's lifecycle, and of its share of bookings, as the event path counts them."""
    from functions.domain.measures import aggregates

    found = [aggregates.scheduled(_dimensions(rng, day, cancelled=False)) for _ in range(BOOKINGS_PER_CANCELLATION - 1)]
    dims = _dimensions(rng, day, cancelled=True)
    found.append(aggregates.scheduled(dims))
    candidate = rng.random() < 0.65
    reason = rng.choice(CANDIDATE_REASONS if candidate else COMPANY_REASONS)
    auto = candidate and reason == "schedule_conflict"
    found.append(aggregates.requested(dims, "candidate" if candidate else "company", reason, auto))
    created = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(minutes=rng.randint(0, 1200))
    decided = created + timedelta(minutes=0.2 if auto else rng.lognormvariate(5, 1))
    actor = "policy:auto-approve" if auto else "approver:rec-1"
    outcome = "approved" if auto or rng.random() < 0.8 else "rejected"
    found.append(aggregates.decided(outcome, actor, _iso(created), _iso(decided), _iso(decided + timedelta(seconds=30))))
    if outcome == "rejected" and rng.random() < 0.7:
        found.append(aggregates.retention_sent())
    if outcome == "rejected" and rng.random() < 0.5:
        found.append(aggregates.attended(True))
    if rng.random() < 0.35:
        found.append(aggregates.moved())
    if rng.random() < 0.3:
        found.append(aggregates.rated(rng.choice([2, 3, 4, 4, 5, 5])))
    return found


def seed(rng: random.Random, days: list[date], cancellations: int) -> int:
    """Sum the counters of `cancellations` lifecycles spread over `days` and write them; returns items written."""
    from functions.domain.measures import aggregates
    from functions.integration.data import counter_store

    sums: dict[tuple[str, str], list] = defaultdict(lambda: [0, None])
    for i in range(cancellations):
        day = days[i % len(days)]
        for found in synthetic_events(rng, day):
            for increment in aggregates.merged(day.isoformat(), found):
                current = sums[(increment.day, increment.metric)]
                current[0] += increment.n
                if increment.total is not None:
                    current[1] = (current[1] or 0) + increment.total
    counter_store.put_aggregates([counter_store.Increment(d, m, n, t) for (d, m), (n, t) in sums.items()])
    return len(sums)


def time_report(runs: int = 5) -> tuple[float, dict]:
    from functions.analytics import nightly

    end = PERIOD_START + timedelta(days=PERIOD_DAYS - 1)
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        built, files = nightly.produce(PERIOD_START, end)
        timings.append(time.perf_counter() - began)
    return statistics.median(timings), built


def time_event_path(sample: int) -> float:
    from functions.analytics import ingest
    from functions.integration.data import counter_store

    detail = {"job": {"title": "Backend Engineer", "department": "Engineering"},
              "candidate": {"source": "referral", "timezone": "Asia/Shanghai"}, "starts_at": "2030-02-03T02:00:00Z"}
    began = time.perf_counter()
    for i in range(sample):
        ingest.count({"id": f"bench-{i}", "time": "2030-02-01T08:00:00Z", "detail-type": "InterviewScheduled",
                      "detail": {**detail, "interview_id": f"bench-{i}"}})
    elapsed = (time.perf_counter() - began) / sample
    assert counter_store.aggregates_on("2030-02-01")["scheduled"][0] == sample
    return elapsed


@contextmanager
def query_reads_only_the_partition():
    """moto's table Query looking up the queried partition instead of sorting the whole table (same results)."""
    from moto.dynamodb.models.table import Table

    original_query, original_all_items = Table.query, Table.all_items

    def all_items(self):
        partition = getattr(self, "_bench_partition", None)
        if partition is None:
            return original_all_items(self)
        found = self.items[partition] if partition in self.items else {}
        return list(found.values()) if self.range_key_attr else [found]

    def query(self, hash_key, *args, **kwargs):
        self._bench_partition = None if kwargs.get("index_name") else hash_key
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            self._bench_partition = None

    Table.query, Table.all_items = query, all_items
    try:
        yield
    finally:
        Table.query, Table.all_items = original_query, original_all_items


def items_read() -> int:
    from functions.integration.data import counter_store

    return sum(len(counter_store.aggregates_on((PERIOD_START + timedelta(days=i)).isoformat())) for i in range(PERIOD_DAYS))


def both(expected: int) -> tuple[float, float, int]:
    """(seconds with moto as it is, seconds with partition-only Query, items read), checking the report."""
    as_is, built = time_report()
    assert built["volume"]["requested"] == expected, built["volume"]
    with query_reads_only_the_partition():
        partition_only, built = time_report()
        assert built["volume"]["requested"] == expected, built["volume"]
    return as_is, partition_only, items_read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period-cancellations", type=int, default=10_000)
    parser.add_argument("--history-cancellations", type=int, default=100_000)
    parser.add_argument("--history-days", type=int, default=100)
    parser.add_argument("--event-sample", type=int, default=200)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"

    from local_runtime import resources

    rng = random.Random(7)
    period = [PERIOD_START + timedelta(days=i) for i in range(PERIOD_DAYS)]
    history = [PERIOD_START - timedelta(days=i) for i in range(1, args.history_days + 1)]
    n = args.period_cancellations
    with mock_aws():
        resources.create(prefix="test")
        print(f"report_scale: in-process moto, {cores} CPU core(s), period {period[0]} .. {period[-1]}")
        per_event = time_event_path(args.event_sample)
        print(f"  event path (ingest.count, one conditional transaction per event, {args.event_sample} events): "
              f"{per_event * 1000:.2f} ms/event")

        began = time.perf_counter()
        items = seed(rng, period, n)
        print(f"  seeded {n:,} cancellations (+{n * BOOKINGS_PER_CANCELLATION:,} bookings) in the period: "
              f"{items:,} counter items, {time.perf_counter() - began:.1f} s (not part of the figures)")
        small_as_is, small, read_small = both(n)

        began = time.perf_counter()
        items = seed(rng, history, args.history_cancellations)
        print(f"  seeded {args.history_cancellations:,} more cancellations over the {args.history_days} days before: "
              f"{items:,} counter items, {time.perf_counter() - began:.1f} s (not part of the figures)")
        large_as_is, large, read_large = both(n)

    print("\n  report of the period (collect + build + HTML/JSON/CSV), median of 5 runs:")
    print(f"  {'history':>30} {'items read':>11} {'moto as is':>11} {'partition Query':>16}")
    print(f"  {f'{n:,} cancellations':>30} {read_small:>11,} {small_as_is:>10.3f}s {small:>15.3f}s")
    print(f"  {f'{n + args.history_cancellations:,} cancellations':>30} {read_large:>11,} {large_as_is:>10.3f}s "
          f"{large:>15.3f}s")
    print(f"  ratio (110k / 10k history): {large / small:.2f} with partition-only Query (target <= 1.2), "
          f"{large_as_is / small_as_is:.2f} with moto as is (its Query sorts the whole table); "
          f"items read {read_large / read_small:.2f}")
    print(f"  10k report: {small:.3f} s (target <= 20 s on one core)")
    return 0 if large / small <= 1.2 and small <= 20 else 1


if __name__ == "__main__":
    sys.exit(main())
