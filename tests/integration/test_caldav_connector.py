"""The CalDAV connector against a real Radicale server on loopback: an interview written, moved and removed is one
entry and then none, as the interviewer's own client sees it; stale and repeated writes change nothing; changes
since a sync token show what the interviewer did (declined, deleted); credentials come from Secrets Manager; a
server that is down fails the write, and the retry once it is back writes exactly one entry."""

from __future__ import annotations

import json
from datetime import timezone

import boto3
import pytest
import requests
from caldav.lib import error
from icalendar import Calendar
from moto import mock_aws

from functions.integration.caldav_calendar import CalDAVCalendar, resource_name
from functions.integration.calendar_connector import CalendarEvent, Connection, connection_for
from local_runtime.radicale import Radicale

JUN = "jun.park@company.example.com"
USER = "jun.park"  # the local part of the interviewer's address, as a domain-wide connection fills it in
USERS = {USER: "jun-password"}


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    server = Radicale(tmp_path_factory.mktemp("radicale"), dict(USERS)).start()
    yield server
    server.stop()


@pytest.fixture
def calendar_url(radicale, request):
    return radicale.make_calendar(USER, name=f"interviews-{abs(hash(request.node.name)) % 10**8}")


def interview(sequence: int = 0, starts_at: str = "2030-01-15T06:00:00Z", uid: str = "int-1@interviews.cancellations"):
    return CalendarEvent(uid=uid, sequence=sequence, title="Backend Engineer", starts_at=starts_at,
                         duration_minutes=45, organizer_email="chen.jing@company.example.com",
                         attendee_emails=("li.wei@mail.example.com", JUN))


def seen(radicale, url) -> list[tuple[str, int, str]]:
    """(UID, SEQUENCE, start in UTC) of every event the interviewer's own client sees."""
    found = []
    for event in radicale.events(USER, url):
        vevent = Calendar.from_ical(event.data).walk("VEVENT")[0]
        found.append((str(vevent["UID"]), int(vevent["SEQUENCE"]),
                      vevent.decoded("DTSTART").astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")))
    return found


def test_an_interview_written_moved_and_removed_is_one_entry_then_none(radicale, calendar_url):
    connector = CalDAVCalendar(calendar_url, USER, USERS[USER])
    # WHEN the interview is written
    assert connector.create_event(interview()) is True
    # THEN the interviewer's calendar has it
    assert seen(radicale, calendar_url) == [("int-1@interviews.cancellations", 0, "2030-01-15T06:00Z")]
    # WHEN it is moved (sequence 1, a new time)
    assert connector.update_event(interview(1, "2030-01-16T09:30:00+08:00")) is True
    # THEN there is still one entry, at the new time with the new sequence
    assert seen(radicale, calendar_url) == [("int-1@interviews.cancellations", 1, "2030-01-16T01:30Z")]
    # WHEN a late retry of the first write, and of the creation, arrive
    assert connector.update_event(interview(0)) is False
    assert connector.create_event(interview(0)) is False
    # THEN nothing changed
    assert seen(radicale, calendar_url) == [("int-1@interviews.cancellations", 1, "2030-01-16T01:30Z")]
    # WHEN the interview is cancelled, and the removal is repeated
    assert connector.remove_event("int-1@interviews.cancellations") is True
    assert connector.remove_event("int-1@interviews.cancellations") is False
    # THEN the entry is gone
    assert seen(radicale, calendar_url) == []


def test_an_update_of_an_entry_never_written_creates_it(radicale, calendar_url):
    # GIVEN a calendar connected after the interview was scheduled (and an ATS UID with characters to escape)
    connector = CalDAVCalendar(calendar_url, USER, USERS[USER])
    uid = "040000008200E00074C5B7101A82E008/ats@ats.example.com"
    # WHEN the interview's move is written
    assert connector.update_event(interview(4, uid=uid)) is True
    # THEN the calendar has the entry under the ATS's UID
    assert seen(radicale, calendar_url) == [(uid, 4, "2030-01-15T06:00Z")]


def test_changes_since_a_token_show_what_the_interviewer_did(radicale, calendar_url):
    # GIVEN the interview in the interviewer's calendar and the token after our write
    connector = CalDAVCalendar(calendar_url, USER, USERS[USER])
    connector.create_event(interview())
    first = connector.changes_since(None)
    assert first.complete and [(c.uid, c.removed, c.sequence) for c in first.changes] == [
        ("int-1@interviews.cancellations", False, 0)]
    assert connector.changes_since(first.sync_token).changes == []  # nothing happened since
    # WHEN the interviewer declines it in their own client
    [own] = radicale.events(USER, calendar_url)
    declined = Calendar.from_ical(own.data)
    for attendee in declined.walk("VEVENT")[0]["ATTENDEE"]:
        if str(attendee).endswith(JUN):
            attendee.params["PARTSTAT"] = "DECLINED"
    own.client.put(str(own.url), declined.to_ical().decode(), {"Content-Type": "text/calendar; charset=utf-8"})
    # THEN the next read shows the decline, not a change of ours (the sequence is the one we wrote)
    second = connector.changes_since(first.sync_token)
    assert not second.complete
    assert [(c.uid, c.removed, c.sequence, c.declined_by) for c in second.changes] == [
        ("int-1@interviews.cancellations", False, 0, (JUN,))]
    # WHEN the interviewer deletes the entry
    own.delete()
    # THEN the next read reports it removed, by its name in the calendar
    third = connector.changes_since(second.sync_token)
    assert [(c.resource, c.removed) for c in third.changes] == [
        (resource_name("int-1@interviews.cancellations"), True)]


def test_a_token_the_server_does_not_know_gives_the_complete_list(radicale, calendar_url):
    connector = CalDAVCalendar(calendar_url, USER, USERS[USER])
    connector.create_event(interview())
    # WHEN the token is one the server never gave
    changes = connector.changes_since("http://radicale.org/ns/sync/not-a-token")
    # THEN the answer is everything there is, marked complete, with a fresh token
    assert changes.complete and [c.uid for c in changes.changes] == ["int-1@interviews.cancellations"]
    assert changes.sync_token.startswith("http")


def test_credentials_come_from_secrets_manager_and_wrong_ones_write_nothing(radicale, calendar_url):
    # GIVEN the interviewer's connection configured per domain, its secret in Secrets Manager
    with mock_aws():
        secrets = boto3.client("secretsmanager", region_name="us-east-1")
        good = secrets.create_secret(Name="calendar/jun", SecretString=json.dumps(
            {"username": USER, "password": USERS[USER]}))["ARN"]
        bad = secrets.create_secret(Name="calendar/wrong", SecretString=json.dumps(
            {"username": USER, "password": "not-it"}))["ARN"]
        template = calendar_url.replace(f"/{USER}/", "/{user}/")
        connection = connection_for(JUN, {"@company.example.com": {"url": template, "secret_arn": good}})
        connector = CalDAVCalendar.connect(connection, secrets)
        refused = CalDAVCalendar.connect(Connection(url=calendar_url, secret_arn=bad), secrets)
    assert connection.url == calendar_url
    # WHEN both write the interview
    with pytest.raises(error.AuthorizationError):
        refused.create_event(interview())
    assert seen(radicale, calendar_url) == []
    # THEN only the right credentials write it
    assert connector.create_event(interview()) is True
    assert [uid for uid, _, _ in seen(radicale, calendar_url)] == ["int-1@interviews.cancellations"]


def test_a_server_that_is_down_fails_the_write_and_the_retry_writes_one_entry(radicale, calendar_url):
    connector = CalDAVCalendar(calendar_url, USER, USERS[USER])
    # GIVEN the calendar server is down
    radicale.stop()
    try:
        # WHEN the interview is written
        # THEN the write fails (the queue would retry it) and nothing is there
        with pytest.raises(requests.exceptions.ConnectionError):
            connector.create_event(interview())
    finally:
        radicale.start()  # the same port and folder
    assert seen(radicale, calendar_url) == []
    # WHEN the write is retried, twice (a redelivery)
    assert connector.create_event(interview()) is True
    assert connector.create_event(interview()) is False
    # THEN there is exactly one entry
    assert len(seen(radicale, calendar_url)) == 1


def test_an_entry_the_ats_put_under_another_name_is_updated_and_removed_where_it_is(radicale, calendar_url):
    # GIVEN the ATS's invitation accepted into the interviewer's calendar under a name of its client's choosing
    uid = "ats-77@ats.example.com"
    client = CalDAVCalendar(calendar_url, USER, USERS[USER])._client
    client.put(calendar_url + "accepted-invite.ics", interview(3, uid=uid).to_ical().decode(),
               {"Content-Type": "text/calendar; charset=utf-8"})
    connector = CalDAVCalendar(calendar_url, USER, USERS[USER])
    # WHEN our move (sequence 4) is written, and then the cancellation removes it
    assert connector.create_event(interview(3, uid=uid)) is False  # it is there already
    assert connector.update_event(interview(4, "2030-01-20T08:00:00Z", uid=uid)) is True
    # THEN the one entry was updated where it is
    assert seen(radicale, calendar_url) == [(uid, 4, "2030-01-20T08:00Z")]
    assert [str(e.url).rsplit("/", 1)[-1] for e in radicale.events(USER, calendar_url)] == ["accepted-invite.ics"]
    assert connector.remove_event(uid) is True
    assert seen(radicale, calendar_url) == []
