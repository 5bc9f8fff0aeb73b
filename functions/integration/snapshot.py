"""What an AWS-facing process builds before a SnapStart snapshot, and forgets after each restore.

Before: the boto3 clients a function calls and the PynamoDB connections of every table, so that their service
models are loaded and their endpoints resolved in the snapshot (the bulk of a first call's cost).
After: the clients themselves are dropped (their pooled connections belong to the environment that was
snapshotted; credentials are resolved again by the next client) and the link-signing keys are read again, so a
key rotated since the snapshot is honoured at once. The botocore sessions stay, with their loaded models, so a
client rebuilt after a restore costs little.
"""

from __future__ import annotations

from pynamodb.models import Model

from functions.integration import aws, links, tables
from functions.integration.data import transactions


def _models() -> list[type[Model]]:
    return [v for v in vars(tables).values() if isinstance(v, type) and issubclass(v, Model) and v is not Model]


def build_clients(*services: str) -> None:
    """Build the boto3 clients for `services` and a DynamoDB client per table (no request is sent)."""
    for service in services:
        aws.client(service)
    transactions.connection.client
    for model in _models():
        model._get_connection().connection.client


def forget_connections_and_keys() -> None:
    """Drop every built client and its pooled connections, and the cached link-signing keys."""
    aws.client.cache_clear()
    transactions.connection._client = None
    for model in _models():
        if model._connection is not None:
            model._connection.connection._client = None
    links.keyring.forget()
