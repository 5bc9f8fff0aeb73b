"""Decision races: many clients posting a decision on the same approval link at the same moment, against the local
system on loopback. Prints figures; exit code 1 on a double outcome, a reset connection or any other failure.

Why: an approval link gets double-clicked, forwarded, opened on a phone and a desk at once. Exactly one POST may
decide; every other must be answered 409, on a connection that was neither refused nor reset. Issue 13 saw 126
of 1,020 connections reset by the standard library server's listen backlog of 5 when 30 clients raced.

    .venv/bin/python benchmarks/decision_races.py [--races 1000] [--clients 30]
    .venv/bin/python benchmarks/decision_races.py --info-file F ...  # attach to `interviews local --info-file F`

Without --info-file it starts `interviews local` itself (empty, on a free loopback port) for every `--per-system`
races and stops it after them: moto's Step Functions emulator keeps about 10 MB per finished lifecycle in the
local system's process (measured: ~1 GB after 100 races), so 1,000 races on one system would need ~10 GB.

1. Seed: one interview per race through the staff API; its candidate cancels it for illness, so the recruiter
   is e-mailed an approval link (cancellations run while earlier links are raced).
2. Race: as each link arrives in the local outbox, `--clients` threads, each on a connection of its own, wait at
   a barrier and post together, half approving and half rejecting.
3. Check: each race answered one 200 and 409 to everyone else, with no connection failed; once every request is
   final, its trail holds one decision and one applied outcome, and the interview agrees with it.
"""

from __future__ import annotations

import argparse
import queue
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.load import LINK, REQUEST_ID, Figures, Seeded, System, _percentile, seed, wait_final  # noqa: E402
from local_runtime import launch  # noqa: E402

RECRUITER = "chen.jing@company.example.com"  # the approver of the example interview's job


def _outcome(response_or_error) -> str | int:
    """An HTTP status, or what became of the connection."""
    if isinstance(response_or_error, requests.Response):
        return response_or_error.status_code
    text = str(response_or_error).lower()
    for kind in ("reset", "refused", "aborted", "timed out"):
        if kind in text:
            return f"connection {kind}"
    return f"connection failed: {type(response_or_error).__name__}"


def cancel_all(system: System, figures: Figures, seeded: list[Seeded], workers: int,
               submitted: dict[str, Seeded], lock: threading.Lock) -> threading.Thread:
    """Candidates cancel every seeded interview (illness: the recruiter decides), a few at a time."""
    pending: queue.SimpleQueue = queue.SimpleQueue()
    for interview in seeded:
        pending.put(interview)

    def candidate() -> None:
        while True:
            try:
                interview = pending.get_nowait()
            except queue.Empty:
                return
            response = figures.timed("cancel", lambda: requests.post(
                f"{system.base}/api/candidate/interviews/{interview.interview_id}/cancellations",
                json={"reason_code": "illness"}, timeout=120,
                headers={"Authorization": f"Bearer {interview.token}", "Idempotency-Key": str(uuid.uuid4())}))
            if response is not None and response.status_code == 202:
                with lock:
                    submitted[response.json()["request_id"]] = interview
            elif response is None:
                figures.error("cancel: no answer")
            else:  # the problem's code says why (a 409 once in 1,000 cancellations went unexplained without it)
                code = response.json().get("code", "") if "json" in response.headers.get("Content-Type", "") else ""
                figures.error(f"cancel: {response.status_code} {code}".strip())

    def run() -> None:
        threads = [threading.Thread(target=candidate, daemon=True) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    driver = threading.Thread(target=run, daemon=True)
    driver.start()
    return driver


def race_all(system: System, submitted: dict[str, Seeded], lock: threading.Lock, cancelling: threading.Thread,
             *, races: int, clients: int, idle_timeout: float) -> dict:
    """Race each approval link of our requests as its e-mail arrives; returns per-race outcomes and latencies."""
    read = len(requests.get(f"{system.base}/_local/outbox.json", timeout=60).json())
    raced: dict[str, list] = {}
    waiting: list[tuple[str, str]] = []  # (request id, link) whose 202 may not be recorded yet
    latencies: list[float] = []
    started = last_progress = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        while len(raced) < races:
            messages = requests.get(f"{system.base}/_local/outbox.json", params={"after": read}, timeout=60).json()
            read += len(messages)
            for message in messages:
                link, request = LINK.search(message["text"]), REQUEST_ID.search(message["text"])
                if link and request and message["to"] == RECRUITER:
                    waiting.append((request.group(0), link.group(1)))
            with lock:
                ready = [(r, link) for r, link in waiting if r in submitted and r not in raced]
            waiting = [w for w in waiting if w[0] not in submitted]
            if not ready:
                idle = time.perf_counter() - last_progress
                if not cancelling.is_alive() and (len(raced) >= len(submitted) or idle > idle_timeout):
                    break  # nothing more will come
                time.sleep(0.3)
                continue
            last_progress = time.perf_counter()
            for request_id, link in ready:
                barrier = threading.Barrier(clients)

                def post(i: int, link=link, barrier=barrier):
                    barrier.wait()
                    begun = time.perf_counter()
                    try:  # requests.post: a new connection per client, as thirty browsers would open
                        response = requests.post(link, data={"decision": "approve" if i % 2 else "reject"},
                                                 timeout=120)
                    except requests.RequestException as exc:
                        return _outcome(exc), time.perf_counter() - begun
                    return _outcome(response), time.perf_counter() - begun

                results = list(pool.map(post, range(clients)))
                raced[request_id] = [outcome for outcome, _ in results]
                latencies += [seconds for _, seconds in results]
            last_progress = time.perf_counter()
    return {"raced": raced, "latencies": latencies, "elapsed_s": time.perf_counter() - started}


def check(system: System, submitted: dict[str, Seeded], raced: dict[str, list], settle_timeout: float) -> dict:
    """Per race and per request: the double outcomes and anything else that went wrong."""
    double, problems = [], []
    for request_id, outcomes in raced.items():
        if outcomes.count(200) > 1:
            double.append(f"{request_id}: {outcomes.count(200)} decision POSTs accepted")
        unexpected = [o for o in outcomes if o not in (200, 409)]
        if unexpected or outcomes.count(200) != 1:
            problems.append(f"{request_id}: {Counter(map(str, outcomes))}")
    views = wait_final(system, {r: submitted[r] for r in raced}, settle_timeout)
    for request_id in raced:
        view = views.get(request_id)
        if view is None:
            problems.append(f"{request_id}: not final after {settle_timeout:.0f} s")
            continue
        actions = Counter(e["action"] for e in view["timeline"])
        decisions = sum(n for a, n in actions.items() if a.startswith("decision_"))
        applied = actions["approved"] + actions["rejected"]
        if decisions > 1 or applied > 1:
            double.append(f"{request_id}: {decisions} decisions, {applied} outcomes applied in the trail")
        elif decisions != 1 or applied != 1:
            problems.append(f"{request_id}: {decisions} decisions, {applied} outcomes applied")
        interview = system.item("interviews", "interview_id", submitted[request_id].interview_id)
        expected = {"APPROVED": "CANCELLED", "REJECTED": "SCHEDULED"}.get(view["status"])
        if interview.get("status") != expected:
            problems.append(f"{request_id}: {view['status']} but the interview is {interview.get('status')}")
    return {"double_outcomes": double, "problems": problems,
            "final": dict(Counter(v["status"] for v in views.values()))}


def run(info_file: Path, *, races: int, clients: int, cancel_workers: int = 4, settle_timeout: float = 600) -> dict:
    system, figures, lock = System(info_file), Figures(), threading.Lock()
    seeded = seed(system, figures, races, workers=4)
    submitted: dict[str, Seeded] = {}
    cancelling = cancel_all(system, figures, seeded, cancel_workers, submitted, lock)
    raced = race_all(system, submitted, lock, cancelling, races=len(seeded), clients=clients,
                     idle_timeout=settle_timeout)
    cancelling.join()
    verdict = check(system, submitted, raced["raced"], settle_timeout)
    return {"clients": clients, "raced": raced["raced"], "latencies": raced["latencies"],
            "elapsed_s": raced["elapsed_s"], "seed_and_cancel_errors": dict(figures.errors), **verdict}


def summary(batches: list[dict]) -> dict:
    """The figures over every batch (each batch on its own fresh system, or one batch on an attached one)."""
    outcomes = Counter(str(o) for b in batches for per_race in b["raced"].values() for o in per_race)
    failed = {o: n for o, n in outcomes.items() if o.startswith("connection")}
    latencies = [seconds for b in batches for seconds in b["latencies"]]
    races, elapsed = sum(len(b["raced"]) for b in batches), sum(b["elapsed_s"] for b in batches)
    return {
        "races": races, "systems": len(batches), "clients": batches[0]["clients"],
        "connections": sum(outcomes.values()), "statuses": dict(sorted(outcomes.items())),
        "connections_failed": failed,
        "connections_reset": sum(n for o, n in failed.items() if "reset" in o or "aborted" in o),
        "race_p50_ms": 1000 * _percentile(latencies, 0.5), "race_p99_ms": 1000 * _percentile(latencies, 0.99),
        "races_per_s": races / max(elapsed, 1e-9), "elapsed_s": elapsed,
        "double_outcomes": [line for b in batches for line in b["double_outcomes"]],
        "problems": [line for b in batches for line in b["problems"]],
        "final": dict(sum((Counter(b["final"]) for b in batches), Counter())),
        "seed_and_cancel_errors": dict(sum((Counter(b["seed_and_cancel_errors"]) for b in batches), Counter())),
    }


def print_report(result: dict) -> None:
    print(f"Decision races: {result['races']} races x {result['clients']} concurrent clients = "
          f"{result['connections']} decision POSTs on {result['systems']} system(s); {result['elapsed_s']:.0f} s "
          f"of racing ({result['races_per_s']:.2f} races/s)")
    print(f"  answers: {result['statuses']}")
    print(f"  POST latency under the race: p50 {result['race_p50_ms']:.0f} ms, p99 {result['race_p99_ms']:.0f} ms")
    print(f"  double outcomes: {len(result['double_outcomes'])}")
    print(f"  connections reset: {result['connections_reset']}; refused or otherwise failed: "
          f"{sum(result['connections_failed'].values()) - result['connections_reset']}")
    print(f"  final states: {result['final']}; other problems: {len(result['problems'])}; "
          f"seeding/cancelling errors: {result['seed_and_cancel_errors'] or 0}")
    for line in (result["double_outcomes"] + result["problems"])[:20]:
        print(f"    - {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--info-file", type=Path, help="attach to a running `interviews local --info-file F`")
    parser.add_argument("--races", type=int, default=1000, help="approval links raced (default 1000)")
    parser.add_argument("--clients", type=int, default=30, help="clients posting on each link at once (default 30)")
    parser.add_argument("--settle-timeout", type=float, default=600, help="seconds to wait for final states")
    parser.add_argument("--per-system", type=int, default=100,
                        help="races per fresh `interviews local` (default 100): moto's emulator keeps about 10 MB "
                             "per finished lifecycle, so a long run is split over fresh systems")
    args = parser.parse_args(argv)

    if args.info_file:
        result = summary([run(args.info_file, races=args.races, clients=args.clients,
                              settle_timeout=args.settle_timeout)])
    else:
        batches = []
        for first in range(0, args.races, args.per_system):
            size = min(args.per_system, args.races - first)
            try:  # an SLA far beyond the run: no link is superseded by an escalation while it waits for its race
                with tempfile.TemporaryDirectory(prefix="races-") as directory, \
                        launch.running(Path(directory), sla_seconds=6 * 3600) as info_file:
                    batches.append(run(info_file, races=size, clients=args.clients,
                                       settle_timeout=args.settle_timeout))
            except RuntimeError as exc:  # a slow stop after the batch's figures were taken: say so, go on
                if len(batches) * args.per_system <= first:
                    raise
                print(f"note: {exc}", file=sys.stderr)
            done = summary(batches)
            print(f"  after {done['races']} races: {done['statuses']}, {len(done['double_outcomes'])} double "
                  f"outcomes, {done['connections_reset']} reset", flush=True)
        result = summary(batches)
    print_report(result)
    bad = result["double_outcomes"] or result["problems"] or result["connections_failed"]
    return 1 if bad or result["seed_and_cancel_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
