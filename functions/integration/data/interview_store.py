"""Interviews: registration (with the booked slot and the candidate's profile, in one transaction),
reads by key and index, and the first-time behaviour marks.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactGet

from functions.core.models import InterviewScheduled, InterviewStatus
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
    return PersonMap(person_id=person.person_id, name=person.name, email=str(person.email))


def register_interview(event: InterviewScheduled, starts_at: str, now: str, calendar: CalendarEntry) -> bool:
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
        calendar_uid=calendar.uid,
        calendar_sequence=calendar.sequence,
        calendar_organizer=calendar.organizer,
        calendar_owner=calendar.owner,
    )
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
