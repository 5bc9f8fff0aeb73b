"""Approvals: the pending decision per request (level, approver, task token), decided once.
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactGet

from functions.core.models import Approver, AuditEntry, RequestStatus
from functions.integration.data.transactions import all_or_nothing, connection, TransactionConflict, value_of
from functions.integration.tables import ApprovalItem, CandidateItem, InterviewItem, LinkUseItem, RequestItem


def open_approval(request_id: str, level: int, approver: Approver, task_token: str, *, opened_at: str, due_at: str,
                  remind_hour: str | None, escalated_from_email: str | None, entry: AuditEntry) -> ApprovalItem | None:
    """Hand the request to `approver` at `level`. None when that level is already open (a redelivery)."""
    approval = ApprovalItem(
        request_id, level=level, approver_id=approver.approver_id, approver_name=approver.name,
        approver_email=approver.email, approver_role=approver.role, task_token=task_token, opened_at=opened_at,
        due_at=due_at, remind_hour=remind_hour, escalated_from_email=escalated_from_email)
    try:
        with all_or_nothing() as transaction:
            transaction.save(
                "approval", approval,
                # A later level, or the same level with a new task token (the workflow retried its wait),
                # replaces the pending approval; the same event delivered twice does not.
                condition=ApprovalItem.request_id.does_not_exist() | (ApprovalItem.level < approval.level)
                | ((ApprovalItem.level == approval.level) & (ApprovalItem.task_token != approval.task_token)
                   & ApprovalItem.decision.does_not_exist()),
            )
            transaction.update(
                "request", RequestItem(approval.request_id),
                actions=[RequestItem.status.set(RequestStatus.PENDING_APPROVAL.value)],
                condition=RequestItem.status.is_in(RequestStatus.RECEIVED.value, RequestStatus.PENDING_APPROVAL.value),
            )
            transaction.append_audit(approval.request_id, entry)
    except TransactionConflict:
        return None
    return approval


def approvals_to_remind(hour: str) -> list[ApprovalItem]:
    """Pending approvals whose reminder falls in this hour ("YYYY-MM-DDTHH", UTC)."""
    return list(ApprovalItem.by_remind_hour.query(hour))


def get_approval(request_id: str) -> ApprovalItem | None:
    try:
        return ApprovalItem.get(request_id, consistent_read=True)
    except DoesNotExist:
        return None


def record_decision(
    *, request_id: str, level: int, approver_id: str, link_id: str | None, link_expires_at: int | None,
    decision: str, comment: str | None, entry: AuditEntry,
) -> None:
    """Use the link (if the decision came through one; the staff console has none) and record the decision, once,
    while the request is open (a candidate's move may close an interviewer_unavailable request without its
    approver). Raises TransactionConflict naming "link", "approval" or "request"."""
    with all_or_nothing() as transaction:
        transaction.check("request", RequestItem, request_id, condition=RequestItem.status.is_in(
            RequestStatus.RECEIVED.value, RequestStatus.PENDING_APPROVAL.value))
        if link_id is not None:
            transaction.save("link", LinkUseItem(link_id, used_at=entry.at, expires_at=link_expires_at),
                             condition=LinkUseItem.link_id.does_not_exist())
        transaction.update(
            "approval", ApprovalItem(request_id),
            actions=[
                ApprovalItem.decision.set(decision),
                ApprovalItem.decided_by.set(approver_id),
                ApprovalItem.decided_at.set(entry.at),
                ApprovalItem.comment.set(comment) if comment else ApprovalItem.comment.remove(),
            ],
            condition=(ApprovalItem.level == level) & (ApprovalItem.approver_id == approver_id)
            & ApprovalItem.decision.does_not_exist(),
        )
        transaction.append_audit(request_id, entry)


def withdraw_decision(request_id: str, level: int, entry: AuditEntry, release_link: str | None = None) -> None:
    """Undo a recorded decision the workflow refused (its wait had already timed out) or could not be handed
    (Step Functions unavailable), keeping the audit. `release_link` makes that link usable again."""
    with all_or_nothing() as transaction:
        transaction.update(
            "approval", ApprovalItem(request_id),
            actions=[ApprovalItem.decision.remove(), ApprovalItem.decided_by.remove(),
                     ApprovalItem.decided_at.remove()],
            condition=ApprovalItem.level == level,
        )
        if release_link:
            transaction.delete("link", LinkUseItem(release_link))
        transaction.append_audit(request_id, entry)


def waiting_for(approver_id: str, limit: int = 200) -> list[ApprovalItem]:
    """Undecided approvals assigned to `approver_id` (a person id, "hr", or a role no person was known for),
    newest first: one query on the by_approver index."""
    return list(ApprovalItem.by_approver.query(approver_id, scan_index_forward=False,
                                               filter_condition=ApprovalItem.decision.does_not_exist(),
                                               limit=limit))


def snapshot(request_id: str, interview_id: str, candidate_id: str):
    """Request, interview, candidate and approval in one round trip (for the approval page)."""
    with TransactGet(connection=connection) as get:
        request = get.get(RequestItem, request_id)
        interview = get.get(InterviewItem, interview_id)
        candidate = get.get(CandidateItem, candidate_id)
        approval = get.get(ApprovalItem, request_id)
    return (value_of(request), value_of(interview), value_of(candidate), value_of(approval))
