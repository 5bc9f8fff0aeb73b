"""Make moto's DynamoDB as isolated as DynamoDB under concurrent callers.

DynamoDB applies each write and each transaction atomically. moto does not when several threads call it (its
server handles each request in a thread): a transaction snapshots whole tables and, when a condition fails,
restores the snapshot, which can undo another caller's committed write or let two conflicting transactions
both commit. Serialising moto's DynamoDB operations (the emulator, not our code) gives DynamoDB's behaviour.

Once serialised, a transaction need not copy whole tables to be undone: the items it names are all it can change.
moto's deep copy of every table a transaction touches grew with the data, until it was a tenth of a long test
run's time; a copy of the named items undoes a cancelled transaction just as well.
"""

from __future__ import annotations

import copy
import functools
import threading
from types import SimpleNamespace

from moto.dynamodb import models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

OPERATIONS = ("transact_write_items", "transact_get_items", "update_item", "put_item", "delete_item", "get_item",
              "query", "batch_get_item", "batch_write_item")
_lock = threading.RLock()


def serialise_operations() -> None:
    """Idempotent: patch each operation once for the life of the process."""
    _undo_transactions_by_item()
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


def _undo_transactions_by_item() -> None:
    original = DynamoDBBackend.transact_write_items
    if getattr(original, "_by_item", False):
        return
    # moto's transact_write_items is the only place its backend deep-copies a Table (for its undo).
    models.copy = SimpleNamespace(deepcopy=lambda value, memo=None: value if isinstance(value, Table)
                                  else copy.deepcopy(value, memo))

    @functools.wraps(original)
    def transact_write_items(self, transact_items, *args, **kwargs):
        saved = [_saved(self, entry) for entry in transact_items]
        try:
            return original(self, transact_items, *args, **kwargs)
        except Exception:
            for table, hash_key, range_key, item in reversed([s for s in saved if s]):
                _put_back(table, hash_key, range_key, item)
            raise

    transact_write_items._by_item = True
    DynamoDBBackend.transact_write_items = transact_write_items


def _saved(backend: DynamoDBBackend, entry: dict):
    """(table, hash key, range key, a copy of the item or None) for one entry of a transaction; None if the entry
    names no item of an existing table (moto refuses it before changing anything)."""
    try:
        operation = next(iter(entry.values()))
        table = backend.tables[operation["TableName"]]
        hash_key, range_key = backend.get_keys_value(table, operation.get("Key") or operation["Item"])
    except Exception:  # noqa: BLE001 - the original call reports what is wrong with the entry
        return None
    return table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))


def _put_back(table: Table, hash_key, range_key, item) -> None:
    if range_key is None:
        if item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
    elif item is None:
        table.items.get(hash_key, {}).pop(range_key, None)
    else:
        table.items[hash_key][range_key] = item
