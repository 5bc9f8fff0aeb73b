"""How an e-mail is put together (functions/web/emails.py): multipart/mixed holding a multipart/alternative of a
plain-text and an HTML part, then the attachments; the HTML shows a summary and labelled buttons but never a URL,
loads nothing remote and declares light and dark colours; the plain text carries the same summary and every URL."""

from __future__ import annotations

import re
from email import message_from_string, policy
from pathlib import Path

import pytest

from functions.core.i18n import catalog, translator
from functions.core.models import Locale
from functions.web import emails

LONG = "https://interviews.example.com/approvals/" + "eyJ2IjoxfQ." + "a" * 220
RATING = "https://interviews.example.com/ratings/" + "b" * 180


def _approval(locale: Locale = Locale.EN, **more) -> emails.Message:
    return emails.Message(
        key="req-1:approval:0", to="chen.jing@company.example.com", locale=locale,
        subject_key="mail.approval.subject", body_key="mail.approval.body",
        values={"candidate": "Li Wei", "job_title": "Backend Engineer", "starts_at": "Tuesday, 14:00 (UTC)",
                "reason": "Illness", "due_at": "Sunday, 14:00 (UTC)", "request_id": "req-1", "name": "Li Wei",
                "interview_id": "int-1"},
        link=LONG, **more)


def _parts(message: emails.Message):
    parsed = message_from_string(emails.compose(message).as_string(), policy=policy.default)
    return parsed, parsed.get_body(("plain",)).get_content(), parsed.get_body(("html",)).get_content()


def test_a_mail_is_mixed_with_text_and_html_alternatives_first_and_its_calendar_attachment_after():
    # GIVEN a mail with a calendar attachment
    ics = emails.Attachment("invitation.ics", "text/calendar; charset=utf-8; method=REQUEST", b"BEGIN:VCALENDAR\r\n")
    # WHEN it is composed and read back as SES's raw message would be
    parsed, _, _ = _parts(_approval(attachments=[ics]))
    # THEN it is multipart/mixed: an alternative of plain text then HTML, then the calendar part
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    assert attachment.get_content_type() == "text/calendar" and attachment.get_param("method") == "REQUEST"
    assert attachment.get_filename() == "invitation.ics"


def test_the_html_shows_buttons_with_labels_and_never_a_url_while_the_text_keeps_every_url():
    # GIVEN an approval request with a 250-character signed link, and a rating link
    message = _approval(rating_link=RATING)
    # WHEN it is composed
    _, text, html = _parts(message)
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<(head|style)\b.*?</\1>", " ", html))
    # THEN no URL is visible in the HTML: the links are only in href attributes, under their buttons' labels
    assert "http" not in visible
    assert re.findall(r'<a href="([^"]+)"', html) == [LONG, RATING]
    assert "Review and decide</a>" in html and "Rate it</a>" in html
    # AND the plain text has each URL whole, on its own line, under its label
    assert f"Review and decide:\n{LONG}\n" in text and f"{RATING}\n" in text
    # AND both begin with the subject and sum up what the mail is about, status included
    assert text.startswith("Please decide: cancellation of an interview for Backend Engineer\n")
    for row in ("Candidate: Li Wei", "Position: Backend Engineer", "Time: Tuesday, 14:00 (UTC)",
                "Reason: Illness", "Decide by: Sunday, 14:00 (UTC)", "Reference: req-1", "Status: Pending approval"):
        assert row in text
        label, value = row.split(": ", 1)
        assert f">{label}</td>" in html and f">{value}</td>" in html
    # AND the internal interview id is not shown to the reader as a row
    assert "int-1" not in text.split("\n\n")[1]


def test_the_html_loads_nothing_remote_fits_a_phone_and_declares_dark_mode_colours():
    # GIVEN any mail WHEN it is composed
    _, _, html = _parts(_approval())
    # THEN it loads no image, script, stylesheet or font from anywhere
    assert not re.search(r"<(img|script|link|iframe)\b", html) and "url(" not in html and "@import" not in html
    # AND it scales to the device, in one column of at most 600 px that breaks long words
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "max-width: 600px" in html and "overflow-wrap: anywhere" in html
    # AND it says it supports light and dark, with dark colours for clients that honour them
    assert '<meta name="color-scheme" content="light dark">' in html and "prefers-color-scheme: dark" in html


def test_the_html_escapes_what_people_typed():
    # GIVEN a rejection comment with markup in it
    message = emails.Message(key="r:rejected", to="li.wei@mail.example.com", locale=Locale.EN,
                             subject_key="mail.rejected.subject", body_key="mail.rejected.body",
                             values={"name": "Li", "job_title": "QA", "starts_at": "Monday",
                                     "comment": '<a href="https://evil.example">click</a>', "contact": "hr@x.example"})
    # WHEN it is composed THEN the comment is text, not a link
    _, _, html = _parts(message)
    assert [href for href in re.findall(r'<a href="([^"]+)"', html) if "evil" in href] == []
    assert "&lt;a href=&#34;https://evil.example&#34;&gt;click&lt;/a&gt;" in html


def test_a_mail_in_zh_cn_reads_in_chinese_from_subject_to_buttons():
    # GIVEN the approval request to a reader of zh-CN WHEN it is composed
    _, text, html = _parts(_approval(Locale.ZH_CN, rating_link=RATING))
    t = translator(Locale.ZH_CN)
    # THEN the summary's labels, the status and the buttons are the zh-CN catalog's
    for key in ("mail.summary.candidate", "mail.summary.decide_by", "request.PENDING_APPROVAL", "mail.button.decide",
                "mail.rating.label", "mail.signature"):
        assert t(key) in html and t(key) in text
    assert t("mail.button.rate") in html  # the rating's button; the text has its URL under the question instead
    assert '<html lang="zh-CN">' in html


@pytest.mark.parametrize("locale", list(Locale))
def test_every_button_status_and_summary_label_the_layout_can_pick_is_in_every_catalog(locale):
    # GIVEN the keys emails.py picks by kind of mail WHEN looked up in the language's catalog THEN all exist
    keys = {*emails.LINK_LABELS.values(), emails.MAIL_LINK_DEFAULT, *emails.STATUSES.values(),
            *(label for _, label in emails.SUMMARY_ROWS), "mail.summary.status", "page.minutes"}
    assert keys - set(catalog(locale)) == set()


@pytest.mark.parametrize("locale", list(Locale))
def test_every_button_and_note_a_sender_names_is_in_every_catalog(locale):
    # GIVEN the senders' code WHEN the label keys of their buttons and notes are collected
    functions = Path(emails.__file__).resolve().parents[1]
    keys = set()
    for path in functions.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"""(?:Action\(|link_label_key=)\s*["'](mail\.[a-z_.]+)["']""", source))
        keys |= set(re.findall(r"""["'](mail\.prepare\.[a-z_]+)["']""", source))
    # THEN the scan found them and each is in the language's catalog
    assert {"mail.button.ai_interview", "mail.button.contact", "mail.button.rebook", "mail.prepare.early"} <= keys
    assert keys - set(catalog(locale)) == set()


def test_every_kind_named_in_the_layout_tables_is_a_mail_we_send():
    # GIVEN the kinds of mail with a button label or a status WHEN compared with the catalog's subjects
    subjects = {key.removeprefix("mail.").removesuffix(".subject") for key in catalog(Locale.EN)
                if key.startswith("mail.") and key.endswith(".subject")}
    # THEN each names a real kind of mail (a typo would silently fall back)
    assert set(emails.LINK_LABELS) - subjects == set() and set(emails.STATUSES) - subjects == set()
