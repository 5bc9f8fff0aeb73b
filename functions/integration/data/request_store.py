"""Cancellation requests and their audit trail: every transition writes its audit entry in the same
transaction as the state it changes.
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactGet

from functions.core.audit_chain import AuditRecord
from functions.core.models import AuditEntry, Initiator, InterviewStatus, RequestStatus, Route
from functions.integration.data.transactions import all_or_nothing, connection, value_of
from functions.integration.tables import AuditItem, CandidateItem, InterviewItem, RequestItem



def create_request(request_id: str, interview: InterviewItem, *, initiator: Initiator, requested_by: str,
                   reason_code: str, reason_text: str | None, route: Route, remind_before_seconds: int | None,
                   retention_template: str | None, created_at: str, entries: list[AuditEntry]) -> RequestItem:
    """Write the request (RECEIVED), flip the interview to CANCELLATION_PENDING and audit it, all or nothing.

    Raises TransactionConflict with "request" when the request id exists (a duplicate submission) or with
    "interview" when the interview is no longer scheduled.
    """
    request = RequestItem(
        request_id,
        interview_id=interview.interview_id,
        candidate_id=interview.candidate_id,
        initiator=initiator.value,
        requested_by=requested_by,
        reason_code=reason_code,
        reason_text=reason_text or None,
        status=RequestStatus.RECEIVED.value,
        route_rule=route.rule,
        route_summary="auto-approve" if route.auto_approve else route.approvers[0].role,
        route_json=route.model_dump_json(),
        remind_before_seconds=remind_before_seconds,
        auto_approve=route.auto_approve,
        created_at=created_at,
        created_day=created_at[:10],
        contact_email=interview.recruiter.email,
        retention_template=retention_template,
    )
    with all_or_nothing() as transaction:
        transaction.save("request", request, condition=RequestItem.request_id.does_not_exist())
        transaction.update(
            "interview", InterviewItem(interview.interview_id),
            actions=[
                InterviewItem.status.set(InterviewStatus.CANCELLATION_PENDING.value),
                InterviewItem.pending_request_id.set(request.request_id),
            ],
            condition=(InterviewItem.status == InterviewStatus.SCHEDULED.value),
        )
        for entry in entries:
            transaction.append_audit(request.request_id, entry)
    return request


def get_request(request_id: str) -> RequestItem | None:
    try:
        return RequestItem.get(request_id, consistent_read=True)
    except DoesNotExist:
        return None


def get_requests(request_ids: set[str]) -> list[RequestItem]:
    """Several requests in one round trip (a page of interviews names their pending requests)."""
    return list(RequestItem.batch_get(request_ids, consistent_read=True)) if request_ids else []


def request_with_profile(request_id: str, candidate_id: str) -> tuple[RequestItem | None, CandidateItem | None]:
    """A request and the profile of the candidate asking about it in one round trip (the request path counts
    its AWS calls)."""
    with TransactGet(connection=connection) as get:
        request = get.get(RequestItem, request_id)
        candidate = get.get(CandidateItem, candidate_id)
    return value_of(request), value_of(candidate)


def requests_of(candidate_id: str) -> list[RequestItem]:
    return list(RequestItem.by_candidate.query(candidate_id))


def requests_created_on(day: str) -> list[RequestItem]:
    return list(RequestItem.by_day.query(day))


def audit_trail(request_id: str) -> list[AuditEntry]:
    return [
        AuditEntry(at=item.at, actor=item.actor, action=item.action, from_status=item.from_status,
                   to_status=item.to_status, why=item.why)
        for item in AuditItem.query(request_id, consistent_read=True)
    ]


def audit_records(trail_id: str) -> list[AuditRecord]:
    """The trail as stored, in seq order, with each entry's chain fields (what `interviews audit verify` checks)."""
    return [
        AuditRecord(trail_id=trail_id, seq=item.seq, prev_hash=item.prev_hash, hash=item.entry_hash,
                    entry=AuditEntry(at=item.at, actor=item.actor, action=item.action, from_status=item.from_status,
                                     to_status=item.to_status, why=item.why))
        for item in AuditItem.query(trail_id, consistent_read=True)
    ]


def save_retention_draft(request_id: str, draft: str) -> None:
    RequestItem(request_id).update(
        actions=[RequestItem.retention_draft.set(draft)], condition=RequestItem.request_id.exists()
    )


def record_retention_message(request_id: str, message: str, sent_by: str, entry: AuditEntry) -> None:
    """Keep the retention message as sent, once, with its audit entry. TransactionConflict "request" if sent."""
    with all_or_nothing() as transaction:
        transaction.update(
            "request", RequestItem(request_id),
            actions=[RequestItem.retention_message.set(message), RequestItem.retention_sent_at.set(entry.at),
                     RequestItem.retention_sent_by.set(sent_by)],
            condition=RequestItem.request_id.exists() & RequestItem.retention_sent_at.does_not_exist(),
        )
        transaction.append_audit(request_id, entry)
