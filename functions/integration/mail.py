"""E-mail through SES, sent at most once per message key however often an event is delivered.

Powertools idempotency keeps a record per message key in DynamoDB: a redelivered event finds the record and
sends nothing; a send that failed leaves no record, so the retry sends it.

An address that bounced permanently or complained (functions/notify/events.py records SES's feedback) is
suppressed: mail to it is skipped and logged by message key (never the address), not retried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from functions.integration.data import suppression_store
from functions.integration.aws import client
from functions.core.models import Locale
from functions.core.i18n import translator
from functions.core.observability import logger
from functions.web.rendering import render
from functions.core.settings import get_settings


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


_persistence = DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table)
_once = IdempotencyConfig(event_key_jmespath="key", expires_after_seconds=30 * 24 * 3600)


def register_lambda_context(context) -> None:
    """Lets idempotency expire an in-progress record when the invocation that wrote it timed out."""
    _once.register_lambda_context(context)


def send(message: Message) -> bool:
    """Send once per message key. False (and nothing sent) when the address is suppressed."""
    if suppression_store.is_suppressed(message.to):
        # No personal data in logs: the key names the request (or interview) and the kind of mail.
        logger.warning("mail not sent: the address is suppressed", extra={"message_key": message.key})
        return False
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
    _send_once(message={"key": message.key, "to": message.to, "raw": mime.as_string()})
    return True


@idempotent_function(data_keyword_argument="message", config=_once, persistence_store=_persistence)
def _send_once(message: dict) -> dict:
    response = client("ses").send_raw_email(
        Source=get_settings().mail_sender, Destinations=[message["to"]], RawMessage={"Data": message["raw"]}
    )
    # The message key names the request and the kind of mail, never the person.
    logger.info("mail sent", extra={"message_key": message["key"], "ses_message_id": response["MessageId"]})
    return {"message_id": response["MessageId"]}
