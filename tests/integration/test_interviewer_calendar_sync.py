"""Interviewers' connected calendars follow the interview, through the notify queue, on a real Radicale server:
scheduled -> the entry is there; moved -> the same UID at the new time, one entry; cancellation approved -> the
entry is gone. The server down -> the message is retried, then dead-lettered; redriven once the server is back
-> exactly one entry, and the invitation mails were sent once."""

from __future__ import annotations

import argparse
import json
import uuid
from datetime import timedelta, timezone

import boto3
import pytest
from icalendar import Calendar

from cli import dlq
from functions.core.clock import from_iso, to_iso, utc_now
from functions.core.models import Initiator
from functions.core.settings import get_settings
from functions.domain import cancellations, moves
from functions.domain.calendar import interviewer_calendars
from tests.conftest import PREFIX
from local_runtime.radicale import Radicale
from tests.integration.test_notify_faults import deliver_until_empty, put_interview, queue  # noqa: F401

USER = "jun.park"  # Jun Park, the interviewer of the test events (jun.park@company.example.com)
PASSWORD = "jun-password"
UID = "int-1@interviews.cancellations"


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    server = Radicale(tmp_path_factory.mktemp("radicale"), {USER: PASSWORD}).start()
    yield server
    server.stop()


@pytest.fixture
def connected(system, radicale, monkeypatch, request):
    """Jun Park's calendar (fresh per test) connected for the company's domain, its password in Secrets Manager."""
    url = radicale.make_calendar(USER, name=f"cal-{uuid.uuid4().hex[:8]}")
    arn = boto3.client("secretsmanager").create_secret(
        Name=f"calendar-{uuid.uuid4().hex[:8]}", SecretString=json.dumps({"username": USER, "password": PASSWORD}))["ARN"]
    monkeypatch.setenv("CALENDAR_CONNECTIONS", json.dumps({"@company.example.com": {
        "url": url.replace(f"/{USER}/", "/{user}/"), "secret_arn": arn}}))
    get_settings.cache_clear()
    interviewer_calendars._connect.cache_clear()
    yield url
    monkeypatch.delenv("CALENDAR_CONNECTIONS")
    get_settings.cache_clear()
    interviewer_calendars._connect.cache_clear()


def entries(radicale, url) -> list[tuple[str, int, str]]:
    """(UID, SEQUENCE, start in UTC) of every event in the calendar, as the interviewer's own client sees it."""
    found = []
    for event in radicale.events(USER, url):
        vevent = Calendar.from_ical(event.data).walk("VEVENT")[0]
        found.append((str(vevent["UID"]), int(vevent["SEQUENCE"]),
                      to_iso(vevent.decoded("DTSTART").astimezone(timezone.utc))))
    return found


def cancelled_by_policy(system) -> None:
    """Li Wei cancels int-1 for a schedule conflict days ahead: the policy approves it; the queues are drained."""
    receipt = cancellations.submit(interview_id="int-1", initiator=Initiator.CANDIDATE, actor="candidate:cand-1",
                                   reason_code="schedule_conflict", reason_text=None,
                                   idempotency_key=f"key-{uuid.uuid4()}", candidate_id="cand-1")
    assert system.execution(receipt.request_id)["status"] == "SUCCEEDED"
    system.drain()


def test_the_interviewers_calendar_gets_the_interview_follows_its_move_and_loses_it_on_cancellation(
        system, radicale, connected, scheduled):
    # WHEN an interview with Jun Park is scheduled
    event = scheduled()
    # THEN his calendar has it, at its time, with sequence 0
    starts_at = to_iso(from_iso(event["starts_at"]))
    assert entries(radicale, connected) == [(UID, 0, starts_at)]
    # WHEN the candidate moves it
    [slot] = moves.publish_slots("job-1", [to_iso(utc_now().replace(microsecond=0) + timedelta(days=5))])
    moves.move("int-1", "cand-1", slot.slot_id)
    system.drain()
    # THEN the same entry is at the new time, sequence 1, and there is one entry
    assert entries(radicale, connected) == [(UID, 1, slot.starts_at)]
    # WHEN the candidate cancels and the policy approves
    cancelled_by_policy(system)
    # THEN the entry is gone from his calendar
    assert entries(radicale, connected) == []


def test_the_calendar_server_down_dead_letters_the_write_and_the_redrive_writes_one_entry(
        system, radicale, connected, queue, capsys):  # noqa: F811 - the notify queue fixture
    # GIVEN the calendar server is down
    radicale.stop()
    try:
        # WHEN the interview arrives and the queue has delivered it maxReceiveCount times
        put_interview(system, "int-1", "cand-1", "li.wei@mail.example.com")
        deliver_until_empty(system, queue)
        # THEN it is in the DLQ, and the invitations went out once each all the same
        assert system.dlq_depth() == 1
        invitations = [m["to"] for m in system.sent_mail() if any(
            a["filename"] == "invitation.ics" for a in m["attachments"])]
        assert sorted(invitations) == ["jun.park@company.example.com", "li.wei@mail.example.com"]
    finally:
        radicale.start()
    assert entries(radicale, connected) == []
    # WHEN the server is back and the operator redrives the DLQ
    parser = argparse.ArgumentParser(prog="interviews")
    dlq.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["dlq", "redrive", "--wait-seconds", "0", "--local", "--prefix", PREFIX,
                              "--rule", "notify"])
    assert args.func(args) == 0 and "moved 1 message(s)" in capsys.readouterr().out
    deliver_until_empty(system, queue)
    # THEN there is exactly one entry, the DLQ is empty, and no invitation was mailed twice
    assert [uid for uid, _, _ in entries(radicale, connected)] == [UID]
    assert system.dlq_depth() == 0
    assert len([m for m in system.sent_mail() if any(
        a["filename"] == "invitation.ics" for a in m["attachments"])]) == 2
