"""The Microsoft 365 connector (Microsoft Graph, tokens with msal) against a fake Graph that answers with the
documented request and response shapes (tests/integration/graph_fake.py), over HTTPS on loopback: the same
connector interface as CalDAV. Not a real Microsoft 365 tenant: see docs/calendars.md."""

from __future__ import annotations

import pytest

from functions.integration.calendar_connector import CalendarEvent
from functions.integration.graph_calendar import SEQUENCE_PROPERTY, UID_PROPERTY, CalendarWriteError, GraphCalendar
from tests.integration.graph_fake import FakeGraph

OWNER = "jun.park@company.example.com"
UID = "int-1@interviews.cancellations"


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    fake = FakeGraph(tmp_path_factory.mktemp("graph")).start()
    yield fake
    fake.stop()


@pytest.fixture
def trusted(graph, monkeypatch):
    """requests (and msal through it) trust the fake's throwaway certificate, as a CA bundle."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(graph.cert))
    graph.events.clear()
    graph.requests.clear()
    return graph


def calendar(graph, secret: str | None = None) -> GraphCalendar:
    return GraphCalendar(graph.mailbox_url(OWNER), OWNER, graph.tenant, graph.client_id,
                         secret or graph.client_secret, authority=graph.authority)


def event(sequence: int = 0, starts_at: str = "2030-01-15T06:00:00+00:00") -> CalendarEvent:
    return CalendarEvent(uid=UID, sequence=sequence, title="Backend Engineer", starts_at=starts_at,
                         duration_minutes=45, organizer_email="chen.jing@company.example.com",
                         attendee_emails=("li.wei@mail.example.com", OWNER))


def stored(graph) -> list[dict]:
    return list(graph.events.get(OWNER, {}).values())


def test_the_entry_is_written_once_follows_a_move_never_goes_back_and_is_removed(trusted):
    graph = trusted
    connector = calendar(graph)
    # WHEN the interview is written, and written again (a retry)
    assert connector.create_event(event()) is True
    assert connector.create_event(event()) is False
    # THEN the mailbox has one event: UTC times, our UID and sequence as extended properties, no attendees
    [created] = stored(graph)
    assert created["start"] == {"dateTime": "2030-01-15T06:00:00.000", "timeZone": "UTC"}
    assert created["end"] == {"dateTime": "2030-01-15T06:45:00.000", "timeZone": "UTC"}
    assert {p["id"]: p["value"] for p in created["singleValueExtendedProperties"]} == {
        UID_PROPERTY: UID, SEQUENCE_PROPERTY: "0"}
    assert "attendees" not in created and created["transactionId"]
    # AND the request carried the app's token from the client-credentials flow
    [token_request] = [r for r in graph.requests if r[1].endswith("/oauth2/v2.0/token")]
    assert token_request[3]["grant_type"] == "client_credentials"
    # WHEN it moves (sequence 1), then a late retry of the old write comes
    assert connector.update_event(event(1, "2030-01-16T06:00:00+00:00")) is True
    assert connector.update_event(event(0)) is False
    # THEN the one event is at the new time with sequence 1 (a PATCH of the same event)
    [moved] = stored(graph)
    assert moved["id"] == created["id"] and moved["start"]["dateTime"] == "2030-01-16T06:00:00.000"
    assert connector.resource_of(UID) == created["id"]
    # WHEN it is removed, twice
    assert connector.remove_event(UID) is True
    assert connector.remove_event(UID) is False
    assert stored(graph) == []


def test_changes_since_a_delta_token_show_the_owners_deletion_and_decline(trusted):
    graph = trusted
    connector = calendar(graph)
    connector.create_event(event())
    # GIVEN the first read (no token: everything, complete)
    first = connector.changes_since(None)
    assert first.complete and [c.resource for c in first.changes] == [connector.resource_of(UID)]
    event_id = connector.resource_of(UID)
    # WHEN the owner declines it in Outlook
    graph.decline_as_owner(OWNER, event_id)
    declined = connector.changes_since(first.sync_token)
    # THEN the change names the owner as declining, at its time in UTC
    [change] = declined.changes
    assert not declined.complete and change.declined_by == (OWNER,) and change.resource == event_id
    assert change.starts_at == "2030-01-15T06:00:00.000Z"
    # WHEN the owner deletes it
    graph.delete_as_owner(OWNER, event_id)
    deleted = connector.changes_since(declined.sync_token)
    # THEN it is reported removed, by its Graph id
    assert [(c.resource, c.removed) for c in deleted.changes] == [(event_id, True)]


def test_an_unknown_delta_token_starts_over_with_everything(trusted):
    graph = trusted
    connector = calendar(graph)
    connector.create_event(event())
    # WHEN the token is one Graph no longer knows (410 Gone)
    changes = connector.changes_since(f"{graph.mailbox_url(OWNER)}/calendarView/delta?$deltatoken=999999")
    # THEN the connector reads everything again and says so
    assert changes.complete and len(changes.changes) == 1


def test_a_wrong_client_secret_is_a_write_error_and_nothing_is_written(trusted):
    graph = trusted
    # WHEN the app's secret is wrong
    with pytest.raises(CalendarWriteError):
        calendar(graph, secret="wrong").create_event(event())
    # THEN Graph was never called without a token, and nothing was written
    assert stored(graph) == []
    assert not [r for r in graph.requests if r[1].startswith("/v1.0/")]


def test_through_the_notify_queue_and_the_calendar_sync_a_deletion_in_outlook_opens_the_company_request(
        trusted, system, scheduled, monkeypatch):
    import json

    import boto3

    from functions.core.settings import get_settings
    from functions.domain.calendar import interviewer_calendars
    from functions.integration.data import request_store
    from local_runtime.lambda_events import scheduled_event

    graph = trusted
    # GIVEN the company's domain connected to Microsoft 365 (kind graph), the app's secret in Secrets Manager
    arn = boto3.client("secretsmanager").create_secret(Name="calendar-graph", SecretString=json.dumps({
        "tenant_id": graph.tenant, "client_id": graph.client_id, "client_secret": graph.client_secret,
        "authority": graph.authority}))["ARN"]
    monkeypatch.setenv("CALENDAR_CONNECTIONS", json.dumps({"@company.example.com": {
        "kind": "graph", "url": graph.mailbox_url("{email}"), "secret_arn": arn}}))
    get_settings.cache_clear()
    interviewer_calendars._connect.cache_clear()
    try:
        # WHEN Jun Park's interview is scheduled, the sync has read his calendar, and he deletes it in Outlook
        scheduled()
        [written] = stored(graph)
        assert system.invoke("notify", scheduled_event({"job": "calendar-sync"}))["opened"] == 0
        graph.delete_as_owner(OWNER, written["id"])
        result = system.invoke("notify", scheduled_event({"job": "calendar-sync"}))
        # THEN the company request interviewer_unavailable opens, as with CalDAV
        assert result["opened"] == 1
        assert [r.reason_code for r in request_store.requests_of("cand-1")] == ["interviewer_unavailable"]
    finally:
        monkeypatch.delenv("CALENDAR_CONNECTIONS")
        get_settings.cache_clear()
        interviewer_calendars._connect.cache_clear()
