"""A language we lack never loses an interview: the tag the ATS sent is stored as given, and every reader (the
invitation, the portal) gets the closest language we have."""

from __future__ import annotations

import json

import boto3

from functions.integration import links
from functions.integration.data import candidate_store, interview_store
from functions.notify import events
from tests.integration.conftest import interview_event


def _register(interview_id: str, candidate_id: str, locale: str, email: str) -> None:
    event = interview_event(interview_id, candidate_id)
    event["candidate"].update({"locale": locale, "email": email, "timezone": "America/Toronto"})
    events.handle("InterviewScheduled", event)


def _mails_to(system, address: str) -> list[dict]:
    return [m for m in system.sent_mail() if address in m["to"]]


def test_an_interview_for_a_candidate_in_a_language_we_lack_is_registered_and_the_tag_kept(system):
    # GIVEN an InterviewScheduled whose candidate reads Canadian French, a language we have no messages in
    # WHEN the notify function handles it
    _register("int-fr", "cand-fr", "fr-CA", "amelie@mail.example.com")
    # THEN the interview is registered, the candidate's tag is stored exactly as the ATS sent it
    assert interview_store.get_interview("int-fr") is not None
    assert candidate_store.get_candidate("cand-fr").locale == "fr-CA"
    # AND the invitation went out once, in the deployment's default language (English), with the personal link
    [invitation] = _mails_to(system, "amelie@mail.example.com")
    assert invitation["subject"] == "Your interview for Backend Engineer"
    assert "/portal/" in invitation["text"]


def test_an_interview_in_a_language_we_lack_put_on_the_bus_reaches_no_dead_letter_queue(system):
    # GIVEN the ATS puts an InterviewScheduled for a Canadian French candidate on the bus
    detail = interview_event("int-bus-fr", "cand-bus-fr")
    detail["candidate"].update({"locale": "fr-CA", "email": "bus.fr@mail.example.com"})
    response = boto3.client("events").put_events(Entries=[{
        "Source": "interviews.ats", "DetailType": "InterviewScheduled", "Detail": json.dumps(detail),
        "EventBusName": system.resources.bus_name}])
    assert response["FailedEntryCount"] == 0
    # WHEN the queues are delivered to the notify function
    system.drain()
    # THEN it is registered, the candidate invited, and nothing is left in any dead-letter queue
    assert interview_store.get_interview("int-bus-fr") is not None
    assert candidate_store.get_candidate("cand-bus-fr").locale == "fr-CA"
    assert len(_mails_to(system, "bus.fr@mail.example.com")) == 1
    assert system.dlq_depth() == 0


def test_a_malformed_language_tag_is_refused_and_nothing_is_registered(system):
    # GIVEN an InterviewScheduled whose locale is not a language tag at all
    event = interview_event("int-bad", "cand-bad")
    event["candidate"]["locale"] = "fr CA; drop"
    # WHEN the notify function handles it THEN validation fails, naming the field
    try:
        events.handle("InterviewScheduled", event)
        raised = None
    except Exception as exc:  # noqa: BLE001 - the handler's validation error, whatever its class
        raised = exc
    assert raised is not None and "locale" in str(raised)
    # AND nothing was stored or sent
    assert interview_store.get_interview("int-bad") is None
    assert candidate_store.get_candidate("cand-bad") is None
    assert system.sent_mail() == []


def test_the_portal_of_a_candidate_in_a_language_we_lack_follows_the_browser_then_the_default(system):
    # GIVEN a registered Canadian French candidate
    _register("int-fr", "cand-fr", "fr-CA", "amelie@mail.example.com")
    token = links.candidate_token("cand-fr")
    # WHEN her browser asks for French, then Chinese
    chinese = system.http("GET", f"/portal/{token}", headers={"Accept-Language": "fr-CA,fr;q=0.9,zh-CN;q=0.5"})
    # AND another time without any header
    default = system.http("GET", f"/portal/{token}")
    # THEN the first page is in Chinese (the first language of hers we have), the second in English
    assert chinese["statusCode"] == 200 and '<html lang="zh-CN"' in chinese["body"] and "我的面试" in chinese["body"]
    assert default["statusCode"] == 200 and '<html lang="en"' in default["body"] and "My interviews" in default["body"]
    # AND her stored tag is unchanged
    assert candidate_store.get_candidate("cand-fr").locale == "fr-CA"
