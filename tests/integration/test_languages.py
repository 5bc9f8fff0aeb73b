"""Readers in six languages, through the real handlers on moto.

A language we lack never loses an interview: the tag the ATS sent is stored as given, and every reader (the
invitation, the portal) gets the closest language we have. Pages and mails in each non-English language carry no
English sentence from the catalog; API problems keep a stable code and read in the caller's language."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import boto3

from functions.core.i18n import translator
from functions.core.models import Initiator, Locale
from functions.domain import cancellations
from functions.integration import links
from functions.integration.data import candidate_store, interview_store, request_store
from functions.notify import events
from tests.integration.conftest import header, interview_event
from tests.integration.test_workflow import _approval_token
from tests.unit.test_i18n import english_sentences_in


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


# ---- the pages, in every language but English ---------------------------------------------------------------------

NON_ENGLISH = [locale for locale in Locale if locale is not Locale.EN]


def _html_lang(response: dict) -> str:
    return re.search(r'<html lang="([^"]+)"', response["body"]).group(1)


def test_portal_approval_and_message_pages_in_each_other_language_show_no_english(system):
    # GIVEN Li Wei's interview (zh-CN) and her cancellation waiting for the recruiter's decision
    events.handle("InterviewScheduled", interview_event("int-1", "cand-1"))
    request = cancellations.submit(interview_id="int-1", initiator=Initiator.CANDIDATE, actor="candidate:cand-1",
                                   reason_code="illness", reason_text=None, idempotency_key="key-int-1",
                                   candidate_id="cand-1")
    token = _approval_token(system, request.request_id)
    # AND a candidate for each language, registered with a regional tag of it (ja-JP, es-MX, ...)
    tags = {Locale.ZH_CN: "zh-Hans-CN", Locale.ZH_TW: "zh-HK", Locale.JA: "ja-JP", Locale.KO: "ko-KR",
            Locale.ES: "es-MX"}
    for locale, tag in tags.items():
        event = interview_event(f"int-{locale.value}", f"cand-{locale.value}")
        event["candidate"].update({"locale": tag, "email": f"{locale.value}@mail.example.com"})
        events.handle("InterviewScheduled", event)
    # THEN each got the invitation in their language, the time written their way, and no English sentence
    for locale in tags:
        [invitation] = _mails_to(system, f"{locale.value}@mail.example.com")
        assert invitation["subject"] == translator(locale)("mail.invitation.subject", job_title="Backend Engineer")
        assert english_sentences_in(invitation["html"]) == [] and english_sentences_in(invitation["text"]) == []
        assert re.search(r"2\d{3}(年|년)" if locale is not Locale.ES else r" de 2\d{3}, ", invitation["text"])
    for locale in NON_ENGLISH:
        # WHEN the candidate's portal and the recruiter's approval page are opened in that language
        portal = system.http("GET", f"/portal/{links.candidate_token(f'cand-{locale.value}')}")
        approval = _get_in(system, f"/approvals/{token}", locale, function="approve")
        # THEN both are in that language, with its own words and none of the English catalog's sentences
        for response in (portal, approval):
            assert response["statusCode"] == 200 and _html_lang(response) == locale.value
            assert english_sentences_in(response["body"]) == [], locale.value
        assert translator(locale)("page.my_interviews") in portal["body"]
        assert translator(locale)("page.approve") in approval["body"]
        assert translator(locale)("reason.illness") in approval["body"]
    # AND the decision and the retention-sent pages (the message page) are in the recruiter's language too
    decided = system.http("POST", f"/approvals/{token}", function="approve", body="decision=reject&comment=ok",
                          headers={"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "ja"})
    assert _html_lang(decided) == "ja" and english_sentences_in(decided["body"]) == []
    assert translator(Locale.JA)("page.decided", decision=translator(Locale.JA)("page.reject")) in decided["body"]
    sent = system.http("POST", f"/approvals/{token}/retention", function="approve", body="message=Bitte",
                       headers={"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "ko-KR"})
    assert sent["statusCode"] == 200 and _html_lang(sent) == "ko" and english_sentences_in(sent["body"]) == []
    assert translator(Locale.KO)("page.retention_sent") in sent["body"]
    # AND the check itself finds English on the English page
    english = system.http("GET", f"/approvals/{token}", function="approve", headers={"Accept-Language": "en"})
    assert english_sentences_in(english["body"]) != []


def _get_in(system, path: str, locale: Locale, function: str = "cancel") -> dict:
    return system.http("GET", path, function=function, headers={"Accept-Language": f"{locale.value};q=1"})


# ---- API problems: a stable code, the detail in the caller's language ---------------------------------------------

def _cancel(system, interview_id: str, candidate_id: str, headers: dict | None = None) -> dict:
    return system.http("POST", f"/api/candidate/interviews/{interview_id}/cancellations",
                       body={"reason_code": "illness"},
                       headers={"Authorization": f"Bearer {links.candidate_token(candidate_id)}",
                                "Idempotency-Key": str(uuid.uuid4()), **(headers or {})})


def test_a_too_late_cancellation_is_refused_in_the_candidates_language_with_a_stable_code(system):
    # GIVEN Li Wei (stored language zh-CN) whose interview starts in 90 minutes, inside the 2-hour notice period
    events.handle("InterviewScheduled", interview_event("int-late", "cand-1", starts_in=timedelta(minutes=90)))
    mails_before = len(system.sent_mail())
    # WHEN she tries to cancel online, once without a language preference and once from a Japanese browser
    chinese = _cancel(system, "int-late", "cand-1")
    japanese = _cancel(system, "int-late", "cand-1", {"Accept-Language": "ja-JP,ja;q=0.9"})
    # THEN both are refused with the same machine-readable code, each detail in its language, naming the recruiter
    for response, language in ((chinese, "zh-CN"), (japanese, "ja")):
        problem = json.loads(response["body"])
        assert response["statusCode"] == 409 and problem["code"] == "too_late_to_cancel"
        assert header(response, "Content-Language") == language
        assert "chen.jing@company.example.com" in problem["detail"]
    assert json.loads(chinese["body"])["detail"].startswith("面试开始前不足 ")
    assert "オンラインではキャンセルできません" in json.loads(japanese["body"])["detail"]
    # AND nothing changed: the interview is still scheduled, no request exists, no mail went out
    assert interview_store.get_interview("int-late").status == "SCHEDULED"
    assert request_store.requests_of("cand-1") == []
    assert len(system.sent_mail()) == mails_before


def test_an_english_speaking_caller_still_reads_english_and_a_bad_body_names_its_fields_in_the_language(system):
    # GIVEN a registered interview
    events.handle("InterviewScheduled", interview_event("int-1", "cand-1"))
    # WHEN an invalid body is sent from a Korean browser, and a call with a forged token from an English one
    invalid = system.http(
        "POST", "/api/candidate/interviews/int-1/cancellations", body={"reason_code": "no-such-reason"},
        headers={"Authorization": f"Bearer {links.candidate_token('cand-1')}", "Idempotency-Key": str(uuid.uuid4()),
                 "Accept-Language": "ko"})
    forged = system.http("POST", "/api/candidate/interviews/int-1/cancellations", body={"reason_code": "illness"},
                         headers={"Authorization": "Bearer forged", "Idempotency-Key": str(uuid.uuid4()),
                                  "Accept-Language": "en-US"})
    # THEN each carries its code and the detail in the caller's language
    assert invalid["statusCode"] == 422 and json.loads(invalid["body"])["code"] == "invalid_request"
    assert json.loads(invalid["body"])["detail"].startswith("다음 항목을 확인해 주세요: ")
    assert forged["statusCode"] == 403 and json.loads(forged["body"])["code"] == "link_invalid"
    assert json.loads(forged["body"])["detail"] == "This link is not valid."
    assert request_store.requests_of("cand-1") == []


def test_an_error_page_reads_in_the_browsers_language(system):
    # GIVEN a personal link that is not valid WHEN a Korean browser opens it
    response = system.http("GET", "/portal/not-a-token", headers={"Accept-Language": "ko-KR,ko;q=0.9"})
    # THEN the page says so in Korean, with no English sentence
    assert response["statusCode"] == 403 and _html_lang(response) == "ko"
    assert translator(Locale.KO)("page.error_title") in response["body"]
    assert english_sentences_in(response["body"]) == []
