"""Send at most once: a side effect (an e-mail, a text) keyed by what makes it "the same message", however often
the event behind it is delivered.

Powertools idempotency keeps a record per key in DynamoDB: a redelivered event finds the record and does nothing;
a send that failed leaves no record, so the retry sends it.
"""

from __future__ import annotations

from typing import Callable

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from functions.core.settings import get_settings
from functions.integration import aws

KEPT_FOR_SECONDS = 30 * 24 * 3600  # longer than any redelivery: SQS keeps a message 14 days at most

_persistence = DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table, boto3_session=aws.session())
_config = IdempotencyConfig(event_key_jmespath="key", expires_after_seconds=KEPT_FOR_SECONDS)


def register_lambda_context(context) -> None:
    """Lets idempotency expire an in-progress record when the invocation that wrote it timed out."""
    _config.register_lambda_context(context)


def at_most_once(argument: str) -> Callable:
    """Decorate a function whose keyword `argument` is a dict with a "key": it runs once per key."""
    return idempotent_function(data_keyword_argument=argument, config=_config, persistence_store=_persistence)
