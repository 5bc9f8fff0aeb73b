"""Make moto's DynamoDB as isolated as DynamoDB under concurrent callers.

DynamoDB applies each write and each transaction atomically. moto does not when several threads call it (its
server handles each request in a thread): a transaction snapshots whole tables and, when a condition fails,
restores the snapshot, which can undo another caller's committed write or let two conflicting transactions
both commit. Serialising moto's DynamoDB operations (the emulator, not our code) gives DynamoDB's behaviour.
"""

from __future__ import annotations

import functools
import threading

from moto.dynamodb.models import DynamoDBBackend

OPERATIONS = ("transact_write_items", "transact_get_items", "update_item", "put_item", "delete_item", "get_item",
              "query", "batch_get_item", "batch_write_item")
_lock = threading.RLock()


def serialise_operations() -> None:
    """Idempotent: patch each operation once for the life of the process."""
    for name in OPERATIONS:
        original = getattr(DynamoDBBackend, name, None)
        if original is None or getattr(original, "_serialised", False):
            continue

        @functools.wraps(original)
        def serialised(*args, _original=original, **kwargs):
            with _lock:
                return _original(*args, **kwargs)

        serialised._serialised = True
        setattr(DynamoDBBackend, name, serialised)
