"""Checking a request's audit trail: complete, ordered, consistent with where the request ended up, and
unchanged since it was written (the hash chain: docs/audit.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from functions.core.audit_chain import GENESIS, AuditRecord
from functions.integration.data import request_store
from functions.core.models import AuditEntry, RequestStatus


@dataclass
class TrailReport:
    request_id: str
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth knowing, not a fault

    @property
    def ok(self) -> bool:
        return not self.problems


def check_trail(entries: list[AuditEntry], final_status: str, auto_approved: bool) -> list[str]:
    """Every problem found in a trail; none means it is complete and ordered."""
    problems = []
    if [e.action for e in entries[:2]] != ["received", "routed"]:
        problems.append("the trail does not start with 'received' then 'routed'")
    for earlier, later in zip(entries, entries[1:]):
        if later.at < earlier.at:
            problems.append(f"'{later.action}' at {later.at} is before '{earlier.action}' at {earlier.at}")
    status = None
    for entry in entries:
        if not entry.actor or not entry.at:
            problems.append(f"'{entry.action}' has no actor or time")
        if entry.from_status and status and entry.from_status != status:
            problems.append(f"'{entry.action}' starts from {entry.from_status} but the request was {status}")
        status = entry.to_status or status
    if status != final_status:
        problems.append(f"the trail ends at {status} but the request is {final_status}")
    actions = [e.action for e in entries]
    if not auto_approved and final_status in (RequestStatus.APPROVED, RequestStatus.REJECTED):
        if "approval_requested" not in actions:
            problems.append("decided by an approver, but no approval was requested")
        elif not any(a.startswith("decision_") for a in actions) and entries[-1].actor != "policy:default":
            problems.append("decided without a recorded decision or the policy default")
    return problems


def _name(record: AuditRecord) -> str:
    return f"'{record.entry.action}' at {record.entry.at}"


def check_chain(records: list[AuditRecord]) -> tuple[list[str], list[str]]:
    """(problems, notes) of a trail's hash chain, its records in seq order: an entry whose content changed after it
    was written, an entry missing between two others (or before the first), entries out of the order they were
    written in. Entries written concurrently both follow the same entry: a note, not a problem."""
    problems: list[str] = []
    notes: list[str] = []
    position = {r.hash: i for i, r in enumerate(records) if r.hash}
    followers: dict[str, int] = {}
    for record in records:
        if record.prev_hash:
            followers[record.prev_hash] = followers.get(record.prev_hash, 0) + 1
    chained_before = False
    for i, record in enumerate(records):
        name = _name(record)
        if not record.hash or not record.prev_hash:
            if chained_before:
                problems.append(f"{name} carries no hash or no link: it was rewritten, or written around the chain")
            else:
                notes.append(f"{name} was written before the trail was hash-chained")
            continue
        if record.recomputed() != record.hash:
            problems.append(f"{name} was changed after it was written (its content no longer matches its hash)")
        before = records[i - 1] if i else None
        if record.prev_hash == (before.hash if before and before.hash else GENESIS):
            chained_before = True
            continue
        if record.prev_hash == GENESIS:
            problems.append(f"{name} starts a new chain: the entries before it are not linked to it")
        elif record.prev_hash not in position:
            problems.append(f"an entry is missing before {name} (it follows an entry that is no longer in the trail)")
        elif position[record.prev_hash] > i:
            problems.append(f"{name} sorts before {_name(records[position[record.prev_hash]])}, which was written "
                            "before it: the trail is reordered")
        elif followers[record.prev_hash] > 1:
            notes.append(f"{name} was written concurrently with another entry that follows "
                         f"{_name(records[position[record.prev_hash]])}")
        else:
            problems.append(f"{name} follows {_name(records[position[record.prev_hash]])}, but entries sort between "
                            "them: the trail is reordered")
        chained_before = True
    return problems, notes


def verify(request_id: str) -> TrailReport:
    request = request_store.get_request(request_id)
    if request is None:
        return TrailReport(request_id, problems=["no such request"])
    records = request_store.audit_records(request_id)
    chain_problems, notes = check_chain(records)
    problems = check_trail([r.entry for r in records], request.status, bool(request.auto_approve))
    return TrailReport(request_id, len(records), problems + chain_problems, notes)
