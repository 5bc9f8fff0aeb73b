"""Checking a request's audit trail: complete, ordered, and consistent with where the request ended up."""

from __future__ import annotations

from dataclasses import dataclass, field

from functions.integration.data import request_store
from functions.core.models import AuditEntry, RequestStatus


@dataclass
class TrailReport:
    request_id: str
    entries: int = 0
    problems: list[str] = field(default_factory=list)

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


def verify(request_id: str) -> TrailReport:
    request = request_store.get_request(request_id)
    if request is None:
        return TrailReport(request_id, problems=["no such request"])
    entries = request_store.audit_trail(request_id)
    return TrailReport(request_id, len(entries), check_trail(entries, request.status, bool(request.auto_approve)))
