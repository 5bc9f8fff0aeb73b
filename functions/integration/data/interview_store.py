"""Interviews: registration (with the booked slot and the candidate's profile, in one transaction),
reads by key and index, and the first-time behaviour marks.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactGet

from functions.core.models import AuditEntry, InterviewScheduled, InterviewStatus
from functions.integration.data.transactions import all_or_nothing, conditional, connection, TransactionConflict, value_of
from functions.integration.tables import CandidateItem, InterviewItem, PersonMap, SlotItem


@dataclass(frozen=True)
class CalendarEntry:
    """The interview's calendar entry as registered: its UID, the SEQUENCE last sent, its ORGANIZER, and who
    sent the invitation ("ats", or None: we do)."""

    uid: str
    sequence: int
    organizer: str
    owner: str | None


def _person(person) -> PersonMap:
    return PersonMap(person_id=person.person_id, name=person.name, email=str(person.email), locale=person.locale)


def candidate_contact(candidate_id: str) -> CandidateItem | None:
    """The candidate's stored profile, read consistently: what a registration compares its contact details with."""
    try:
        return CandidateItem.get(candidate_id, consistent_read=True)
    except DoesNotExist:
        return None


def _interview_item(event: InterviewScheduled, starts_at: str, now: str, calendar: CalendarEntry,
                    rebooked_from: str | None = None, known: CandidateItem | None = None) -> InterviewItem:
    """The stored interview of a registration (or of a rebooking, linked to the cancelled one). A registration
    for a candidate whose profile (`known`) holds earlier cancellations is marked with their reasons."""
    candidate = event.candidate
    earlier = [record.reason_code for record in (known.cancellations if known else None) or []]
    return InterviewItem(
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
        start_day=starts_at[:10],  # "YYYY-MM-DD" in UTC: the staff console's search
        description_url=str(event.job.description_url) if event.job.description_url else None,
        company_intro_url=str(event.job.company_intro_url) if event.job.company_intro_url else None,
        calendar_uid=calendar.uid,
        calendar_sequence=calendar.sequence,
        calendar_organizer=calendar.organizer,
        calendar_owner=calendar.owner,
        rebooked_from=rebooked_from,
        reapplied_after=earlier or None,
        reapplied_day=now[:10] if earlier else None,
    )


def register_interview(event: InterviewScheduled, starts_at: str, now: str, calendar: CalendarEntry,
                       known: CandidateItem | None = None,
                       contact_change: tuple[str, AuditEntry] | None = None) -> bool:
    """Store a scheduled interview, its booked slot and the candidate's profile. False if it was already there.

    `known` is the profile as read before (None: there was none): the write is refused (TransactionConflict naming
    "candidate") if its e-mail or phone changed meanwhile, so that a contact change is never missed.
    `contact_change` (the candidate's audit trail id and its entry) records a change of e-mail or phone in the same
    transaction and bumps the candidate's link_version, revoking the links issued before.
    """
    candidate = event.candidate
    interview = _interview_item(event, starts_at, now, calendar, known=known)
    slot = SlotItem(event.slot_id, job_id=event.job.job_id, starts_at=starts_at, status="BOOKED",
                    interview_id=event.interview_id)
    profile = CandidateItem(candidate.candidate_id)
    try:
        with all_or_nothing() as transaction:
            transaction.save("interview", interview, condition=InterviewItem.interview_id.does_not_exist())
            transaction.save("slot", slot,
                             condition=SlotItem.slot_id.does_not_exist() | (SlotItem.status == "AVAILABLE")
                             | (SlotItem.claimed_by == candidate.candidate_id))
            # An update creates the profile if needed and never touches its cancellation history.
            transaction.update("candidate", profile, condition=_contact_unchanged(known), actions=[
                CandidateItem.name.set(candidate.name),
                CandidateItem.email.set(str(candidate.email)),
                CandidateItem.phone.set(candidate.phone) if candidate.phone else CandidateItem.phone.remove(),
                CandidateItem.sms_opt_in.set(bool(candidate.sms_opt_in)),
                CandidateItem.locale.set(candidate.locale),
                CandidateItem.timezone.set(candidate.timezone),
                CandidateItem.source.set(candidate.source),
                CandidateItem.resume_url.set(str(candidate.resume_url)) if candidate.resume_url
                else CandidateItem.resume_url.remove(),
                *([CandidateItem.link_version.add(1)] if contact_change else []),
            ])
            if contact_change:
                transaction.append_audit(*contact_change)
    except TransactionConflict as conflict:
        if "interview" in conflict.failed:
            return False
        raise
    return True


def rebook_interview(cancelled: InterviewItem, event: InterviewScheduled, starts_at: str, now: str,
                     calendar: CalendarEntry, entry: AuditEntry, trail_id: str) -> None:
    """Book the new interview of a cancelled one in a free slot, all or nothing: the new interview (linked by
    rebooked_from, with the completed parts the event carries), its slot booked, the cancelled interview marked
    rebooked (once) and the audit entry.

    Raises TransactionConflict naming "slot" (taken meanwhile), "cancelled" (not cancelled, or rebooked already)
    or "interview" (the new interview's id exists).
    """
    with all_or_nothing() as transaction:
        transaction.save("interview", _interview_item(event, starts_at, now, calendar,
                                                      rebooked_from=cancelled.interview_id),
                         condition=InterviewItem.interview_id.does_not_exist())
        transaction.update("slot", SlotItem(event.slot_id),
                           actions=[SlotItem.status.set("BOOKED"), SlotItem.interview_id.set(event.interview_id)],
                           condition=(SlotItem.status == "AVAILABLE") & (SlotItem.job_id == cancelled.job_id))
        transaction.update("cancelled", InterviewItem(cancelled.interview_id),
                           actions=[InterviewItem.rebooked_slot_id.set(event.slot_id),
                                    InterviewItem.rebooked_to.set(event.interview_id)],
                           condition=(InterviewItem.status == InterviewStatus.CANCELLED.value)
                           & InterviewItem.rebooked_slot_id.does_not_exist())
        transaction.append_audit(trail_id, entry)


def _contact_unchanged(known: CandidateItem | None):
    if known is None:
        return CandidateItem.candidate_id.does_not_exist()
    phone = CandidateItem.phone.does_not_exist() if known.phone is None else CandidateItem.phone == known.phone
    return (CandidateItem.email == known.email) & phone


def get_interview(interview_id: str) -> InterviewItem | None:
    try:
        return InterviewItem.get(interview_id, consistent_read=True)
    except DoesNotExist:
        return None


def interview_with_profile(interview_id: str, candidate_id: str) -> tuple[InterviewItem | None, CandidateItem | None]:
    """A candidate's interview and their profile in one round trip (the request path counts its AWS calls)."""
    with TransactGet(connection=connection) as get:
        interview = get.get(InterviewItem, interview_id)
        candidate = get.get(CandidateItem, candidate_id)
    return value_of(interview), value_of(candidate)


def interviews_of(candidate_id: str) -> list[InterviewItem]:
    return list(InterviewItem.by_candidate.query(candidate_id))


def record_behaviour(interview_id: str, candidate_id: str, attribute: str, at: str) -> bool:
    """Note the first time a candidate did something (an InterviewItem `..._at` attribute). False afterwards."""
    field = getattr(InterviewItem, attribute)
    return conditional(lambda: InterviewItem(interview_id).update(
        actions=[field.set(at)],
        condition=(InterviewItem.candidate_id == candidate_id) & field.does_not_exist(),
    ))


def record_attendance(interview_id: str, outcome: str, at: str, by: str) -> InterviewItem | None:
    """Record once whether the candidate came. The stored interview afterwards (its attendance may be an earlier,
    different one: the first recorded stays); None if there is no such interview."""
    conditional(lambda: InterviewItem(interview_id).update(
        actions=[InterviewItem.attendance.set(outcome), InterviewItem.attendance_at.set(at),
                 InterviewItem.attendance_by.set(by)],
        condition=InterviewItem.interview_id.exists() & InterviewItem.attendance.does_not_exist()))
    return get_interview(interview_id)


def reapplications_on(day: str) -> list[InterviewItem]:
    """The interviews registered on the UTC day "YYYY-MM-DD" for candidates who had cancelled before (the sparse
    by_reapplied_day index, not a Scan)."""
    return list(InterviewItem.by_reapplied_day.query(day))


def interviews_starting_on(day: str) -> list[InterviewItem]:
    """The interviews starting on a UTC day ("YYYY-MM-DD"), latest first: one query on the by_start_day index."""
    return list(InterviewItem.by_start_day.query(day, scan_index_forward=False))


def interviews_starting_in_hour(hour: str) -> list[InterviewItem]:
    """The interviews whose start is in the UTC hour "YYYY-MM-DDTHH" (an index query, not a Scan)."""
    return list(InterviewItem.by_start_hour.query(hour))


def claim_calendar_sequence(interview_id: str, change: str, attempts: int = 5) -> int | None:
    """The SEQUENCE for a calendar change (e.g. "cancel:<request>"): the one after the last sent, stored with the
    change so the interview keeps the sequence it last sent. Claiming the same change again (a redelivery)
    answers the same number. None if there is no such interview."""
    for _ in range(attempts):
        interview = get_interview(interview_id)
        if interview is None:
            return None
        current = int(interview.calendar_sequence or 0)
        if interview.calendar_change == change:
            return current
        unchanged = InterviewItem.calendar_sequence == current
        if current == 0:
            unchanged = unchanged | InterviewItem.calendar_sequence.does_not_exist()
        if conditional(lambda: InterviewItem(interview_id).update(
                actions=[InterviewItem.calendar_sequence.set(current + 1), InterviewItem.calendar_change.set(change)],
                condition=InterviewItem.interview_id.exists() & unchanged)):
            return current + 1
    raise TransactionConflict(("interview",))


def latest_interview_of_job(job_id: str) -> InterviewItem | None:
    """The job's most recently registered interview (its job data names the job's current recruiter and
    department manager), found through the job's booked slots. None if this service holds no interview of it."""
    interview_ids = {slot.interview_id for slot in SlotItem.by_job.query(job_id) if slot.interview_id}
    interviews = list(InterviewItem.batch_get(interview_ids)) if interview_ids else []
    return max(interviews, key=lambda i: i.created_at, default=None)


def assign_nudge_arm(interview_id: str, arm: str) -> str:
    """Store the interview's arm of the nudge experiment once; the arm it keeps (an earlier run's, if any)."""
    if conditional(lambda: InterviewItem(interview_id).update(
            actions=[InterviewItem.nudge_arm.set(arm)],
            condition=InterviewItem.interview_id.exists() & InterviewItem.nudge_arm.does_not_exist())):
        return arm
    stored = get_interview(interview_id)
    if stored is None:
        raise LookupError(f"interview {interview_id} is not registered")
    return stored.nudge_arm
