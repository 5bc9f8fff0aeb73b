"""What an e-mail says: subject and body from the reader's catalog, laid out by the mail templates (HTML and a
plain-text alternative), with attachments; then handed to functions/integration/mail.py to be sent once."""

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


def send(message: Message) -> bool:
    """Send once per message key. False (and nothing sent) when the address is suppressed."""
    if not mail.is_deliverable(message.to, message.key):
        return False
    mail.deliver(message.key, message.to, compose(message).as_string())
    return True


def compose(message: Message) -> MIMEMultipart:
    t = translator(message.locale)
    subject = t(message.subject_key, **message.values)
    body = t(message.body_key, **message.values)
    context = {"subject": subject, "body": body, "link": message.link, "rating_link": message.rating_link}
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
