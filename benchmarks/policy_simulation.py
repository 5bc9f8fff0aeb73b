"""How many recent requests a sample policy change would route differently: the policy editor's simulation, run on
the demo's job and candidates (local_runtime/demo.py) with two weeks of cancellation requests, in-process on moto.

    python -m benchmarks.policy_simulation [--days 14] [--requests 60]

The sample change: a candidate's illness with at least 24 h notice is approved automatically, as a schedule
conflict is (the shipped policy sends it to the job's recruiter). Prints "N of M requests would be routed
differently" and which rules they move between. Deterministic (a fixed seed).
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import uuid
from datetime import datetime, timedelta, timezone

PREFIX = "sim"
TABLES = ("interviews", "candidates", "requests", "approvals", "audit", "slots", "links", "idempotency",
          "suppressions", "waitlist", "offers", "analytics", "calendars", "policies")
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1", **{f"TABLE_{t.upper()}": f"{PREFIX}-{t}" for t in TABLES},
    "EVENT_BUS_NAME": f"{PREFIX}-interviews-local", "LINK_SIGNING_KEY": "simulation-key-not-secret",
    "STATE_MACHINE_ARN": f"arn:aws:states:us-east-1:123456789012:stateMachine:{PREFIX}-cancellation",
    "PUBLIC_BASE_URL": "http://127.0.0.1:8000", "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR",
    "POWERTOOLS_METRICS_NAMESPACE": "InterviewCancellations", "POWERTOOLS_SERVICE_NAME": "interview-cancellations",
})
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("POLICY_FILE", None)

CANDIDATE_REASONS = {"schedule_conflict": 4, "illness": 3, "emergency": 1, "job_mismatch": 1, "other": 1}
COMPANY_REASONS = ["position_paused", "duplicate_booking"]


def sample_change(policy: dict) -> dict:
    changed = copy.deepcopy(policy)
    rule = next(r for r in changed["rules"] if r["name"] == "schedule-conflict-with-notice")
    rule["when"]["reason"] = [*rule["when"]["reason"], "illness"]
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args(argv)

    from moto import mock_aws

    with mock_aws():
        from functions.core.models import Initiator
        from functions.domain import cancellations
        from functions.domain.workplace import policy_editor
        from functions.notify import events
        from local_runtime import demo, resources

        resources.create(prefix=PREFIX)
        chance = random.Random(15)
        now = datetime.now(timezone.utc)
        reasons = [r for r, weight in CANDIDATE_REASONS.items() for _ in range(weight)]
        candidates = [*demo.CANDIDATES, *({**demo.CANDIDATES[n % 2], "candidate_id": f"cand-demo-{n}",
                                           "email": f"demo.{n}@mail.example.com"} for n in range(args.requests))]
        for n in range(args.requests):
            candidate = candidates[n]
            submitted = now - timedelta(days=chance.uniform(0, args.days - 0.1))
            notice = timedelta(hours=chance.choice([6, 12, 30, 48, 72, 120]))
            interview = demo.interview(f"int-sim-{n}", candidate, (submitted + notice) - now)
            events.handle("InterviewScheduled", interview)
            company = chance.random() < 0.35  # about a third of cancellations are the company's
            cancellations.submit(
                interview_id=interview["interview_id"], now=submitted, idempotency_key=uuid.uuid4().hex,
                initiator=Initiator.COMPANY if company else Initiator.CANDIDATE,
                actor="staff:recruiter-1" if company else f"candidate:{candidate['candidate_id']}",
                reason_code=(reason := chance.choice(COMPANY_REASONS if company else reasons)),
                reason_text="a family matter" if reason == "other" else None,
                candidate_id=None if company else candidate["candidate_id"])
        published = policy_editor.state()
        result = policy_editor.simulate(sample_change(published.policy), args.days, now=now)
    print(f"policy simulation over the last {result.days} days of demo requests; sample change: illness with "
          f">= 24 h notice is approved automatically")
    print(f"{result.changed_count} of {result.requests} requests would be routed differently "
          f"({result.evaluated} evaluated, {len(result.not_evaluated)} with facts missing)")
    for change, count in result.changes.items():
        print(f"  {count:3d}  {change}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
