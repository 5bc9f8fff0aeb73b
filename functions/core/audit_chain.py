"""The audit trail's hash chain: what an entry's hash covers, computed the same way by our functions
(functions/integration/data/transactions.py) and by the state machine's States.Hash intrinsic (the ASL's Chain*
states), so that `interviews audit verify` can recompute both (docs/audit.md).

An entry's hash is SHA-256 over the concatenated SHA-256 digests of each of its fields, each prefixed with "=":
hashing each field apart leaves no ambiguity about where one ends (no escaping, which States.Format cannot do),
and the prefix keeps every hashed string non-empty. Everything is lower-case hex of UTF-8 text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from functions.core.models import AuditEntry

GENESIS = "0" * 64  # the "previous hash" of a trail's first entry


def field_digest(value: str | None) -> str:
    return hashlib.sha256(("=" + (value or "")).encode("utf-8")).hexdigest()


def entry_hash(trail_id: str, seq: str, entry: AuditEntry, prev_hash: str) -> str:
    fields = (trail_id, seq, entry.at, entry.actor, entry.action, entry.from_status, entry.to_status, entry.why,
              prev_hash)
    return hashlib.sha256("".join(field_digest(f) for f in fields).encode("ascii")).hexdigest()


@dataclass(frozen=True)
class AuditRecord:
    """An audit entry as stored: its sort key and chain fields (None on entries written before the chain)."""

    trail_id: str
    seq: str
    entry: AuditEntry
    prev_hash: str | None
    hash: str | None

    def recomputed(self) -> str | None:
        return None if self.prev_hash is None else entry_hash(self.trail_id, self.seq, self.entry, self.prev_hash)
