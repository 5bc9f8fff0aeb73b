"""The candidate's journey read in each of the six languages, in Debian's chromium on a 390 px phone, against the
shared local system: the portal, the approver's page (from the approval e-mail's link) and the outcome e-mail; and
the refusal of a too-late cancellation in zh-CN and ja.

Issue #16 asks for these as pictures: every shot lands in test-artifacts/screenshots/i18n, and with SCREENSHOTS=1
(`make screenshots`) also in docs/screenshots/i18n, the copies the README shows. The assertions are the point,
the pictures their evidence: each page carries its language, fits the phone's width, and, when it is not English,
shows none of the English catalog's sentences nor an English label standing alone.
"""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from functions.core.i18n import catalog, translator
from functions.core.models import Locale
from tests.e2e.conftest import (REPO, VIEWPORTS, approval_link, cancel, final, items_naming, mails_to, settled,
                                wait_for)
from tests.unit.test_i18n import english_sentences_in

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

expect.set_options(timeout=30_000)

ARTIFACTS = REPO / "test-artifacts" / "screenshots" / "i18n"
DOCS = REPO / "docs" / "screenshots" / "i18n"
PHONE = VIEWPORTS["phone"]
LANGUAGES = [locale.value for locale in Locale]
# What the candidate writes as their reason, in their own words (their text is shown to the approver as written).
REASON_TEXT = {"en": "I have an exam that day.", "zh-CN": "那天我有考试。", "zh-TW": "那天我有考試。",
               "ja": "その日は試験があります。", "ko": "그날 시험이 있습니다.", "es": "Ese día tengo un examen."}
JOB_TITLE = "Backend Engineer"  # tests/events/interview_scheduled.json: the ATS's data, not ours to translate


def _shot(page: Page, name: str) -> None:
    """The phone's screen as the reader first sees it (not the whole page: the pictures stay small)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}-phone.png")
    if os.environ.get("SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=DOCS / f"{name}-phone.png")


def _reads_in(page: Page, language: str) -> None:
    """The page says its language, fits a 390 px phone, and (unless English) shows no English catalog sentence."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    widths = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    assert max(widths[:2]) <= PHONE["width"] and widths[2] == PHONE["width"], widths
    visible = page.evaluate("document.title + '\\n' + document.body.innerText")
    english = english_sentences_in(visible)
    # On the English page the same check finds the catalog's sentences: it sees what the reader sees.
    assert (english == []) is (language != "en"), (language, page.url, english)
    if language != "en":
        labels = _english_labels(language)
        assert [text for text in page.evaluate(VISIBLE_TEXTS) if text.rstrip(":") in labels] == [], page.url


# Visible text nodes (not in <head>, <script> or hidden elements), each trimmed.
VISIBLE_TEXTS = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) {
    const node = walker.currentNode, element = node.parentElement, text = node.textContent.trim();
    if (text && element && element.offsetParent !== null) texts.push(text);
  }
  return texts;
}"""


def _english_labels(language: str) -> set[str]:
    """The English catalog's short texts (buttons, labels, statuses) that `language` words differently: one of
    them standing alone on a `language` page is an untranslated label, however short."""
    def forms(message: str | dict[str, str]) -> list[str]:  # a message with a count has a form per plural category
        return list(message.values()) if isinstance(message, dict) else [message]
    english, own = catalog(Locale.EN), catalog(Locale(language))
    return {form for key, message in english.items() for form in forms(message)
            if "{" not in form and form not in forms(own[key])}


def _phone(browser: Browser, language: str):
    """A phone whose browser asks for `language` (its Accept-Language): how a staff reader's language is picked."""
    context = browser.new_context(viewport=PHONE, locale=language)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


@pytest.mark.parametrize("language", LANGUAGES)
def test_portal_approval_page_and_outcome_mail_each_read_in_the_candidates_language_on_a_phone(local, browser,
                                                                                              language):
    # GIVEN a candidate whose stored language is `language`, an interview three days ahead, a browser that asks
    # for English (the stored language wins on the portal)
    t = translator(Locale(language))
    interview_id = f"i18n-{language}-{uuid.uuid4().hex[:8]}"
    candidate_id = f"c-{interview_id}"
    token = local.register(interview_id, candidate_id, timedelta(days=3), locale=language)
    context, page, errors = _phone(browser, "en-GB")
    try:
        # WHEN they open their portal
        page.goto(f"{local.base}/portal/{token}")
        # THEN it is in their language, their interview on it, nothing wider than the phone
        expect(page.get_by_role("heading", name=t("page.my_interviews"))).to_be_visible()
        expect(page.locator(f"#interview-{interview_id} .status")).to_have_text(t("status.SCHEDULED"))
        _reads_in(page, language)
        _shot(page, f"portal-{language}")
    finally:
        context.close()
    assert errors == []

    # GIVEN they asked to cancel with a reason that needs a person's approval
    response = cancel(local, token, interview_id, reason="other", text=REASON_TEXT[language])
    assert response.status_code == 202, response.text
    request_id = response.json()["request_id"]
    link = approval_link(local, request_id)
    # WHEN the approver, whose browser asks for the same language, opens the link from the approval e-mail
    context, page, errors = _phone(browser, language)
    try:
        page.goto(link)
        # THEN the approval page is in that language, with the candidate's own words, and fits the phone
        expect(page.get_by_role("heading", name=t("page.approval_title"))).to_be_visible()
        expect(page.locator(".reason")).to_contain_text(REASON_TEXT[language])
        _reads_in(page, language)
        _shot(page, f"approval-{language}")
        # WHEN they approve
        page.locator("button[value=approve]").click()
        expect(page.locator("#notice")).to_be_visible()
        _reads_in(page, language)
    finally:
        context.close()
    assert errors == []
    # THEN the request is approved and the interview cancelled for real
    assert final(local, request_id)["status"] == "APPROVED"
    wait_for(lambda: local.item("interviews", {"interview_id": interview_id})["status"] == "CANCELLED")

    # AND the candidate's outcome e-mail is in their language, and its HTML reads on a 390 px phone
    subject = t("mail.approved.subject", job_title=JOB_TITLE)
    [mail] = wait_for(lambda: [m for m in mails_to(local, f"{candidate_id}@mail.example.com")
                               if m["subject"] == subject])
    context, page, errors = _phone(browser, language)
    try:
        page.set_content(mail["html"], wait_until="load")
        expect(page.locator("body")).to_contain_text(subject)
        _reads_in(page, language)
        _shot(page, f"mail-outcome-{language}")
    finally:
        context.close()
    assert errors == []


@pytest.mark.parametrize("language", ["zh-CN", "ja"])
def test_a_too_late_cancellation_is_refused_in_the_candidates_language_and_changes_nothing(local, browser,
                                                                                          language):
    # GIVEN a candidate (stored language zh-CN or ja) whose interview starts in one hour, inside the two hours'
    # minimum notice, on a phone whose browser asks for English
    t = translator(Locale(language))
    interview_id = f"i18n-late-{language}-{uuid.uuid4().hex[:8]}"
    candidate_id = f"c-{interview_id}"
    token = local.register(interview_id, candidate_id, timedelta(hours=1), locale=language)
    settled(local)  # the invitation and whatever else registering does have happened
    before = items_naming(local, interview_id, candidate_id)
    mails_before = mails_to(local, f"{candidate_id}@mail.example.com")
    context, page, errors = _phone(browser, "en-GB")
    try:
        page.goto(f"{local.base}/portal/{token}")
        section = page.locator(f"#interview-{interview_id}")
        # WHEN they try to cancel in the portal: reason, continue, confirm
        section.locator("details.cancel summary").click()
        section.locator("select[name=reason_code]").select_option("illness")
        section.locator("button.continue").click()
        section.locator("button.confirm-yes").click()
        # THEN the refusal is shown in their language (the API problem's detail), naming the notice and the contact
        result = section.locator(".cancel-form .result")
        expected = t("problem.too_late_to_cancel", hours="2", contact="chen.jing@company.example.com")
        expect(result).to_have_text(expected)
        expect(result).to_have_class("result error")
        _reads_in(page, language)
        section.scroll_into_view_if_needed()
        result.scroll_into_view_if_needed()
        _shot(page, f"refusal-{language}")
    finally:
        context.close()
    assert errors == []
    # AND nothing changed: the interview is still scheduled, no request exists, no mail went out about it
    assert local.item("interviews", {"interview_id": interview_id})["status"] == "SCHEDULED"
    assert items_naming(local, interview_id, candidate_id) == before
    assert mails_to(local, f"{candidate_id}@mail.example.com") == mails_before
