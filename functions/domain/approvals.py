"""Approvers: handing them a request, showing them its context, and taking their decision exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from functions.core.clock import to_iso, utc_now
from functions.core.errors import (ConflictError, ForbiddenError, LinkExpiredError, LinkInvalidError, NotFoundError,
                                   ServiceUnavailableError)
from functions.core.models import Approver, AuditEntry, Decision, Outcome, RequestStatus, StaffRole
from functions.domain import retention
from functions.domain.scopes import StaffScope
from functions.integration import events, links, workflow
from functions.integration.data import approval_store, interview_store, request_store, transactions

if TYPE_CHECKING:  # stored items are read here, never built: the data access builds them
    from functions.integration.tables import ApprovalItem, CandidateItem, InterviewItem, RequestItem

# An approver link outlives the SLA a little, so a decision made at the deadline is not refused by the link.
LINK_GRACE = timedelta(hours=1)
# How the policy names HR as an approver (functions/domain/policy.py): staff with the admin role decide for it.
HR_APPROVER = "hr"
WAITING_LIMIT = 200  # "waiting for me" lists at most this many approvals


class ApprovalRequested(BaseModel):
    """Detail of the ApprovalRequested event the workflow emits while it waits (version 1)."""

    version: str
    request_id: str
    interview_id: str
    candidate_id: str
    level: int
    approver: Approver
    sla_seconds: int
    task_token: str


def open_approval(detail: ApprovalRequested, remind_before_seconds: int | None = None) -> ApprovalItem | None:
    """Keep the task token server-side and make the approver the one who decides. None on a redelivery.

    With `remind_before_seconds`, the approval is filed under the hour in which its approver gets a reminder.
    """
    now = utc_now()
    due = now + timedelta(seconds=detail.sla_seconds)
    remind_at = due - timedelta(seconds=remind_before_seconds) if remind_before_seconds else None
    previous = approval_store.get_approval(detail.request_id)
    from_status = RequestStatus.RECEIVED if detail.level == 0 else RequestStatus.PENDING_APPROVAL
    entry = AuditEntry(
        at=to_iso(now), actor="workflow", action="approval_requested" if detail.level == 0 else "escalated",
        from_status=from_status.value, to_status=RequestStatus.PENDING_APPROVAL.value,
        why=f"awaiting {detail.approver.role} {detail.approver.approver_id} (level {detail.level}) "
            f"within {detail.sla_seconds} s",
    )
    return approval_store.open_approval(
        detail.request_id, detail.level, detail.approver, detail.task_token, opened_at=to_iso(now), due_at=to_iso(due),
        remind_hour=to_iso(remind_at)[:13] if remind_at and remind_at > now else None,
        # Kept so that the approver who let the deadline pass is told, even if this event is redelivered.
        escalated_from_email=previous.approver_email if previous and previous.level < detail.level else None,
        entry=entry)


def link_for(approval: ApprovalItem, sla_seconds: int) -> str:
    ttl = sla_seconds + int(LINK_GRACE.total_seconds())
    return links.approval_url(approval.request_id, int(approval.level), approval.approver_id, ttl)


@dataclass
class ApprovalContext:
    request: RequestItem
    interview: InterviewItem
    candidate: CandidateItem | None
    earlier_interviews: list[InterviewItem]
    open: bool  # the link's approver may decide now
    retention_draft: str | None  # the link's approver rejected and has not sent a retention message yet


def context(token: str) -> ApprovalContext:
    """Everything the approver sees before deciding. Reads only: mail scanners fetch links too."""
    link = links.approver_link_of(token)
    head = request_store.get_request(link.request_id)
    if head is None:
        raise LinkInvalidError("This link is not valid.")
    request, interview, candidate, approval = approval_store.snapshot(head.request_id, head.interview_id, head.candidate_id)
    approval = _check_link(link, approval)
    earlier = [i for i in interview_store.interviews_of(request.candidate_id) if i.interview_id != request.interview_id]
    is_open = approval.decision is None and request.status == RequestStatus.PENDING_APPROVAL
    may_retain = approval.decision == Decision.REJECT.value and not request.retention_sent_at
    draft = (request.retention_draft or retention.draft(request, interview, candidate)) if may_retain else None
    return ApprovalContext(request, interview, candidate, earlier, is_open, draft)


def _check_link(link: links.ApproverLink, approval: ApprovalItem | None) -> ApprovalItem:
    """The link's approval, if the link is this approval's current one (410 once it was passed on, else 403)."""
    if approval is not None and approval.level > link.level:
        raise LinkExpiredError("This request was passed on to another approver because the deadline passed.",
                               code="approval_passed_on")
    if approval is None or approval.approver_id != link.approver_id or approval.level != link.level:
        raise LinkInvalidError("This link is not valid.")
    return approval


def _link_and_approval(token: str) -> tuple[links.ApproverLink, ApprovalItem]:
    link = links.approver_link_of(token)
    return link, _check_link(link, approval_store.get_approval(link.request_id))


def send_retention(token: str, message: str) -> None:
    """The rejecting approver sends the (edited) retention message to the candidate: once, and audited.

    The decision used the link; this second use is guarded by its own once-only write. Sending the same text
    again (a retry after an error) re-announces it; mail goes once per request whatever happens.
    """
    link, approval = _link_and_approval(token)
    if approval.decision != Decision.REJECT.value:
        raise ConflictError("A retention message can only follow a rejection.", code="retention_needs_rejection")
    actor = f"approver:{link.approver_id}"
    entry = AuditEntry(at=to_iso(utc_now()), actor=actor, action="retention_sent",
                       why="retention message sent to the candidate")
    try:
        request_store.record_retention_message(link.request_id, message, actor, entry)
    except transactions.TransactionConflict:
        request = request_store.get_request(link.request_id)
        if request is None or request.retention_message != message:
            raise ConflictError("A retention message was already sent for this request.",
                                code="retention_already_sent") from None
    request = request_store.get_request(link.request_id)
    try:
        events.publish("RetentionMessageSent", {"request_id": request.request_id,
                                                "interview_id": request.interview_id,
                                                "candidate_id": request.candidate_id})
    except Exception as exc:  # noqa: BLE001 - kept and audited; sending the same text again delivers it
        raise ServiceUnavailableError("The message is saved but could not be sent yet; please send it again.",
                                      code="retention_unsent") \
            from exc


def decide(token: str, decision: Decision, comment: str | None) -> Outcome:
    """The e-mailed link's decision: the link's approver decides, and the link is used up."""
    link, approval = _link_and_approval(token)
    return record_and_hand_over(approval, decision, comment, actor=f"approver:{link.approver_id}", link=link)


def decide_in_console(request_id: str, scope: StaffScope, actor: str, decision: Decision,
                      comment: str | None) -> Outcome:
    """The staff console's decision: allowed to the staff member the request is waiting for (see `waits_for`).

    Out of the staff member's reach the request is missing (404); within reach but waiting for someone else, 403;
    already decided (here, from the e-mailed link, or the request closed meanwhile), 409."""
    approval = approval_store.get_approval(request_id)
    interview = _interview_of(request_id)
    if approval is None or not (scope.covers(interview) or waits_for(approval, scope, interview)):
        raise NotFoundError("No such request.", code="request_not_found")
    if not waits_for(approval, scope, interview):
        raise ForbiddenError("This request is waiting for another approver.", code="not_your_approval")
    return record_and_hand_over(approval, decision, comment, actor=actor, link=None)


def waits_for(approval: ApprovalItem, scope: StaffScope, interview: InterviewItem | None) -> bool:
    """Whether the approval waits for this staff member, as its approver was resolved (functions/domain/policy.py):
    a named person (their person id), HR (the admin role), or a role of the job no person was known for (that
    role, for an interview the role reaches)."""
    if scope.person_id and approval.approver_id == scope.person_id:
        return True
    if approval.approver_id == HR_APPROVER:
        return StaffRole.ADMIN in scope.roles
    role = StaffRole._value2member_map_.get(approval.approver_id)
    if role is None or role not in scope.roles or role is StaffRole.ADMIN:
        return False
    return StaffScope(person_id=scope.person_id, roles=frozenset({role})).covers(interview)


@dataclass
class Waiting:
    approval: ApprovalItem
    request: RequestItem
    interview: InterviewItem | None
    candidate: CandidateItem | None


def waiting_for_me(scope: StaffScope, limit: int = WAITING_LIMIT) -> list[Waiting]:
    """The open approvals waiting for this staff member, any level, newest first (by when they were handed over).

    One query per way an approval can name them (person id, "hr", an unresolved role): no Scan."""
    keys = [scope.person_id] if scope.person_id else []
    if StaffRole.ADMIN in scope.roles:
        keys.append(HR_APPROVER)
    keys += sorted(role.value for role in scope.roles if role is not StaffRole.ADMIN)
    found: dict[str, ApprovalItem] = {}
    for key in keys:
        for approval in approval_store.waiting_for(key, limit):
            found.setdefault(approval.request_id, approval)
    result = []
    for approval in sorted(found.values(), key=lambda a: a.opened_at, reverse=True):
        request = request_store.get_request(approval.request_id)
        if request is None or request.status != RequestStatus.PENDING_APPROVAL.value:
            continue  # closed without its approver (the deadline's default, a move): nothing to decide
        interview, candidate = interview_store.interview_with_profile(request.interview_id, request.candidate_id)
        if not waits_for(approval, scope, interview):
            continue
        result.append(Waiting(approval, request, interview, candidate))
        if len(result) >= limit:
            break
    return result


def _interview_of(request_id: str) -> InterviewItem | None:
    request = request_store.get_request(request_id)
    return interview_store.get_interview(request.interview_id) if request else None


def record_and_hand_over(approval: ApprovalItem, decision: Decision, comment: str | None, *, actor: str,
                         link: links.ApproverLink | None) -> Outcome:
    """Record the decision once, audited, and hand it to the waiting workflow: the one way a decision is made,
    from the e-mailed link (which it uses up) or from the staff console. Every later attempt gets a conflict."""
    if approval.decision is not None:
        raise ConflictError("This request has already been decided.", code="already_decided")
    request_id, level = approval.request_id, int(approval.level)

    outcome = Outcome.APPROVED if decision is Decision.APPROVE else Outcome.REJECTED
    at = to_iso(utc_now())
    entry = AuditEntry(at=at, actor=actor, action=f"decision_{outcome.value}",
                       from_status=RequestStatus.PENDING_APPROVAL.value,
                       to_status=RequestStatus.PENDING_APPROVAL.value, why=comment or None)
    try:
        approval_store.record_decision(request_id=request_id, level=level, approver_id=approval.approver_id,
                                       link_id=link.link_id if link else None,
                                       link_expires_at=link.expires_at if link else None, decision=decision.value,
                                       comment=comment, entry=entry)
    except transactions.TransactionConflict:
        # The link was used, the approval decided or the request closed meanwhile: either way it is decided.
        raise ConflictError("This request has already been decided.", code="already_decided") from None
    try:
        workflow.send_decision(approval.task_token, {
            "outcome": outcome.value, "actor": actor, "comment": comment or "",
            "from_status": RequestStatus.PENDING_APPROVAL.value,
        })
    except workflow.DecisionTooLateError:
        approval_store.withdraw_decision(request_id, level, AuditEntry(
            at=to_iso(utc_now()), actor="workflow", action="decision_withdrawn",
            why="the decision arrived after the deadline; the request had moved on"))
        raise LinkExpiredError("The deadline for this decision passed; the request was passed on.",
                               code="decision_too_late") from None
    except (ClientError, BotoCoreError) as exc:
        # Step Functions still refuses after the SDK's retries: a decision the workflow never heard of must not
        # stand (nor use up the link), or the retry would be told "already decided" while nothing was decided.
        approval_store.withdraw_decision(request_id, level, AuditEntry(
            at=to_iso(utc_now()), actor="workflow", action="decision_withdrawn",
            why="the workflow could not be reached; the approver was asked to send the decision again"),
            release_link=link.link_id if link else None)
        raise ServiceUnavailableError("The service is busy; please send your decision again in a moment.",
                                      code="busy_retry_decision") from exc
    return outcome
