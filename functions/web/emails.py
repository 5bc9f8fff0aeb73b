"""What an e-mail says: subject and body from the reader's catalog, laid out by the mail templates (HTML and a
plain-text alternative), with attachments; then handed to functions/integration/mail.py to be sent once.

A person should see at a glance what happened and what to do: the HTML part opens with a summary (position, time
in the reader's timezone, duration, status, reference...) taken from the message's values, and every link is a
button with a label, never a raw URL (a 200-character token overflows a 390 px phone). The plain-text part
carries the same summary with the full URLs, each under its label. The layout is inline CSS in one column that
shrinks to the screen, with no remote images and colours set for dark mode too (mail/message.html.j2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from functions.core.i18n import translator
from functions.core.models import Locale
from functions.core.settings import get_settings
from functions.integration import mail
from functions.web.rendering import render


@dataclass
class Attachment:
    filename: str
    content_type: str  # e.g. 'text/calendar; method=CANCEL'
    content: bytes


@dataclass
class Action:
    """A button: its label (a catalog key) and where it leads."""

    label_key: str
    url: str


@dataclass
class Message:
    key: str  # what makes it "the same message": e.g. "<request>:approved:candidate"
    to: str
    locale: Locale
    subject_key: str
    body_key: str
    values: dict
    link: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    rating_link: str | None = None  # the outcome mail's one-click satisfaction rating (functions/approve/ratings.py)
    actions: list[Action] = field(default_factory=list)  # further buttons, after the link's
    link_label_key: str | None = None  # the link's button; default: the one for the mail's kind (LINK_LABELS)
    notes: list[str] = field(default_factory=list)  # catalog keys of a "what to prepare" list, read with `values`


# The link's button per kind of mail (the middle of "mail.<kind>.subject"); others get MAIL_LINK_DEFAULT.
LINK_LABELS = {
    "invitation": "mail.button.portal",
    "receipt": "mail.button.follow",
    "approval": "mail.button.decide",
    "approval_reminder": "mail.button.decide",
    "approved": "mail.button.rebook",
    "offer": "mail.button.claim",
    "move_offer": "mail.button.choose_time",
    "reapplied": "mail.button.console",
}
MAIL_LINK_DEFAULT = "mail.button.portal"

# What state the mail leaves things in, per kind of mail: the summary's "Status" row.
STATUSES = {
    "invitation": "status.SCHEDULED",
    "invitation_interviewer": "status.SCHEDULED",
    "receipt": "request.RECEIVED",
    "approval": "request.PENDING_APPROVAL",
    "approval_reminder": "request.PENDING_APPROVAL",
    "escalated": "request.PENDING_APPROVAL",
    "approved": "status.CANCELLED",
    "interviewer": "status.CANCELLED",
    "rejected": "request.REJECTED",
    "moved": "status.SCHEDULED",
    "moved_interviewer": "status.SCHEDULED",
    "reminder": "status.SCHEDULED",
    "nudge": "status.SCHEDULED",
    "attention": "request.NEEDS_ATTENTION",
    "claimed": "status.SCHEDULED",
}

# The summary's rows: the value shown (a key of Message.values) and its label, in this order.
SUMMARY_ROWS = (
    ("candidate", "mail.summary.candidate"),
    ("job_title", "mail.summary.position"),
    ("starts_at", "mail.summary.time"),
    ("duration_minutes", "mail.summary.duration"),
    ("reason", "mail.summary.reason"),
    ("due_at", "mail.summary.decide_by"),
    ("expires_at", "mail.summary.open_until"),
    ("request_id", "mail.summary.reference"),
)


def send(message: Message) -> bool:
    """Send once per message key. False (and nothing sent) when the address is suppressed."""
    if not mail.is_deliverable(message.to, message.key):
        return False
    mail.deliver(message.key, message.to, compose(message).as_string())
    return True


def kind_of(message: Message) -> str:
    """"approval" for "mail.approval.subject": the kind of mail, which picks its button label and status."""
    return message.subject_key.removeprefix("mail.").rpartition(".")[0]


def summary(message: Message) -> list[tuple[str, str]]:
    """(label, value) rows: what the mail is about, from its values, and the status it leaves things in."""
    t = translator(message.locale)
    values = message.values
    rows = []
    for name, label in SUMMARY_ROWS:
        value = values.get(name)
        if value in (None, ""):
            continue
        if name == "duration_minutes":
            value = t("page.minutes", count=int(value))
        rows.append((t(label), str(value)))
    status = values.get("status") or (t(STATUSES[kind_of(message)]) if kind_of(message) in STATUSES else None)
    if status:
        rows.append((t("mail.summary.status"), status))
    return rows


def buttons(message: Message) -> list[tuple[str, str]]:
    """(label, url) per action, the main one first; the rating last, under its own question."""
    t = translator(message.locale)
    result = []
    if message.link:
        result.append((t(message.link_label_key or LINK_LABELS.get(kind_of(message), MAIL_LINK_DEFAULT)),
                       message.link))
    result += [(t(action.label_key), action.url) for action in message.actions]
    return result


def compose(message: Message) -> MIMEMultipart:
    t = translator(message.locale)
    subject = t(message.subject_key, **message.values)
    body = t(message.body_key, **message.values)
    context = {"subject": subject, "body": body, "summary": summary(message), "buttons": buttons(message),
               "notes": [t(key, **message.values) for key in message.notes],
               "rating_link": message.rating_link}
    mime = MIMEMultipart("mixed")
    mime["Subject"] = subject
    mime["From"] = get_settings().mail_sender
    mime["To"] = message.to
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(render("mail/message.txt.j2", message.locale, **context), "plain", "utf-8"))
    alternative.attach(MIMEText(render("mail/message.html.j2", message.locale, **context), "html", "utf-8"))
    mime.attach(alternative)
    for attachment in message.attachments:
        part = MIMEApplication(attachment.content, Name=attachment.filename)
        part.replace_header("Content-Type", f'{attachment.content_type}; name="{attachment.filename}"')
        part["Content-Disposition"] = f'attachment; filename="{attachment.filename}"'
        mime.attach(part)
    return mime
