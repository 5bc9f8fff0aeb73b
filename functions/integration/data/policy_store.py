"""The routing policy's published versions: read the latest, list them, publish the next one.

A version is never changed once written. Publishing writes version N+1 only if it does not exist yet, in the same
transaction as its audit entry (trail "policy:routing"), so two editors who both started from version N cannot
both publish: the second one's write fails and nothing of it is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from functions.core.models import AuditEntry
from functions.integration.data.transactions import TransactionConflict, all_or_nothing
from functions.integration.data.policy_table import PolicyVersionItem

POLICY = "routing"
AUDIT_TRAIL = f"policy:{POLICY}"


class VersionTaken(Exception):
    """Someone published this version number meanwhile."""


@dataclass(frozen=True)
class PolicyVersion:
    number: int
    text: str
    published_by: str
    published_at: str
    diff: str
    note: str | None


def _key(number: int) -> str:
    return f"{number:08d}"


def _version(item: PolicyVersionItem) -> PolicyVersion:
    return PolicyVersion(number=int(item.number), text=item.text, published_by=item.published_by,
                         published_at=item.published_at, diff=item.diff or "", note=item.note)


def latest() -> PolicyVersion | None:
    for item in PolicyVersionItem.query(POLICY, scan_index_forward=False, limit=1, consistent_read=True):
        return _version(item)
    return None


def get(number: int) -> PolicyVersion | None:
    for item in PolicyVersionItem.query(POLICY, PolicyVersionItem.version == _key(number), consistent_read=True):
        return _version(item)
    return None


def versions() -> list[PolicyVersion]:
    """Every published version, newest first."""
    return [_version(item) for item in PolicyVersionItem.query(POLICY, scan_index_forward=False,
                                                                consistent_read=True)]


def publish(version: PolicyVersion, entry: AuditEntry) -> None:
    """Store the version and its audit entry, all or nothing; VersionTaken if that number exists already."""
    item = PolicyVersionItem(POLICY, _key(version.number), number=version.number, text=version.text,
                             published_by=version.published_by, published_at=version.published_at,
                             diff=version.diff, note=version.note)
    try:
        with all_or_nothing() as transaction:
            transaction.save("version", item, condition=PolicyVersionItem.version.does_not_exist())
            transaction.append_audit(AUDIT_TRAIL, entry)
    except TransactionConflict:
        # The version exists, or the audit trail grew under us: either way someone else published meanwhile.
        raise VersionTaken(version.number) from None
