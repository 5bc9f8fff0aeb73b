"""Reminders: the hourly run reminds every candidate whose interview starts 24 to 25 hours later, once, found by
an index query (never a Scan), and nudges those at high risk of cancelling (a rule until the risk model)."""

from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
from botocore.client import BaseClient

from pydantic import ValidationError

from functions.analytics import ingest
from functions.core.settings import get_settings
from functions.integration.data import candidate_store, counter_store, interview_store
from functions.notify import events
from functions.core.clock import to_iso
from functions.core.observability import HandlerFailed
from local_runtime.lambda_events import scheduled_event
from tests.integration.conftest import header, interview_event
from tests.integration.test_notify_faults import flaky_ses  # noqa: F401 - a fixture


@pytest.fixture
def aws_operations(monkeypatch):
    """Every AWS operation made from here on, by name."""
    seen: list[str] = []
    original = BaseClient._make_api_call

    def counting(self, operation_name, params):
        seen.append(operation_name)
        return original(self, operation_name, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counting)
    return seen


def run_at(system, moment: datetime) -> dict:
    event = scheduled_event({"job": "reminders"})
    event["time"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return system.invoke("notify", event)


def register(candidate: str, starts_at: datetime, completed: list[str]) -> None:
    event = interview_event(f"int-{candidate}", candidate, starts_in=starts_at - datetime.now(timezone.utc),
                            completed_parts=completed)
    event["candidate"]["email"] = f"{candidate}@mail.example.com"
    event["candidate"]["locale"] = "en"
    events.handle("InterviewScheduled", copy.deepcopy(event))


def subjects(system, candidate: str) -> list[str]:
    return [m["subject"] for m in system.sent_mail() if m["to"] == f"{candidate}@mail.example.com"
            and not m["subject"].startswith("Your interview")]  # leave out the invitation


@pytest.fixture
def hour():
    """The run's scheduled hour: the next full hour, so that every interview below lies in the future."""
    return datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def test_the_hourly_run_reminds_each_candidate_once_and_nudges_those_at_risk(system, hour, aws_operations):
    # Given interviews 24 h 10 min after the run's hour: one low-risk candidate (has started the AI interview),
    # one who has started nothing, one who cancelled before; one interview an hour later; one cancelled
    register("steady", hour + timedelta(hours=24, minutes=10), ["self-introduction"])
    register("fresh", hour + timedelta(hours=24, minutes=20), [])
    register("canceller", hour + timedelta(hours=24, minutes=59), ["self-introduction"])
    candidate_store.add_cancellation_to_profile(
        "canceller", request_id="req-old", interview_id="int-old", job_title="Backend Engineer",
        initiator="candidate", reason_code="schedule_conflict", at=to_iso(hour - timedelta(days=30)))
    register("later", hour + timedelta(hours=25), [])
    register("gone", hour + timedelta(hours=24, minutes=30), [])
    item = interview_store.get_interview("int-gone")
    item.update(actions=[type(item).status.set("CANCELLED")])
    aws_operations.clear()
    # When the hourly schedule runs at that hour, and runs again (a retry)
    first = run_at(system, hour + timedelta(seconds=7))
    second = run_at(system, hour)
    # Then each candidate in the window got one reminder, and those at risk one nudge too
    assert first == {"hour": (hour + timedelta(hours=24)).strftime("%Y-%m-%dT%H"), "reminded": 3, "nudged": 2,
                     "held_out": 0, "failed": 0, "approvers_reminded": 0}
    assert second["reminded"] == 3  # "handled"; the mail itself was not sent twice:
    assert subjects(system, "steady") == ["Reminder: your interview for Backend Engineer is tomorrow"]
    assert subjects(system, "fresh") == ["Reminder: your interview for Backend Engineer is tomorrow",
                                         "Ready for your Backend Engineer interview?"]
    assert len(subjects(system, "canceller")) == 2
    # and nobody outside the window, nor a cancelled interview, was reminded
    assert subjects(system, "later") == [] and subjects(system, "gone") == []
    # and the run read an index, not the table
    assert "Query" in aws_operations and "Scan" not in aws_operations


def test_a_failed_reminder_fails_the_run_after_the_others_and_the_retry_sends_only_it(system, hour, flaky_ses):
    # Given two candidates in the window and SES refusing one of them once
    register("one", hour + timedelta(hours=24, minutes=5), ["self-introduction"])
    register("two", hour + timedelta(hours=24, minutes=6), ["self-introduction"])
    flaky_ses(failures=1, only_to="one@mail.example.com")
    # When the run fails (so that the scheduler retries it) and is retried
    with pytest.raises(HandlerFailed, match="RuntimeError"):  # the handler's failure names its type only
        run_at(system, hour)
    assert len(subjects(system, "two")) == 1
    run_at(system, hour)
    # Then each got exactly one reminder
    assert [len(subjects(system, c)) for c in ("one", "two")] == [1, 1]


def test_the_reminder_links_the_ai_interview_through_the_tracked_redirect_so_a_click_in_the_mail_is_recorded(
        system, hour):
    # Given a candidate whose interview starts 24 h 10 min after the run's hour
    register("clicker", hour + timedelta(hours=24, minutes=10), [])
    raw_url = interview_store.get_interview("int-clicker").ai_interview_url
    # When the hourly run reminds (and nudges) the candidate
    run_at(system, hour)
    # Then no mail to the candidate carries the raw AI-interview link, and the reminder carries the tracked one
    mails = [m for m in system.sent_mail() if m["to"] == "clicker@mail.example.com"
             and not m["subject"].startswith("Your interview")]
    assert len(mails) == 2 and all(raw_url not in m["text"] + m["html"] for m in mails)
    tracked = re.search(r"https?://\S+/portal/[^/\s]+/go/int-clicker/ai-interview", mails[0]["text"])
    assert tracked is not None
    assert interview_store.get_interview("int-clicker").clicked_link_at is None
    # When the candidate follows it (through the cancel function's HTTP handler)
    response = system.http("GET", urlsplit(tracked.group(0)).path,
                           resource="/portal/{token}/go/{interview_id}/{target}")
    # Then it leads to the AI interview and the click is recorded on the interview
    assert response["statusCode"] == 302 and header(response, "Location") == raw_url
    assert interview_store.get_interview("int-clicker").clicked_link_at is not None


@pytest.fixture
def holdout_share(monkeypatch):
    """Set NUDGE_HOLDOUT_SHARE for this test; the settings are read afresh, and again after the test."""
    def set_share(value: str) -> None:
        monkeypatch.setenv("NUDGE_HOLDOUT_SHARE", value)
        get_settings.cache_clear()

    yield set_share
    monkeypatch.delenv("NUDGE_HOLDOUT_SHARE", raising=False)
    get_settings.cache_clear()


def test_a_held_out_high_risk_candidate_gets_no_nudge_and_keeps_the_arm_when_the_share_changes(
        system, hour, holdout_share):
    # GIVEN a high-risk candidate (started nothing) and a holdout share of 100%
    register("control", hour + timedelta(hours=24, minutes=10), [])
    holdout_share("1")
    # WHEN the hourly run reminds
    first = run_at(system, hour)
    # THEN the candidate is reminded but not nudged, and the interview is stored as held out
    assert (first["reminded"], first["nudged"], first["held_out"]) == (1, 0, 1)
    assert subjects(system, "control") == ["Reminder: your interview for Backend Engineer is tomorrow"]
    assert interview_store.get_interview("int-control").nudge_arm == "held_out"
    # WHEN the share drops to 0 and the run is repeated
    holdout_share("0")
    second = run_at(system, hour)
    # THEN the stored arm holds: still no nudge
    assert (second["nudged"], second["held_out"]) == (0, 1)
    assert interview_store.get_interview("int-control").nudge_arm == "held_out"
    assert len(subjects(system, "control")) == 1
    # WHEN the candidate attends: analytics counts the outcome in the held-out arm
    ingest.count({"id": "evt-1", "detail-type": "InterviewAttended", "time": to_iso(hour),
                  "detail": {"version": "1", "interview_id": "int-control", "candidate_id": "control"}})
    # THEN the day's counters have it
    assert counter_store.aggregates_on(hour.date().isoformat())["nudge#held_out#attended"][0] == 1


def test_a_holdout_share_outside_0_to_1_is_refused_when_settings_are_read(holdout_share):
    # GIVEN a share outside 0..1
    holdout_share("1.5")
    # THEN reading the settings fails with a message naming the variable
    with pytest.raises(ValidationError, match="NUDGE_HOLDOUT_SHARE"):
        get_settings()
