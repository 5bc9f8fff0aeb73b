"""What an AWS-facing process builds before a SnapStart snapshot, and forgets after each restore.

Before: the boto3 clients a function calls and the PynamoDB connections of every table, so that their service
models are loaded and their endpoints resolved in the snapshot (the bulk of a first call's cost).
After: the clients and sessions are dropped (their pooled connections and credentials belong to the
environment that was snapshotted) and the link-signing keys are read again, so a key rotated since the snapshot
is honoured at once. The new sessions keep the old ones' data loader, with the service models already read, so
a client rebuilt after a restore costs little.
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


def _forget(connection) -> None:
    """A PynamoDB connection builds its client, and takes a session, again at its next call."""
    connection._client = None
    connection._local.session = None


def forget_connections_and_keys() -> None:
    """Drop every built client with its pooled connections and the sessions' credentials, and the cached
    link-signing keys."""
    aws.renew()
    _forget(transactions.connection)
    for model in _models():
        if model._connection is not None:
            _forget(model._connection.connection)
    links.forget_keys()
