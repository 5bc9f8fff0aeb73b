"""All-or-nothing writes shared by every aggregate: a refused condition becomes TransactionConflict
naming the items whose condition failed, so that the domain can say what happened.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from functions.core.audit_chain import GENESIS, entry_hash
from functions.core.models import AuditEntry
from functions.integration.tables import AuditItem

connection = Connection()


@dataclass(frozen=True)
class TransactionConflict(Exception):
    """A transaction was refused because a condition failed. `failed` names the items whose condition failed."""

    failed: tuple[str, ...]


class Labelled:
    """A TransactWrite that remembers a label per item, to say which condition failed."""

    def __init__(self, transaction: TransactWrite, labels: list[str]):
        self.transaction, self._labels = transaction, labels
        self._heads: dict[str, str] = {}  # trail id -> hash of the last entry this transaction adds to it

    def save(self, label: str, item, condition=None) -> None:
        self.transaction.save(item, condition=condition)
        self._labels.append(label)

    def update(self, label: str, item, actions, condition=None) -> None:
        self.transaction.update(item, actions=actions, condition=condition)
        self._labels.append(label)

    def check(self, label: str, model, hash_key: str, condition) -> None:
        """A condition on an item the transaction does not change."""
        self.transaction.condition_check(model, hash_key, condition=condition)
        self._labels.append(label)

    def append_audit(self, trail_id: str, entry: AuditEntry) -> None:
        """Add an audit entry, never over an existing one: the trail is append-only. The entry is chained to the
        trail's latest entry (read now), or to the one this transaction added just before."""
        prev = self._heads.get(trail_id) or latest_audit_hash(trail_id)
        self.save("audit", item := audit_item(trail_id, entry, prev), condition=AuditItem.seq.does_not_exist())
        self._heads[trail_id] = item.entry_hash

    def delete(self, label: str, item, condition=None) -> None:
        self.transaction.delete(item, condition=condition)
        self._labels.append(label)


@contextmanager
def all_or_nothing():
    """All or nothing. A refused condition becomes TransactionConflict naming the labelled items that failed."""
    labels: list[str] = []
    try:
        with TransactWrite(connection=connection) as transaction:
            yield Labelled(transaction, labels)
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        # Only a failed condition is an answer. A race with another transaction on the same item
        # ("TransactionConflict") or a throttle ("ThrottlingError") decided nothing: it is raised as it is, so
        # that the caller's retry (503) or the queue's redelivery tries again.
        failed = tuple(label for label, reason in zip(labels, reasons)
                       if reason and reason.code == "ConditionalCheckFailed")
        if failed:
            raise TransactionConflict(failed) from exc
        raise


def conditional(write: Callable[[], object]) -> bool:
    """Run one conditional write. False when its condition failed: someone (or an earlier delivery) got there first."""
    try:
        write()
    except PynamoDBException as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def value_of(future):
    try:
        return future.get()
    except DoesNotExist:
        return None


def audit_item(trail_id: str, entry: AuditEntry, prev_hash: str = GENESIS) -> AuditItem:
    # The random suffix keeps two entries written in the same millisecond apart; the time prefix orders them.
    seq = f"{entry.at}#{entry.action}#{secrets.token_hex(2)}"
    return AuditItem(trail_id, seq, **entry.model_dump(), prev_hash=prev_hash,
                     entry_hash=entry_hash(trail_id, seq, entry, prev_hash))


def latest_audit_hash(trail_id: str) -> str:
    """The hash of the trail's latest entry (by seq), what the next entry follows; GENESIS for a new trail (or one
    whose latest entry predates the chain: the chain then starts there)."""
    for item in AuditItem.query(trail_id, scan_index_forward=False, limit=1, consistent_read=True):
        return item.entry_hash or GENESIS
    return GENESIS
