"""Every kind of e-mail we send, its HTML part rendered in Debian's chromium (Playwright) on a 390 px phone and a
desk: nothing may overflow sideways, and no visible text may be a raw URL (links are labelled buttons).

The mails are composed by functions/web/emails.py from the same keys and values the senders use
(functions/notify/events.py, functions/notify/reminders.py, functions/analytics/nightly.py), with the long signed
links real mails carry. The phone screenshots of a few in en and zh-CN are kept in docs/screenshots (README);
all of them land in test-artifacts/screenshots/mail.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from functions.core.clock import local_text
from functions.core.i18n import translator
from functions.core.models import Locale
from functions.web import emails
from functions.notify.readers import approval_buttons

pytestmark = [pytest.mark.browser]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "screenshots" / "mail"
DOCS = REPO / "docs" / "screenshots"
KEPT_IN_DOCS = {"invitation", "approval", "approved", "rejected"}  # shown in the README, in en and zh-CN
PHONE, DESK = {"width": 390, "height": 844}, {"width": 1280, "height": 800}
RAW_URL = re.compile(r"(?:https?://|www\.)\S", re.IGNORECASE)

# Real links carry a signed token: 150-300 characters with no place to break.
TOKEN = "eyJ2IjoxLCJyIjoicmVxLTlmM2E3YzJlLTRiMWQtNGU4Zi1hNmI1LTdjOGQ5ZTBmMWEyYiIsImwiOjAsImEiOiJyZWMtMSJ9." + "x" * 120
PORTAL = f"https://interviews.example.com/portal/{TOKEN}"
APPROVAL = f"https://interviews.example.com/approvals/{TOKEN}"
RATING = f"https://interviews.example.com/ratings/{TOKEN}"
OFFER = f"https://interviews.example.com/offers/{TOKEN}"
STARTS_AT, DUE_AT = "2030-01-15T06:00:00+00:00", "2030-01-13T06:00:00+00:00"
ICS = [emails.Attachment("invitation.ics", "text/calendar; charset=utf-8; method=REQUEST", b"BEGIN:VCALENDAR\r\n")]


def samples(locale: Locale) -> dict[str, emails.Message]:
    """One message per kind, as its sender builds it; the candidate reads in `locale` in Asia/Shanghai."""
    t = translator(locale)
    when, due = local_text(STARTS_AT, "Asia/Shanghai", locale), local_text(DUE_AT, "UTC", locale)
    person = {"name": "Li Wei", "job_title": "Senior Backend Engineer, Payments Platform (Shanghai)",
              "starts_at": when, "interview_id": "int-7f3c9a2e-long-reference-0001"}
    staff = {**person, "candidate": "Li Wei", "starts_at": local_text(STARTS_AT, "UTC", locale)}
    request = "req-9f3a7c2e-4b1d-4e8f-a6b5-7c8d9e0f1a2b"
    go = f"{PORTAL}/go/int-7f3c9a2e/"

    def message(kind: str, values: dict, body: str | None = None, **more) -> emails.Message:
        return emails.Message(key=f"sample:{kind}", to="li.wei@mail.example.com", locale=locale,
                              subject_key=f"mail.{kind}.subject", body_key=body or f"mail.{kind}.body",
                              values=values, **more)

    return {
        "invitation": message("invitation", {**person, "duration_minutes": 45}, link=PORTAL, attachments=ICS,
                              actions=[emails.Action("mail.button.ai_interview", go + "ai-interview"),
                                       emails.Action("mail.button.job_description", go + "job-description")],
                              notes=["mail.prepare.device", "mail.prepare.early", "mail.prepare.job",
                                     "mail.prepare.calendar"]),
        "invitation_interviewer": message("invitation_interviewer", staff, attachments=ICS),
        "receipt": message("receipt", {**person, "request_id": request, "status": t("request.RECEIVED")},
                           link=PORTAL),
        "approval": message("approval", {**staff, "reason": t("reason.illness"), "due_at": due,
                                         "request_id": request}, **approval_buttons(APPROVAL)),
        "approval_reminder": message("approval_reminder", {"job_title": person["job_title"], "request_id": request,
                                                           "due_at": due}, **approval_buttons(APPROVAL)),
        "escalated": message("escalated", {"request_id": request, "approver": "Sam Smith",
                                           "job_title": person["job_title"]}),
        "approved": message("approved", person, link=PORTAL, link_label_key="mail.button.rebook",
                            rating_link=RATING),
        "approved_final": message("approved", person, body="mail.approved_final.body", link=PORTAL,
                                  link_label_key="mail.button.portal", rating_link=RATING),
        "rejected": message("rejected", {**person, "comment": "We can move it to next week instead.",
                                         "contact": "chen.jing.recruiting-team@company.example.com"},
                            actions=[emails.Action("mail.button.contact",
                                                   "mailto:chen.jing.recruiting-team@company.example.com")],
                            rating_link=RATING),
        "interviewer": message("interviewer", staff),
        "moved": message("moved", person, link=PORTAL),
        "moved_interviewer": message("moved_interviewer", staff),
        "reminder": message("reminder", {**person, "ai_interview_url": go + "ai-interview", "duration_minutes": 45,
                                         "count": 45}, link=go + "ai-interview",
                            link_label_key="mail.button.ai_interview",
                            actions=[emails.Action("mail.button.portal", PORTAL)]),
        "nudge": message("nudge", {**person, "ai_interview_url": go + "ai-interview", "duration_minutes": 45,
                                   "count": 45}, link=go + "ai-interview", link_label_key="mail.button.ai_interview",
                         actions=[emails.Action("mail.button.portal", PORTAL)]),
        "offer": message("offer", {"name": "Li Wei", "job_title": person["job_title"], "starts_at": when,
                                   "expires_at": due}, link=OFFER),
        "offer_gone": message("offer_gone", {"name": "Li Wei", "job_title": person["job_title"], "starts_at": when}),
        "claimed": message("claimed", {"name": "Li Wei", "job_title": person["job_title"], "starts_at": when}),
        "retention": message("retention", {"job_title": person["job_title"],
                                           "message": "We would be glad to keep your place; any time next week?"},
                             link=PORTAL),
        "attention": message("attention", {"request_id": request, "interview_id": person["interview_id"],
                                           "error": "States.Timeout"}),
        "interviewer_unavailable": message("interviewer_unavailable", {**staff, "interviewer": "Jun Park",
                                                                       "request_id": request}),
        "move_offer": message("move_offer", person, link=PORTAL),
        "reapplied": message("reapplied", {**staff, "reasons": t("reason.schedule_conflict")},
                             link="https://interviews.example.com/staff"),
        "report": message("report", {"period": "2030-01-14", "requested": 12, "count": 12, "rate": "8.4%",
                                     "stored_at": ".local/reports/report-2030-01-14.html"}),
    }


def html_of(message: emails.Message) -> str:
    return emails.compose(message).get_payload()[0].get_payload()[1].get_payload(decode=True).decode()


# Visible text nodes (not in <head>, <style> or <title>), each with its trimmed text.
VISIBLE_TEXTS = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) {
    const node = walker.currentNode, element = node.parentElement, text = node.textContent.trim();
    if (text && element && element.offsetParent !== null) texts.push(text);
  }
  return texts;
}"""
WIDTHS = "() => [document.documentElement.scrollWidth, document.body.scrollWidth]"


@pytest.mark.parametrize("locale", [Locale.EN, Locale.ZH_CN], ids=lambda locale: locale.value)
@pytest.mark.parametrize("kind", list(samples(Locale.EN)))
def test_each_mail_reads_on_a_390_px_phone_without_sideways_scrolling_or_raw_links(browser, kind, locale):
    # GIVEN the mail of this kind, with 200-character signed links, a long job title and a long address
    message = samples(locale)[kind]
    html = html_of(message)
    context = browser.new_context(viewport=PHONE, java_script_enabled=True)
    try:
        page = context.new_page()
        # WHEN its HTML part is shown on a 390 px phone
        page.set_content(html, wait_until="load")
        # THEN nothing is wider than the screen
        assert max(page.evaluate(WIDTHS)) <= PHONE["width"], page.evaluate(WIDTHS)
        # AND no visible text is a URL: every link is a labelled button
        texts = page.evaluate(VISIBLE_TEXTS)
        assert [text for text in texts if RAW_URL.search(text)] == []
        # AND each button leads where the sender said, under its label in the reader's language
        anchors = page.eval_on_selector_all("a", "links => links.map(a => [a.innerText.trim(), a.href])")
        t = translator(locale)
        expected = [(label, url) for label, url in emails.buttons(message)]
        if message.rating_link:
            expected.append((t("mail.button.rate"), message.rating_link))
        assert anchors == [[label, url] for label, url in expected]
        # AND the subject heads the mail and the summary names the position and the time, where the mail has them
        body_text = page.inner_text("body")
        assert t(message.subject_key, **message.values) in body_text
        for name, label in (("job_title", "mail.summary.position"), ("starts_at", "mail.summary.time")):
            if message.values.get(name):
                assert t(label) in body_text and message.values[name] in body_text
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"mail-{kind}-{locale.value}-phone.png", full_page=True)
        if kind in KEPT_IN_DOCS:
            page.screenshot(path=DOCS / f"mail-{kind}-{locale.value}-phone.png", full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("kind", ["invitation", "approval", "rejected"])
def test_on_a_desk_the_mail_stays_a_readable_column_and_in_dark_mode_keeps_its_contrast(browser, kind):
    # GIVEN a mail WHEN it is shown on a 1280 px desk, once light and once in a client that honours dark mode
    html = html_of(samples(Locale.EN)[kind])
    for scheme, card_background in (("light", "rgb(255, 255, 255)"), ("dark", "rgb(30, 30, 30)")):
        context = browser.new_context(viewport=DESK, color_scheme=scheme)
        try:
            page = context.new_page()
            page.set_content(html, wait_until="load")
            # THEN the card is a column of at most 600 px, nothing overflows
            card = page.eval_on_selector(".mail-card", "card => card.getBoundingClientRect().width")
            assert card <= 600
            assert max(page.evaluate(WIDTHS)) <= DESK["width"]
            # AND the card's colours follow the scheme, the text staying readable on it
            colours = page.eval_on_selector(".mail-card", "card => [getComputedStyle(card).backgroundColor, "
                                                          "getComputedStyle(card).color]")
            assert colours[0] == card_background
            assert colours[1] == ("rgb(26, 26, 26)" if scheme == "light" else "rgb(232, 232, 232)")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=ARTIFACTS / f"mail-{kind}-en-desk-{scheme}.png", full_page=True)
        finally:
            context.close()
