"""Text messages through SNS (publish to a phone number), sent at most once per message key
(functions/integration/once.py), like e-mail.

Only to candidates who gave a phone number and agreed to texts. A number that is not E.164 is skipped and logged
by message key (never the number): SNS would refuse it on every retry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from functions.integration.aws import client
from functions.integration.once import at_most_once
from functions.core.models import Locale
from functions.core.i18n import translator
from functions.core.observability import logger

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


@dataclass
class Text:
    key: str  # what makes it "the same text": e.g. "<request>:approved:sms"
    to: str  # E.164 phone number
    locale: Locale
    body_key: str
    values: dict


def wanted(candidate) -> bool:
    """The candidate gave a phone number and agreed to texts."""
    return bool(candidate is not None and candidate.phone and candidate.sms_opt_in)


def send(text: Text) -> bool:
    """Send once per key. False (nothing sent) when the number cannot be texted."""
    number = re.sub(r"[\s().-]", "", text.to or "")
    if not _E164.match(number):
        logger.warning("text not sent: the phone number is not E.164", extra={"message_key": text.key})
        return False
    body = translator(text.locale)(text.body_key, **text.values)
    _publish_once(text={"key": text.key, "to": number, "body": body})
    return True


@at_most_once("text")
def _publish_once(text: dict) -> dict:
    response = client("sns").publish(
        PhoneNumber=text["to"], Message=text["body"],
        MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
    )
    logger.info("text sent", extra={"message_key": text["key"], "sns_message_id": response["MessageId"]})
    return {"message_id": response["MessageId"]}
