"""Data access: the only module that talks to DynamoDB. Reads by key or index only; no Scan anywhere.

Every write that two actors can race on is conditional, and every transition writes its audit entry in the
same transaction as the state it changes.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactGet, TransactWrite

from functions.shared.domain import AuditEntry, InterviewScheduled, InterviewStatus, RequestStatus
from functions.shared.tables import (
    AnalyticsItem,
    ApprovalItem,
    AuditItem,
    CancellationRecord,
    CandidateItem,
    InterviewItem,
    LinkUseItem,
    OfferItem,
    PersonMap,
    RequestItem,
    SlotItem,
    SuppressionItem,
    WaitlistItem,
)

_connection = Connection()


@dataclass(frozen=True)
class TransactionConflict(Exception):
    """A transaction was refused because a condition failed. `failed` names the items whose condition failed."""

    failed: tuple[str, ...]


class _Labelled:
    """A TransactWrite that remembers a label per item, to say which condition failed."""

    def __init__(self, transaction: TransactWrite, labels: list[str]):
        self._transaction, self._labels = transaction, labels

    def save(self, label: str, item, condition=None) -> None:
        self._transaction.save(item, condition=condition)
        self._labels.append(label)

    def update(self, label: str, item, actions, condition=None) -> None:
        self._transaction.update(item, actions=actions, condition=condition)
        self._labels.append(label)

    def delete(self, label: str, item, condition=None) -> None:
        self._transaction.delete(item, condition=condition)
        self._labels.append(label)


@contextmanager
def _transaction():
    """All or nothing. A refused condition becomes TransactionConflict naming the labelled items that failed."""
    labels: list[str] = []
    try:
        with TransactWrite(connection=_connection) as transaction:
            yield _Labelled(transaction, labels)
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


def audit_item(request_id: str, entry: AuditEntry) -> AuditItem:
    # The random suffix keeps two entries written in the same millisecond apart; the time prefix orders them.
    seq = f"{entry.at}#{entry.action}#{secrets.token_hex(2)}"
    return AuditItem(request_id, seq, **entry.model_dump())


# ---- interviews and candidates ------------------------------------------------------------------------------------

def _person(person) -> PersonMap:
    return PersonMap(person_id=person.person_id, name=person.name, email=str(person.email))


def register_interview(event: InterviewScheduled, starts_at: str, now: str) -> bool:
    """Store a scheduled interview, its booked slot and the candidate's profile. False if it was already there."""
    candidate = event.candidate
    interview = InterviewItem(
        event.interview_id,
        candidate_id=candidate.candidate_id,
        job_id=event.job.job_id,
        job_title=event.job.title,
        job_level=event.job.level,
        department=event.job.department,
        candidate_source=candidate.source,
        recruiter=_person(event.job.recruiter),
        department_manager=_person(event.job.department_manager),
        interviewer=_person(event.interviewer),
        slot_id=event.slot_id,
        starts_at=starts_at,
        duration_minutes=event.duration_minutes,
        ai_interview_url=str(event.ai_interview_url),
        completed_parts=list(event.completed_parts),
        status=InterviewStatus.SCHEDULED.value,
        created_at=now,
        start_hour=starts_at[:13],  # "YYYY-MM-DDTHH" in UTC: the reminders' index
        description_url=str(event.job.description_url) if event.job.description_url else None,
        company_intro_url=str(event.job.company_intro_url) if event.job.company_intro_url else None,
    )
    slot = SlotItem(event.slot_id, job_id=event.job.job_id, starts_at=starts_at, status="BOOKED",
                    interview_id=event.interview_id)
    profile = CandidateItem(candidate.candidate_id)
    try:
        with _transaction() as transaction:
            transaction.save("interview", interview, condition=InterviewItem.interview_id.does_not_exist())
            transaction.save("slot", slot,
                             condition=SlotItem.slot_id.does_not_exist() | (SlotItem.status == "AVAILABLE")
                             | (SlotItem.claimed_by == candidate.candidate_id))
            # An update creates the profile if needed and never touches its cancellation history.
            transaction.update("candidate", profile, actions=[
                CandidateItem.name.set(candidate.name),
                CandidateItem.email.set(str(candidate.email)),
                CandidateItem.phone.set(candidate.phone) if candidate.phone else CandidateItem.phone.remove(),
                CandidateItem.sms_opt_in.set(bool(candidate.sms_opt_in)),
                CandidateItem.locale.set(candidate.locale.value),
                CandidateItem.timezone.set(candidate.timezone),
                CandidateItem.source.set(candidate.source),
                CandidateItem.resume_url.set(str(candidate.resume_url)) if candidate.resume_url
                else CandidateItem.resume_url.remove(),
            ])
    except TransactionConflict as conflict:
        if "interview" in conflict.failed:
            return False
        raise
    return True


def get_interview(interview_id: str) -> InterviewItem | None:
    try:
        return InterviewItem.get(interview_id, consistent_read=True)
    except DoesNotExist:
        return None


def interview_with_profile(interview_id: str, candidate_id: str) -> tuple[InterviewItem | None, CandidateItem | None]:
    """A candidate's interview and their profile in one round trip (the request path counts its AWS calls)."""
    with TransactGet(connection=_connection) as get:
        interview = get.get(InterviewItem, interview_id)
        candidate = get.get(CandidateItem, candidate_id)
    return _value(interview), _value(candidate)


def interviews_of(candidate_id: str) -> list[InterviewItem]:
    return list(InterviewItem.by_candidate.query(candidate_id))


def get_candidate(candidate_id: str) -> CandidateItem | None:
    try:
        return CandidateItem.get(candidate_id)
    except DoesNotExist:
        return None


def add_cancellation_to_profile(candidate_id: str, record: CancellationRecord) -> bool:
    """Append to the candidate's history once per request, however often the event is delivered."""
    return _conditional(lambda: CandidateItem(candidate_id).update(
        actions=[
            # `| []` is if_not_exists: the first cancellation starts the list.
            CandidateItem.cancellations.set((CandidateItem.cancellations | []).append([record])),
            CandidateItem.cancelled_request_ids.add({record.request_id}),
        ],
        condition=CandidateItem.candidate_id.exists()
        & ~CandidateItem.cancelled_request_ids.contains(record.request_id),
    ))


def _conditional(write: Callable[[], object]) -> bool:
    """Run one conditional write. False when its condition failed: someone (or an earlier delivery) got there first."""
    try:
        write()
    except PynamoDBException as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


# ---- cancellation requests ----------------------------------------------------------------------------------------

def create_request(request: RequestItem, interview: InterviewItem, entries: list[AuditEntry]) -> None:
    """Write the request, flip the interview to CANCELLATION_PENDING and audit it, all or nothing.

    Raises TransactionConflict with "request" when the request id exists (a duplicate submission) or with
    "interview" when the interview is no longer scheduled.
    """
    with _transaction() as transaction:
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
            transaction.save("audit", audit_item(request.request_id, entry), condition=AuditItem.seq.does_not_exist())


def get_request(request_id: str) -> RequestItem | None:
    try:
        return RequestItem.get(request_id, consistent_read=True)
    except DoesNotExist:
        return None


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


def save_retention_draft(request_id: str, draft: str) -> None:
    RequestItem(request_id).update(
        actions=[RequestItem.retention_draft.set(draft)], condition=RequestItem.request_id.exists()
    )


# ---- approvals ----------------------------------------------------------------------------------------------------

def open_approval(approval: ApprovalItem, entry: AuditEntry) -> bool:
    """Hand the request to the approver at `approval.level`. False when that level is already open (redelivery)."""
    try:
        with _transaction() as transaction:
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
            transaction.save("audit", audit_item(approval.request_id, entry), condition=AuditItem.seq.does_not_exist())
    except TransactionConflict:
        return False
    return True


def approvals_to_remind(hour: str) -> list[ApprovalItem]:
    """Pending approvals whose reminder falls in this hour ("YYYY-MM-DDTHH", UTC)."""
    return list(ApprovalItem.by_remind_hour.query(hour))


def get_approval(request_id: str) -> ApprovalItem | None:
    try:
        return ApprovalItem.get(request_id, consistent_read=True)
    except DoesNotExist:
        return None


def record_decision(
    *, request_id: str, level: int, approver_id: str, link_id: str, link_expires_at: int,
    decision: str, comment: str | None, entry: AuditEntry,
) -> None:
    """Use the link and record the decision, once. Raises TransactionConflict naming "link" or "approval"."""
    with _transaction() as transaction:
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
        transaction.save("audit", audit_item(request_id, entry), condition=AuditItem.seq.does_not_exist())


def withdraw_decision(request_id: str, level: int, entry: AuditEntry, release_link: str | None = None) -> None:
    """Undo a recorded decision the workflow refused (its wait had already timed out) or could not be handed
    (Step Functions unavailable), keeping the audit. `release_link` makes that link usable again."""
    with _transaction() as transaction:
        transaction.update(
            "approval", ApprovalItem(request_id),
            actions=[ApprovalItem.decision.remove(), ApprovalItem.decided_by.remove(),
                     ApprovalItem.decided_at.remove()],
            condition=ApprovalItem.level == level,
        )
        if release_link:
            transaction.delete("link", LinkUseItem(release_link))
        transaction.save("audit", audit_item(request_id, entry), condition=AuditItem.seq.does_not_exist())


def record_retention_message(request_id: str, message: str, sent_by: str, entry: AuditEntry) -> None:
    """Keep the retention message as sent, once, with its audit entry. TransactionConflict "request" if sent."""
    with _transaction() as transaction:
        transaction.update(
            "request", RequestItem(request_id),
            actions=[RequestItem.retention_message.set(message), RequestItem.retention_sent_at.set(entry.at),
                     RequestItem.retention_sent_by.set(sent_by)],
            condition=RequestItem.request_id.exists() & RequestItem.retention_sent_at.does_not_exist(),
        )
        transaction.save("audit", audit_item(request_id, entry), condition=AuditItem.seq.does_not_exist())


def snapshot(request_id: str, interview_id: str, candidate_id: str):
    """Request, interview, candidate and approval in one round trip (for the approval page)."""
    with TransactGet(connection=_connection) as get:
        request = get.get(RequestItem, request_id)
        interview = get.get(InterviewItem, interview_id)
        candidate = get.get(CandidateItem, candidate_id)
        approval = get.get(ApprovalItem, request_id)
    return (_value(request), _value(interview), _value(candidate), _value(approval))


def _value(future):
    try:
        return future.get()
    except DoesNotExist:
        return None


def get_slot(slot_id: str) -> SlotItem | None:
    try:
        return SlotItem.get(slot_id, consistent_read=True)
    except DoesNotExist:
        return None


# ---- slots and moves -----------------------------------------------------------------------------------------------

def open_slot(slot: SlotItem) -> bool:
    """A new AVAILABLE slot. False if the slot id exists (a replay, or someone else's slot)."""
    return _conditional(lambda: slot.save(condition=SlotItem.slot_id.does_not_exist()))


def available_slots(job_id: str, starting_after: str) -> list[SlotItem]:
    """The job's free slots starting after the given time, earliest first (one index query)."""
    return list(SlotItem.by_job.query(job_id, SlotItem.starts_at > starting_after,
                                      filter_condition=SlotItem.status == "AVAILABLE"))


def move_interview(interview: InterviewItem, slot: SlotItem, move_limit: int, now: str, entry: AuditEntry,
                   trail_id: str) -> None:
    """Book the new slot, release the old one and move the interview, all or nothing.

    The old slot is released only if the new one is taken. Raises TransactionConflict naming "new_slot" (taken
    meanwhile), "old_slot" or "interview" (the interview changed: cancelled, moved, or at its move limit).
    """
    with _transaction() as transaction:
        transaction.update("new_slot", SlotItem(slot.slot_id),
                           actions=[SlotItem.status.set("BOOKED"), SlotItem.interview_id.set(interview.interview_id)],
                           condition=(SlotItem.status == "AVAILABLE") & (SlotItem.job_id == interview.job_id))
        transaction.update("old_slot", SlotItem(interview.slot_id),
                           actions=[SlotItem.status.set("AVAILABLE"), SlotItem.interview_id.remove(),
                                    SlotItem.released_at.set(now)],
                           condition=SlotItem.interview_id == interview.interview_id)
        transaction.update(
            "interview", InterviewItem(interview.interview_id),
            actions=[InterviewItem.slot_id.set(slot.slot_id), InterviewItem.starts_at.set(slot.starts_at),
                     InterviewItem.start_hour.set(slot.starts_at[:13]), InterviewItem.moves.add(1),
                     InterviewItem.calendar_sequence.add(1)],
            condition=(InterviewItem.status == InterviewStatus.SCHEDULED.value)
            & (InterviewItem.slot_id == interview.slot_id)
            & (InterviewItem.moves.does_not_exist() | (InterviewItem.moves < move_limit)),
        )
        transaction.save("audit", audit_item(trail_id, entry), condition=AuditItem.seq.does_not_exist())


def claim_slot_for_rebooking(interview: InterviewItem, slot: SlotItem, release_id: str, now: str,
                              entry: AuditEntry, trail_id: str) -> None:
    """A cancelled interview's candidate claims a free slot of the job, once per cancelled interview.

    Raises TransactionConflict naming "slot" (taken meanwhile) or "interview" (not cancelled, or rebooked).
    """
    with _transaction() as transaction:
        transaction.update("slot", SlotItem(slot.slot_id),
                           actions=[SlotItem.status.set("BOOKED"), SlotItem.claimed_by.set(interview.candidate_id),
                                    SlotItem.claimed_at.set(now), SlotItem.claim_release_id.set(release_id)],
                           condition=(SlotItem.status == "AVAILABLE") & (SlotItem.job_id == interview.job_id))
        transaction.update("interview", InterviewItem(interview.interview_id),
                           actions=[InterviewItem.rebooked_slot_id.set(slot.slot_id)],
                           condition=(InterviewItem.status == InterviewStatus.CANCELLED.value)
                           & InterviewItem.rebooked_slot_id.does_not_exist())
        transaction.save("audit", audit_item(trail_id, entry), condition=AuditItem.seq.does_not_exist())


# ---- behaviour ------------------------------------------------------------------------------------------------------

def record_behaviour(interview_id: str, candidate_id: str, attribute: str, at: str) -> bool:
    """Note the first time a candidate did something (an InterviewItem `..._at` attribute). False afterwards."""
    field = getattr(InterviewItem, attribute)
    return _conditional(lambda: InterviewItem(interview_id).update(
        actions=[field.set(at)],
        condition=(InterviewItem.candidate_id == candidate_id) & field.does_not_exist(),
    ))


# ---- reminders ------------------------------------------------------------------------------------------------------

def interviews_starting_in_hour(hour: str) -> list[InterviewItem]:
    """The interviews whose start is in the UTC hour "YYYY-MM-DDTHH" (an index query, not a Scan)."""
    return list(InterviewItem.by_start_hour.query(hour))


# ---- suppressed addresses ------------------------------------------------------------------------------------------

def suppress_address(address: str, reason: str, at: str, feedback_id: str | None = None) -> bool:
    """Never mail this address again. False if it already was suppressed (the first reason is kept)."""
    item = SuppressionItem(address.strip().lower(), reason=reason, at=at, feedback_id=feedback_id)
    return _conditional(lambda: item.save(
        condition=SuppressionItem.address.does_not_exist()))


def is_suppressed(address: str) -> bool:
    try:
        SuppressionItem.get(address.strip().lower())
    except DoesNotExist:
        return False
    return True


# ---- waitlist and slot offers --------------------------------------------------------------------------------------

def join_waitlist(entry: WaitlistItem) -> bool:
    """Put a candidate on a job's waitlist. False if they were already on it (their place is kept)."""
    return _conditional(lambda: entry.save(condition=WaitlistItem.candidate_id.does_not_exist()))


def waitlist_of(job_id: str) -> list[WaitlistItem]:
    return list(WaitlistItem.query(job_id, consistent_read=True))


def leave_waitlist(job_id: str, candidate_id: str) -> None:
    """Idempotent: deleting an entry that is gone changes nothing."""
    WaitlistItem(job_id, candidate_id).delete()


def open_offer(offer: OfferItem) -> bool:
    """Offer a released slot to a candidate. False if this release was already offered to them (a redelivery);
    an offer from an earlier release of the same slot is replaced."""
    return _conditional(lambda: offer.save(
        condition=OfferItem.candidate_id.does_not_exist() | (OfferItem.release_id != offer.release_id)))


def get_offer(slot_id: str, candidate_id: str) -> OfferItem | None:
    try:
        return OfferItem.get(slot_id, candidate_id, consistent_read=True)
    except DoesNotExist:
        return None


def offers_of_slot(slot_id: str) -> list[OfferItem]:
    return list(OfferItem.query(slot_id, consistent_read=True))


def get_claimed_slot(slot_id: str) -> SlotItem | None:
    try:
        return SlotItem.get(slot_id, consistent_read=True)
    except DoesNotExist:
        return None


def claim_slot(offer: OfferItem, now: str) -> None:
    """Book the released slot for the offer's candidate: all or nothing, and only the first claim wins.

    Raises TransactionConflict naming "slot" (no longer available) and/or "offer" (expired, withdrawn or used).
    """
    with _transaction() as transaction:
        transaction.update(
            "slot", SlotItem(offer.slot_id),
            actions=[SlotItem.status.set("BOOKED"), SlotItem.claimed_by.set(offer.candidate_id),
                     SlotItem.claimed_at.set(now), SlotItem.claim_release_id.set(offer.release_id)],
            condition=SlotItem.status == "AVAILABLE",
        )
        transaction.update(
            "offer", OfferItem(offer.slot_id, offer.candidate_id),
            actions=[OfferItem.status.set("CLAIMED")],
            condition=(OfferItem.status == "OFFERED") & (OfferItem.release_id == offer.release_id)
            & (OfferItem.expires_at > now),
        )


def withdraw_offer(slot_id: str, candidate_id: str, release_id: str) -> bool:
    """OFFERED -> GONE once someone else claimed the slot. False if it was not open (already told, or used)."""
    return _conditional(lambda: OfferItem(slot_id, candidate_id).update(
        actions=[OfferItem.status.set("GONE")],
        condition=(OfferItem.status == "OFFERED") & (OfferItem.release_id == release_id),
    ))


# ---- analytics aggregates ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Increment:
    """Add n (and total, if measured) to the counter `metric` of `day`."""

    day: str
    metric: str
    n: int = 1
    total: float | None = None


def _add(transaction: _Labelled, increment: Increment) -> None:
    actions = [AnalyticsItem.n.add(increment.n)]
    if increment.total is not None:
        actions.append(AnalyticsItem.total.add(increment.total))
    transaction.update("counter", AnalyticsItem(increment.day, increment.metric), actions=actions)


def count_once(marker_day: str, marker: str, increments: list[Increment], expires_at: int | None = None,
               value: float | None = None) -> bool:
    """Apply the increments and write the marker (day, metric) in one transaction, once: False (and nothing
    changed) when the marker exists, e.g. an SQS redelivery of an event already counted. Increments must name
    distinct counters (merge them first) and be at most 99."""
    try:
        with _transaction() as transaction:
            transaction.save("marker", AnalyticsItem(marker_day, marker, n=1, total=value, expires_at=expires_at),
                             condition=AnalyticsItem.day.does_not_exist())
            for increment in increments:
                _add(transaction, increment)
    except TransactionConflict as conflict:
        if "marker" in conflict.failed:
            return False
        raise
    return True


def aggregates_on(day: str) -> dict[str, tuple[int, float]]:
    """Every counter of one day: metric -> (n, total). One query (paged), whatever the history's size."""
    return {item.metric: (int(item.n or 0), float(item.total or 0)) for item in AnalyticsItem.query(day)}


def put_aggregates(increments: list[Increment]) -> None:
    """Write counters as they are (no ADD): seeding demo data and benchmarks with already-summed increments."""
    with AnalyticsItem.batch_write() as batch:
        for increment in increments:
            batch.save(AnalyticsItem(increment.day, increment.metric, n=increment.n, total=increment.total))


# ---- the cancellation-risk model's history and scores ---------------------------------------------------------------

def put_history_row(month: str, interview_id: str, row: str) -> None:
    """One interview's outcome and what was known beforehand (JSON). Repeating it rewrites the same item."""
    AnalyticsItem(f"history#{month}", interview_id, row=row).save()


def history_rows(month: str) -> list[str]:
    return [item.row for item in AnalyticsItem.query(f"history#{month}") if item.row]


def put_risk_score(interview_id: str, probability: float, expires_at: int) -> None:
    AnalyticsItem(f"risk#{interview_id}", "score", total=probability, expires_at=expires_at).save()


def risk_score(interview_id: str) -> float | None:
    try:
        return float(AnalyticsItem.get(f"risk#{interview_id}", "score").total)
    except (DoesNotExist, TypeError):
        return None
