"""Reminders: the hourly run reminds every candidate whose interview starts 24 to 25 hours later, once, found by
an index query (never a Scan), and nudges those at high risk of cancelling (a rule until the risk model)."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest
from botocore.client import BaseClient

from functions.integration.data import candidate_store, interview_store
from functions.notify import events
from functions.core.clock import to_iso
from functions.core.observability import HandlerFailed
from local_runtime.lambda_events import scheduled_event
from tests.integration.conftest import interview_event
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
                     "failed": 0, "approvers_reminded": 0}
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
