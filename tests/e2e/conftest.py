"""The running local system, started exactly as the README says (`interviews local`), driven over HTTP.

Two systems, so that no test depends on another test's timing:
- `local`, shared by the session, has an approval SLA longer than any session: no request on it escalates or
  times out by itself, so nothing changes there while a test looks except what tests do;
- `local_with_short_sla` is for the flows that need an SLA to pass (escalation). No other test uses it, so its
  requests escalating during a test cannot change what another test sees.
The authorization matrix starts a system of its own (test_authorization_matrix.py).
Tests that assert "nothing changed" or count things look only at their own items (`items_naming`, `mails_about`).
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
import pytest
import requests

from playwright.sync_api import Page, sync_playwright

from local_runtime import launch

REPO = Path(__file__).resolve().parents[2]
LONG_SLA_SECONDS = 24 * 3600  # the shared system: longer than any session, so nothing escalates by itself
SHORT_SLA_SECONDS = 30  # short enough that the timeout -> escalation -> default path runs within the test


FUZZ_FIGURES = REPO / "test-artifacts" / "fuzz-api.json"  # written by test_fuzz_api.py


def pytest_sessionstart(session):
    session.config.started_at = time.time()


def pytest_terminal_summary(terminalreporter, config):
    """The fuzzer's figures at the end of the output, if it ran in this session. Printed here, from the file its
    last test writes, because a pytest-xdist worker's own summary is never shown."""
    if FUZZ_FIGURES.exists() and FUZZ_FIGURES.stat().st_mtime >= getattr(config, "started_at", time.time()):
        terminalreporter.write_line(json.loads(FUZZ_FIGURES.read_text())["line"])
        terminalreporter.write_line(f"fuzz-api: details in {FUZZ_FIGURES.relative_to(REPO)}")


class Local:
    def __init__(self, info: dict):
        self.info = info
        self.base = info["base_url"]
        self._outbox: list[dict] = []
        self._outbox_lock = threading.Lock()

    def staff(self, role: str) -> dict:
        return {"Authorization": f"Bearer {self.info['staff_tokens'][role]}"}

    def ats(self) -> dict:
        """The ATS's machine token: the only identity that registers interviews."""
        return {"Authorization": f"Bearer {self.info['ats_token']}"}

    def register(self, interview_id: str, candidate_id: str, starts_in: timedelta, locale: str = "en",
                 job_id: str | None = None) -> str:
        """Register an interview as the ATS does (its machine token); returns the candidate's personal token."""
        event = json.loads((REPO / "tests/events/interview_scheduled.json").read_text())
        event["interview_id"], event["slot_id"] = interview_id, f"slot-{interview_id}"
        if job_id:
            event["job"]["job_id"] = job_id
        event["candidate"].update(candidate_id=candidate_id, locale=locale,
                                  email=f"{candidate_id}@mail.example.com")
        event["starts_at"] = (datetime.now(timezone.utc) + starts_in).replace(microsecond=0).isoformat()
        response = requests.post(f"{self.base}/api/staff/interviews", json=event, headers=self.ats(), timeout=30)
        assert response.status_code == 201, response.text
        return response.json()["candidate_link"].rsplit("/", 1)[1]

    def open_slots(self, job_id: str, *starts_in: timedelta) -> list[dict]:
        # As HR admin: a job with no interview stored yet has no recruiter this service knows (docs/access.md).
        now = datetime.now(timezone.utc).replace(microsecond=0)
        response = requests.post(f"{self.base}/api/staff/jobs/{job_id}/slots", headers=self.staff("admin"),
                                 json={"starts_at": [(now + d).isoformat() for d in starts_in]}, timeout=30)
        assert response.status_code == 201, response.text
        return response.json()

    def outbox(self) -> list[dict]:
        """Every message sent so far. Only the messages not read before are fetched: tests poll the outbox
        often, and a long run sends thousands."""
        with self._outbox_lock:
            self._outbox += requests.get(f"{self.base}/_local/outbox.json", params={"after": len(self._outbox)},
                                         timeout=30).json()
            return list(self._outbox)

    def aws(self, service: str):
        return boto3.client(service, endpoint_url=self.info["aws_endpoint"], region_name="us-east-1",
                            aws_access_key_id="local", aws_secret_access_key="local")

    def item(self, table: str, key: dict) -> dict:
        env_var = f"TABLE_{table.upper()}"
        found = self.aws("dynamodb").get_item(TableName=self.info["tables"][env_var], ConsistentRead=True,
                                              Key={k: {"S": v} for k, v in key.items()})
        return {k: list(v.values())[0] for k, v in found.get("Item", {}).items()}


def wait_for(check, timeout: float = 30, interval: float = 0.3):
    """Poll until `check()` returns something truthy; fail with the last value otherwise."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out; last value: {value!r}")


FINAL = {"APPROVED", "REJECTED", "NEEDS_ATTENTION"}


def cancel(local, token, interview_id, reason="illness", key=None, text=None):
    body = {"reason_code": reason} | ({"reason_text": text} if text else {})
    return requests.post(f"{local.base}/api/candidate/interviews/{interview_id}/cancellations", json=body,
                         headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key or str(uuid.uuid4())},
                         timeout=30)


def approval_link(local, request_id: str, to: str = "chen.jing@company.example.com") -> str:
    """The link from the approval e-mail about this request, as its approver would click it."""
    def find():
        for message in local.outbox():
            found = re.search(r"(http://\S+/approvals/\S+)", message["text"])
            if found and message["to"] == to and request_id in message["text"]:
                return found.group(1)
        return None
    return wait_for(find)


def final(local, request_id, timeout: float = 60):
    def check():
        view = requests.get(f"{local.base}/api/staff/requests/{request_id}", headers=local.staff("admin"),
                            timeout=30).json()
        return view if view["status"] in FINAL else None
    return wait_for(check, timeout=timeout)


def mails_to(local, address):
    return [m for m in local.outbox() if m["to"] == address]


def mails_about(local, *names: str) -> list[dict]:
    """The e-mails to, or naming, any of `names` (ids, addresses): one test's mail, whatever others send."""
    return [m for m in local.outbox() if any(n in m["to"] or n in m["text"] for n in names)]


def items_naming(local, *names: str) -> dict[str, list]:
    """Per table, the items with an attribute that contains one of `names` (this test's interview, slot, candidate
    and request ids): the test's own items, which no other test writes, so comparing them before and after
    cannot be upset by other work on the shared system. (Idempotency records name their message key by hash
    only; they are written exactly when a message is sent, which `mails_about` sees.)"""
    dynamodb = local.aws("dynamodb")
    state = {}
    for env_var, table in sorted(local.info["tables"].items()):
        items = []
        for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
            items += [i for i in page["Items"] if any(n in repr(i) for n in names)]
        state[env_var] = sorted(items, key=repr)
    return state


def settled(local, timeout: float = 60) -> None:
    """Wait until every event queue is empty (nothing waiting, nothing being handled), twice in a row: what a
    test did has had all its asynchronous effects."""
    sqs = local.aws("sqs")
    counts = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
              "ApproximateNumberOfMessagesDelayed")

    def busy() -> int:
        urls = [u for u in sqs.list_queues().get("QueueUrls", []) if not u.endswith("-dlq")]
        return sum(int(sqs.get_queue_attributes(QueueUrl=u, AttributeNames=list(counts))["Attributes"].get(c, 0))
                   for u in urls for c in counts)

    def empty_twice() -> bool:
        if busy():
            return False
        time.sleep(0.5)
        return not busy()
    wait_for(empty_twice, timeout=timeout)


@pytest.fixture(scope="session")
def local(tmp_path_factory):
    # Shared by every e2e test that needs no SLA to pass. Its Ctrl-C is only a warning here if slow (after a long
    # session it once was, cause unknown; the stacks go to its log): test_local_system.py asserts that Ctrl-C
    # stops the system.
    with launch.running(tmp_path_factory.mktemp("local"), sla_seconds=LONG_SLA_SECONDS,
                        strict_stop=False) as info_file:
        yield Local(json.loads(info_file.read_text()))


@pytest.fixture(scope="session")
def local_with_short_sla(tmp_path_factory):
    # Started only if a test asks for it: the flows that wait for an approver's SLA to pass, and nothing else.
    with launch.running(tmp_path_factory.mktemp("local-short-sla"), sla_seconds=SHORT_SLA_SECONDS,
                        strict_stop=False, calendars=False) as info_file:
        yield Local(json.loads(info_file.read_text()))


# ---- the browser (Playwright with Debian's chromium), one for the whole session ----------------------------------
# Here, not in a test module: a second session-scoped copy imported into another module would start a second
# Playwright while the first is alive, which its sync API refuses.
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1280, "height": 800}}


def chromium_path() -> str:
    # Debian's package puts the browser here and a shell wrapper at /usr/bin/chromium.
    for candidate in ("/usr/lib/chromium/chromium", shutil.which("chromium") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError("Debian's chromium is not installed: `make test` installs it (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
        yield launched
        launched.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser) -> Page:
    context = browser.new_context(viewport=VIEWPORTS[request.param], locale="en-GB")
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    opened.viewport_name = request.param
    yield opened
    context.close()
    assert errors == [], errors  # no script error on any page
