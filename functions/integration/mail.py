"""E-mail through SES, delivered at most once per message key (functions/integration/once.py).

An address that bounced permanently or complained (functions/notify/events.py records SES's feedback) is
suppressed: mail to it is skipped and logged by message key (never the address), not retried. What a mail says
is composed in functions/web/emails.py.
"""

from __future__ import annotations

from functions.core.observability import logger
from functions.core.settings import get_settings
from functions.integration.aws import client
from functions.integration.data import suppression_store
from functions.integration.once import at_most_once


def is_deliverable(to: str, key: str) -> bool:
    """False (and logged by key) when the address is suppressed."""
    if suppression_store.is_suppressed(to):
        # No personal data in logs: the key names the request (or interview) and the kind of mail.
        logger.warning("mail not sent: the address is suppressed", extra={"message_key": key})
        return False
    return True


def deliver(key: str, to: str, raw: str) -> None:
    """Send the MIME message `raw` to `to`, once per key."""
    _send_once(message={"key": key, "to": to, "raw": raw})


@at_most_once("message")
def _send_once(message: dict) -> dict:
    response = client("ses").send_raw_email(
        Source=get_settings().mail_sender, Destinations=[message["to"]], RawMessage={"Data": message["raw"]}
    )
    # The message key names the request and the kind of mail, never the person.
    logger.info("mail sent", extra={"message_key": message["key"], "ses_message_id": response["MessageId"]})
    return {"message_id": response["MessageId"]}
