"""The time from an approval to the interviewer's calendar entry being gone, on the local system.

Starts `interviews local` (empty; Radicale on loopback with Jun Park's calendar), then, N times: the ATS registers
an interview with Jun Park, his calendar gets it, the candidate cancels (illness: the recruiter decides), and the
recruiter approves from the e-mailed link. The clock starts when the approver's POST is sent and stops when Jun
Park's calendar (read over CalDAV with his login, every 50 ms) no longer holds the entry. Between the two: the
decision handed to the workflow, its transaction, CancellationApproved on the bus, the rule's SQS queue, the local
poller, the notify function (mails first, then the calendar). Prints the percentiles; asserts nothing.

    .venv/bin/python benchmarks/calendar_removal.py [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import caldav
import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from local_runtime import launch  # noqa: E402

INTERVIEWER = "jun.park@company.example.com"
RECRUITER = "chen.jing@company.example.com"


def _wait(check, timeout: float = 120, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("timed out")


class Run:
    def __init__(self, info: dict):
        self.info, self.base = info, info["base_url"]
        account = info["calendars"][INTERVIEWER]
        client = caldav.DAVClient(url=account["url"], username=account["username"], password=account["password"])
        self.calendar = client.calendar(url=account["url"])

    def has_entry(self, uid: str) -> bool:
        try:
            self.calendar.event_by_uid(uid)
            return True
        except caldav.lib.error.NotFoundError:
            return False

    def register(self, interview_id: str) -> str:
        event = json.loads((REPO / "tests/events/interview_scheduled.json").read_text())
        event["interview_id"], event["slot_id"] = interview_id, f"slot-{interview_id}"
        event["candidate"].update(candidate_id=f"c-{interview_id}", email=f"c-{interview_id}@mail.example.com")
        event["starts_at"] = (datetime.now(timezone.utc) + timedelta(days=2)).replace(microsecond=0).isoformat()
        response = requests.post(f"{self.base}/api/staff/interviews", json=event, timeout=30,
                                 headers={"Authorization": f"Bearer {self.info['ats_token']}"})
        response.raise_for_status()
        return response.json()["candidate_link"].rsplit("/", 1)[1]

    def approval_link(self, request_id: str) -> str:
        def find():
            for message in requests.get(f"{self.base}/_local/outbox.json", timeout=30).json():
                found = re.search(r"(http://\S+/approvals/\S+)", message["text"])
                if found and message["to"] == RECRUITER and request_id in message["text"]:
                    return found.group(1)
            return None
        return _wait(find, interval=0.2)

    def once(self) -> float:
        interview_id = f"bench-cal-{uuid.uuid4().hex[:8]}"
        uid = f"{interview_id}@interviews.cancellations"
        token = self.register(interview_id)
        _wait(lambda: self.has_entry(uid), interval=0.2)
        cancelled = requests.post(f"{self.base}/api/candidate/interviews/{interview_id}/cancellations",
                                  json={"reason_code": "illness"}, timeout=30,
                                  headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
        cancelled.raise_for_status()
        link = self.approval_link(cancelled.json()["request_id"])
        started = time.monotonic()
        requests.post(link, data={"decision": "approve"}, timeout=30).raise_for_status()
        _wait(lambda: not self.has_entry(uid))
        return time.monotonic() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) + 1)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, \
            launch.running(Path(folder), sla_seconds=24 * 3600, strict_stop=False) as info_file:
        run = Run(json.loads(info_file.read_text()))
        if not run.info.get("calendars"):
            print("the local system started without calendars (is radicale installed?)")
            return 1
        times = []
        for n in range(args.runs):
            times.append(run.once())
            print(f"  run {n + 1:2d}: {times[-1] * 1000:7.0f} ms", flush=True)
    print(f"\nApproval -> the interviewer's calendar entry gone (local system, {len(times)} runs)")
    print(f"  p50 {statistics.median(times) * 1000:7.0f} ms")
    print(f"  p90 {percentile(times, 90) * 1000:7.0f} ms")
    print(f"  min {min(times) * 1000:7.0f} ms   max {max(times) * 1000:7.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
