"""Load: many candidates cancelling and many approvers deciding at once, against the local system on loopback;
then every request's final state and audit trail is checked. Prints figures; the invariants decide the exit code.

    .venv/bin/python benchmarks/load.py [--duration 60] [--interviews 300] [--candidates 8] [--approvers 4]
    .venv/bin/python benchmarks/load.py --info-file F ...   # attach to a running `interviews local --info-file F`

Without --info-file it starts `interviews local` itself (empty, on a free loopback port) and stops it at the end.

1. Seed: N interviews registered through the ATS's route (POST /api/staff/interviews, its machine token), three
   days ahead.
2. Drive (for --duration seconds): candidate threads cancel the seeded interviews (some for a schedule conflict,
   approved automatically; some repeated with the same Idempotency-Key, which must return the same request);
   approver threads take each approval link from the local outbox as it arrives and approve or reject it (some
   post twice at once, as a double click: exactly one may decide).
3. Settle: wait until every accepted request is final (bounded).
4. Check, for every request: final and not parked; one request per interview and one execution per request;
   one decision (or the automatic approval) in its trail; `interviews audit verify` says complete; the interview
   and its slot agree with the outcome; nobody got the same e-mail twice; everyone who should hear did, once.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import queue
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from local_runtime import launch  # noqa: E402
EVENT = REPO / "tests/events/interview_scheduled.json"
FINAL = {"APPROVED", "REJECTED", "NEEDS_ATTENTION"}
INTERVIEWER = "jun.park@company.example.com"
LINK = re.compile(r"(http://\S+/approvals/\S+)")
REQUEST_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
INTERVIEW_ID = re.compile(r"load-[0-9a-f]{6}-[0-9]{5}")  # as seed() names them


# ---- the system under load -------------------------------------------------------------------------------------------

class System:
    def __init__(self, info_file: Path):
        self.info_file = info_file
        self.info = json.loads(info_file.read_text())
        self.base = self.info["base_url"]
        if not self.base.startswith(("http://127.0.0.1:", "http://localhost:")):
            raise SystemExit("load.py only drives a system on loopback")
        self.session = requests.Session()

    def staff(self) -> dict:
        return {"Authorization": f"Bearer {self.info['staff_tokens']['admin']}"}

    def ats(self) -> dict:
        return {"Authorization": f"Bearer {self.info['ats_token']}"}

    def aws(self, service: str):
        return boto3.client(service, endpoint_url=self.info["aws_endpoint"], region_name="us-east-1",
                            aws_access_key_id="local", aws_secret_access_key="local")

    def outbox(self) -> list[dict]:
        return requests.get(f"{self.base}/_local/outbox.json", timeout=60).json()

    def item(self, table: str, key: str, value: str) -> dict:
        found = self.aws("dynamodb").get_item(TableName=self.info["tables"][f"TABLE_{table.upper()}"],
                                              Key={key: {"S": value}}, ConsistentRead=True)
        return {k: list(v.values())[0] for k, v in found.get("Item", {}).items()}


# ---- figures ----------------------------------------------------------------------------------------------------------

@dataclass
class Figures:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    windows: dict[str, list[float]] = field(default_factory=dict)  # operation: [first start, last end]
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, operation: str, call):
        started = time.perf_counter()
        try:
            response = call()
        except requests.RequestException as exc:
            with self.lock:
                self.errors[f"{operation}: {type(exc).__name__}"] += 1
            return None
        ended = time.perf_counter()
        with self.lock:
            self.latencies[operation].append(ended - started)
            window = self.windows.setdefault(operation, [started, ended])
            window[0], window[1] = min(window[0], started), max(window[1], ended)
            self.statuses[operation][response.status_code] += 1
        return response

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] += 1


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# ---- the load ----------------------------------------------------------------------------------------------------------

@dataclass
class Seeded:
    interview_id: str
    candidate_id: str
    token: str


def seed(system: System, figures: Figures, count: int, workers: int) -> list[Seeded]:
    template = json.loads(EVENT.read_text())
    run = uuid.uuid4().hex[:6]
    starts_at = (datetime.now(timezone.utc) + timedelta(days=3)).replace(microsecond=0).isoformat()
    seeded, lock = [], threading.Lock()

    def one(n: int) -> None:
        event = json.loads(json.dumps(template))
        interview_id, candidate_id = f"load-{run}-{n:05d}", f"c-load-{run}-{n:05d}"
        event["interview_id"], event["slot_id"], event["starts_at"] = interview_id, f"slot-{interview_id}", starts_at
        event["candidate"].update(candidate_id=candidate_id, email=f"{candidate_id}@mail.example.com", locale="en")
        response = figures.timed("seed", lambda: system.session.post(
            f"{system.base}/api/staff/interviews", json=event, headers=system.ats(), timeout=60))
        if response is not None and response.status_code == 201:
            with lock:
                seeded.append(Seeded(interview_id, candidate_id, response.json()["candidate_link"].rsplit("/", 1)[1]))
        elif response is not None:
            figures.error(f"seed: HTTP {response.status_code}")

    _run_all(one, range(count), workers)
    return seeded


def _run_all(work, items, workers: int) -> None:
    pending = queue.Queue()
    for item in items:
        pending.put(item)

    def worker():
        while True:
            try:
                item = pending.get_nowait()
            except queue.Empty:
                return
            work(item)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@dataclass
class Submitted:
    interview: Seeded
    request_id: str
    reason: str
    decisions: list[int] = field(default_factory=list)  # HTTP statuses of the decision POSTs


def drive(system: System, figures: Figures, seeded: list[Seeded], *, duration: float, candidates: int,
          approvers: int, auto_share: float, reject_share: float, repeat_share: float, double_share: float,
          settle_timeout: float, rng: random.Random, min_requests: int = 0) -> dict[str, Submitted]:
    to_cancel: queue.Queue = queue.Queue()
    for interview in seeded:
        to_cancel.put(interview)
    submitted: dict[str, Submitted] = {}
    links: queue.Queue = queue.Queue()
    lock, stop = threading.Lock(), threading.Event()
    deadline = time.time() + duration

    def candidate() -> None:
        # Past the deadline only until min_requests went through: a loaded machine still gives a test its load.
        while time.time() < deadline or len(submitted) < min_requests:
            try:
                interview = to_cancel.get_nowait()
            except queue.Empty:
                return
            reason = "schedule_conflict" if rng.random() < auto_share else "illness"
            key = str(uuid.uuid4())

            def post():
                return system.session.post(
                    f"{system.base}/api/candidate/interviews/{interview.interview_id}/cancellations",
                    json={"reason_code": reason}, timeout=60,
                    headers={"Authorization": f"Bearer {interview.token}", "Idempotency-Key": key})
            response = figures.timed("cancel", post)
            if response is None:
                continue
            if response.status_code != 202:
                figures.error(f"cancel: HTTP {response.status_code}")
                continue
            request_id = response.json()["request_id"]
            with lock:
                submitted[request_id] = Submitted(interview, request_id, reason)
            if rng.random() < repeat_share:  # the client retries: the same key must give the same request
                again = figures.timed("cancel (repeat)", post)
                if again is not None and (again.status_code != 202 or again.json()["request_id"] != request_id):
                    figures.error(f"cancel (repeat): HTTP {again.status_code} or another request")

    def mail_watcher() -> None:
        """Hands each new approval link of this run's requests to the approvers, as the e-mail would (reading
        only mail sent since the run began: the system may be shared with other work and its links)."""
        read = len(requests.get(f"{system.base}/_local/outbox.json", timeout=60).json())
        unclaimed: list[tuple[float, str, str]] = []  # links whose request's 202 has not been recorded yet
        while not stop.is_set():
            try:
                messages = requests.get(f"{system.base}/_local/outbox.json", params={"after": read},
                                        timeout=60).json()
            except requests.RequestException:
                figures.error("outbox: unreachable")
                messages = []
            read += len(messages)
            for message in messages:
                found, request = LINK.search(message["text"]), REQUEST_ID.search(message["text"])
                if found and request:
                    unclaimed.append((time.time(), request.group(0), found.group(1)))
            with lock:
                ours = [u for u in unclaimed if u[1] in submitted]
            for entry in ours:
                links.put(entry[1:])
            # Someone else's links are dropped after a minute.
            unclaimed = [u for u in unclaimed if u not in ours and time.time() - u[0] < 60]
            stop.wait(1.0)

    def approver() -> None:
        while not (stop.is_set() and links.empty()):
            try:
                request_id, link = links.get(timeout=0.5)
            except queue.Empty:
                continue
            decision = "reject" if rng.random() < reject_share else "approve"
            posts = 2 if rng.random() < double_share else 1  # a double click: two posts at once
            results: list[int] = []

            def post():
                response = figures.timed("decide", lambda: system.session.post(
                    link, data={"decision": decision}, timeout=60))
                if response is not None:
                    results.append(response.status_code)
            clicks = [threading.Thread(target=post) for _ in range(posts)]
            for click in clicks:
                click.start()
            for click in clicks:
                click.join()
            with lock:
                if request_id in submitted:
                    submitted[request_id].decisions.extend(results)
            unexpected = [s for s in results if s not in (200, 409, 410)]
            if unexpected or (posts == 2 and sorted(results) not in ([200, 409], [409, 410], [410, 410])):
                figures.error(f"decide: HTTP {results}")

    watcher = threading.Thread(target=mail_watcher, daemon=True)
    watcher.start()
    deciders = [threading.Thread(target=approver, daemon=True) for _ in range(approvers)]
    for thread in deciders:
        thread.start()
    cancellers = [threading.Thread(target=candidate, daemon=True) for _ in range(candidates)]
    for thread in cancellers:
        thread.start()
    for thread in cancellers:
        thread.join()
    # Approvers keep deciding what the run asked of them, until every request that waits for a decision got one.
    settle_deadline = time.time() + settle_timeout
    while time.time() < settle_deadline:
        with lock:
            waiting = [s for s in submitted.values() if s.reason == "illness" and 200 not in s.decisions]
        if not waiting and links.empty():
            break
        time.sleep(1)
    stop.set()
    for thread in [watcher, *deciders]:
        thread.join(timeout=30)
    return submitted


# ---- the checks --------------------------------------------------------------------------------------------------------

def wait_final(system: System, submitted: dict[str, Submitted], timeout: float) -> dict[str, dict]:
    views: dict[str, dict] = {}
    deadline = time.time() + timeout
    while time.time() < deadline:
        for request_id in [r for r in submitted if r not in views]:
            view = requests.get(f"{system.base}/api/staff/requests/{request_id}", headers=system.staff(),
                                timeout=60)
            if view.status_code == 200 and view.json()["status"] in FINAL:
                views[request_id] = view.json()
        if len(views) == len(submitted):
            break
        time.sleep(1)
    return views


def audit_verify(system: System, request_ids: list[str]) -> dict[str, bool]:
    """`interviews audit verify --local-info F ...`, as an operator would run it."""
    complete: dict[str, bool] = {}
    for start in range(0, len(request_ids), 200):
        batch = request_ids[start:start + 200]
        out = subprocess.run([sys.executable, "-m", "cli.main", "audit", "verify", *batch, "--local-info",
                              str(system.info_file)], cwd=REPO, capture_output=True, text=True,
                             env={k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TABLE_"))})
        for line in out.stdout.splitlines():
            request_id, _, rest = line.partition(": ")
            if request_id in batch:
                complete[request_id] = rest.startswith("complete")
    return complete


def _mail_of_this_run(mail: list[dict], seeded: list[Seeded], submitted: dict[str, Submitted]) -> list[dict]:
    """The e-mails to this run's candidates or naming its interviews or requests: the system may be shared (the
    end-to-end tests run this against theirs), and what others sent is not this run's to judge."""
    ours = {s.candidate_id for s in seeded} | {s.interview_id for s in seeded} | set(submitted)
    return [m for m in mail if m["to"].split("@")[0] in ours
            or ours & set(REQUEST_ID.findall(m["text"]) + INTERVIEW_ID.findall(m["text"]))]


def check(system: System, submitted: dict[str, Submitted], seeded: list[Seeded], settle_timeout: float) -> list[str]:
    problems: list[str] = []
    views = wait_final(system, submitted, settle_timeout)
    for request_id in submitted:
        if request_id not in views:
            problems.append(f"{request_id}: not final after {settle_timeout:.0f} s (lost?)")
    # one request per interview, one execution per request
    per_interview = Counter(s.interview.interview_id for s in submitted.values())
    problems += [f"{i}: {n} requests" for i, n in per_interview.items() if n > 1]
    executions, token = Counter(), None
    sfn = system.aws("stepfunctions")
    while True:
        page = sfn.list_executions(stateMachineArn=system.info["state_machine_arn"], maxResults=1000,
                                   **({"nextToken": token} if token else {}))
        executions.update(e["name"] for e in page["executions"])
        token = page.get("nextToken")
        if not token:
            break
    problems += [f"{r}: {executions[r]} executions" for r in submitted if executions[r] != 1]
    verified = audit_verify(system, list(views))
    mail = _mail_of_this_run(system.outbox(), seeded, submitted)
    duplicates = Counter((m["to"], m["subject"], m["text"]) for m in mail)
    problems += [f"e-mail sent {n} times to {to}: {subject}" for (to, subject, _), n in duplicates.items() if n > 1]
    by_recipient = defaultdict(list)
    for message in mail:
        by_recipient[message["to"]].append(message)
    for request_id, view in views.items():
        s = submitted[request_id]
        status, timeline = view["status"], view["timeline"]
        actions = Counter(e["action"] for e in timeline)
        if status == "NEEDS_ATTENTION":
            problems.append(f"{request_id}: NEEDS_ATTENTION")
        if not verified.get(request_id):
            problems.append(f"{request_id}: audit verify says incomplete")
        decided = actions["decision_approved"] + actions["decision_rejected"] - actions["decision_withdrawn"]
        expected_decisions = 0 if s.reason == "schedule_conflict" else 1
        if decided != expected_decisions and actions["escalated"] == 0:
            problems.append(f"{request_id}: {decided} decisions")
        if actions["approved"] + actions["rejected"] != 1:
            problems.append(f"{request_id}: {actions['approved'] + actions['rejected']} outcomes applied")
        if s.decisions.count(200) > 1:
            problems.append(f"{request_id}: {s.decisions.count(200)} decision POSTs accepted")
        interview = system.item("interviews", "interview_id", s.interview.interview_id)
        slot = system.item("slots", "slot_id", f"slot-{s.interview.interview_id}")
        expected = {"APPROVED": ("CANCELLED", "AVAILABLE"), "REJECTED": ("SCHEDULED", "BOOKED")}.get(status)
        if expected and (interview.get("status"), slot.get("status")) != expected:
            problems.append(f"{request_id}: {status} but interview {interview.get('status')}, slot "
                            f"{slot.get('status')}")
        # Invitations carry calendar files too: only METHOD:CANCEL ones for this interview count here
        calendar = _calendar_cancellations(by_recipient[f"{s.interview.candidate_id}@mail.example.com"],
                                           s.interview.interview_id)
        if status == "APPROVED":
            told = _calendar_cancellations(by_recipient[INTERVIEWER], s.interview.interview_id)
            if len(calendar) != 1 or len(told) != 1:
                problems.append(f"{request_id}: {len(calendar)} candidate / {len(told)} interviewer cancellations")
        elif calendar:
            problems.append(f"{request_id}: {status} but the candidate got a calendar cancellation")
    untouched = {i.interview_id for i in seeded} - set(per_interview)
    for interview_id in sorted(untouched)[:50]:  # a sample: not cancelled means still scheduled, slot booked
        if system.item("interviews", "interview_id", interview_id).get("status") != "SCHEDULED":
            problems.append(f"{interview_id}: never cancelled, yet not scheduled")
    return problems


def _calendar_cancellations(messages: list[dict], interview_id: str) -> list[dict]:
    """The messages whose calendar file cancels this interview's entry (its UID starts with the interview id)."""
    def cancels(attachment: dict) -> bool:
        text = base64.b64decode(attachment["content_base64"]).decode(errors="replace")
        return "METHOD:CANCEL" in text and f"UID:{interview_id}@" in text
    return [m for m in messages if any(cancels(a) for a in m.get("attachments") or [])]


# ---- report -------------------------------------------------------------------------------------------------------------

def report(figures: Figures, submitted: dict[str, Submitted], elapsed: float, problems: list[str]) -> dict:
    operations = {}
    for operation, samples in sorted(figures.latencies.items()):
        first, last = figures.windows[operation]
        # throughput over the time the operation was being called (seeding, cancelling, deciding differ)
        operations[operation] = {"count": len(samples), "per_second": len(samples) / max(last - first, 1e-9),
                                 "p50_ms": 1000 * _percentile(samples, 0.50),
                                 "p99_ms": 1000 * _percentile(samples, 0.99),
                                 "statuses": dict(sorted(figures.statuses[operation].items()))}
    return {"elapsed_s": elapsed, "requests": len(submitted), "operations": operations,
            "errors": dict(figures.errors), "problems": problems}


def print_report(result: dict) -> None:
    print(f"Load: {result['requests']} cancellation requests; {result['elapsed_s']:.1f} s from the first "
          f"cancellation to the last decision (per s: over each operation's own active time)")
    print(f"  {'operation':<18}{'count':>7}{'per s':>8}{'p50 ms':>9}{'p99 ms':>9}  statuses")
    for name, o in result["operations"].items():
        print(f"  {name:<18}{o['count']:>7}{o['per_second']:>8.1f}{o['p50_ms']:>9.0f}{o['p99_ms']:>9.0f}  "
              f"{o['statuses']}")
    print(f"  errors: {sum(result['errors'].values())} {result['errors'] or ''}")
    checks = "all hold" if not result["problems"] else f"{len(result['problems'])} problem(s)"
    print(f"  invariants over every request (final, one request/execution/decision, audit verify, interview and "
          f"slot, e-mails): {checks}")
    for problem in result["problems"][:30]:
        print(f"    - {problem}")


def run(info_file: Path, *, interviews: int, duration: float, candidates: int, approvers: int, seed_workers: int = 4,
        auto_share: float = 0.3, reject_share: float = 0.3, repeat_share: float = 0.1, double_share: float = 0.1,
        settle_timeout: float = 120, random_seed: int = 8, min_requests: int = 0) -> dict:
    system, figures, rng = System(info_file), Figures(), random.Random(random_seed)
    seeded = seed(system, figures, interviews, seed_workers)
    started = time.perf_counter()
    submitted = drive(system, figures, seeded, duration=duration, candidates=candidates, approvers=approvers,
                      auto_share=auto_share, reject_share=reject_share, repeat_share=repeat_share,
                      double_share=double_share, settle_timeout=settle_timeout, rng=rng, min_requests=min_requests)
    elapsed = time.perf_counter() - started
    problems = check(system, submitted, seeded, settle_timeout)
    result = report(figures, submitted, elapsed, problems)
    result["outcomes"] = dict(Counter(
        system.item("requests", "request_id", r).get("status", "?") for r in submitted))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--info-file", type=Path, help="attach to a running `interviews local --info-file F`")
    parser.add_argument("--duration", type=float, default=60, help="seconds of cancelling (default 60)")
    parser.add_argument("--interviews", type=int, default=300, help="interviews seeded first (default 300)")
    parser.add_argument("--candidates", type=int, default=8, help="candidate threads (default 8)")
    parser.add_argument("--approvers", type=int, default=4, help="approver threads (default 4)")
    parser.add_argument("--sla-seconds", type=int, default=600,
                        help="approval SLA of the system this script starts (default 600: no escalation)")
    parser.add_argument("--settle-timeout", type=float, default=300,
                        help="seconds to wait for the decisions, then for final states (default 300 each)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    def go(info_file: Path) -> dict:
        result = run(info_file, interviews=args.interviews, duration=args.duration, candidates=args.candidates,
                     approvers=args.approvers, settle_timeout=args.settle_timeout)
        if args.json:
            print(json.dumps(result, indent=2))
        else:
            print_report(result)
            print(f"  outcomes: {result['outcomes']}")
        return result

    result = None
    if args.info_file:
        result = go(args.info_file)
    else:
        try:
            with tempfile.TemporaryDirectory(prefix="load-") as directory, \
                    launch.running(Path(directory), sla_seconds=args.sla_seconds) as info_file:
                result = go(info_file)
        except RuntimeError as exc:  # stopping it after the figures were printed: say so, keep the verdict
            if result is None:
                raise
            print(f"note: {exc}", file=sys.stderr)
    return 0 if not result["problems"] and not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
