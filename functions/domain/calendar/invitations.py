"""Which calendar entry an interview is, and the iCalendar messages that keep the attendees' copies in step.

Either we send the invitation (our UID, SEQUENCE 0, the configured organizer or else the recruiter), or the ATS
did and said so in InterviewScheduled's `calendar` block: then we send no invitation, and our updates carry the
ATS's UID and organizer and continue from its sequence. Either way the interview keeps the sequence it last sent
(InterviewItem.calendar_sequence): a move adds one in its transaction, a cancellation claims the next one here.

Each reader's copy speaks their language: SUMMARY ("面试：Backend Engineer") and a short DESCRIPTION come from the
catalogs, the candidate's in theirs, the interviewer's in the one the ATS sent with them (else the deployment's).
The copies differ in nothing else: one UID, one SEQUENCE, one organizer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.core.errors import ConflictError, NotFoundError
from functions.core.i18n import DEFAULT_LOCALE, locale_of, reader_locale, translator
from functions.core.models import InterviewScheduled, InterviewStatus, Locale
from functions.core.settings import get_settings
from functions.integration import calendar
from functions.integration.data import candidate_store, interview_store
from functions.integration.data.interview_store import CalendarEntry

if TYPE_CHECKING:  # stored items are read here, never built: the data access builds them
    from functions.integration.tables import CandidateItem, InterviewItem

ATS = "ats"  # InterviewItem.calendar_owner when the ATS sent the invitation


def registered_entry(event: InterviewScheduled) -> CalendarEntry:
    """The calendar entry stored with a newly scheduled interview."""
    if event.calendar is not None:
        return CalendarEntry(uid=event.calendar.uid, sequence=event.calendar.sequence,
                             organizer=str(event.calendar.organizer), owner=ATS)
    organizer = get_settings().calendar_organizer or str(event.job.recruiter.email)
    return CalendarEntry(uid=calendar.interview_uid(event.interview_id), sequence=0, organizer=organizer, owner=None)


def we_invite(interview: InterviewItem) -> bool:
    return interview.calendar_owner != ATS


def uid_of(interview: InterviewItem) -> str:
    return interview.calendar_uid or calendar.interview_uid(interview.interview_id)


def _organizer(interview: InterviewItem) -> dict:
    email = interview.calendar_organizer or get_settings().calendar_organizer or interview.recruiter.email
    return {"organizer_email": email,
            "organizer_name": interview.recruiter.name if email == interview.recruiter.email else None}


def interviewer_locale(interview: InterviewItem) -> Locale:
    """The interviewer's language as the ATS sent it with them (same language first), else the deployment's."""
    return reader_locale(getattr(interview.interviewer, "locale", None), get_settings().staff_locale)


def words(interview: InterviewItem, locale: Locale) -> dict:
    """The entry's SUMMARY and DESCRIPTION in the reader's language."""
    t = translator(locale)
    return {"title": t("calendar.summary", job_title=interview.job_title),
            "description": t("calendar.description", job_title=interview.job_title,
                             minutes=t("page.minutes", count=int(interview.duration_minutes)))}


def common(interview: InterviewItem, candidate: CandidateItem | None, locale: Locale = DEFAULT_LOCALE) -> dict:
    """What every copy of the entry shares (UID, length, organizer, attendees), worded for a reader of `locale`."""
    return {"uid": uid_of(interview), **words(interview, locale),
            "duration_minutes": int(interview.duration_minutes), **_organizer(interview),
            "attendee_emails": [e for e in (candidate.email if candidate else None, interview.interviewer.email) if e]}


def invitation(interview: InterviewItem, candidate: CandidateItem | None,
               locale: Locale = DEFAULT_LOCALE) -> bytes | None:
    """Our invitation at the interview's current time and sequence; None when the ATS invited."""
    if not we_invite(interview):
        return None
    return calendar.invitation(**common(interview, candidate, locale), starts_at=interview.starts_at,
                               sequence=int(interview.calendar_sequence or 0))


def move(interview: InterviewItem, candidate: CandidateItem | None, starts_at: str, sequence: int,
         locale: Locale = DEFAULT_LOCALE) -> bytes:
    """The update for a move; `sequence` is the one the move's transaction stored (InterviewMoved.sequence)."""
    return calendar.update(interview_id=interview.interview_id, **common(interview, candidate, locale),
                           starts_at=starts_at, sequence=sequence)


def cancellation(interview: InterviewItem, candidate: CandidateItem | None, request_id: str,
                 locale: Locale = DEFAULT_LOCALE) -> bytes:
    """The CANCEL for an approved cancellation, with the next sequence (claimed once per request: every reader's
    copy, and a redelivery, get the same one)."""
    sequence = interview_store.claim_calendar_sequence(interview.interview_id, f"cancel:{request_id}")
    return calendar.cancellation(interview_id=interview.interview_id, **common(interview, candidate, locale),
                                 starts_at=interview.starts_at, sequence=sequence)


def download(interview: InterviewItem, locale: Locale = DEFAULT_LOCALE) -> bytes:
    """The candidate's "add to calendar" copy: the same UID and current sequence as the invitation."""
    shared = common(interview, None, locale)
    del shared["attendee_emails"]
    return calendar.published(**shared, starts_at=interview.starts_at,
                              sequence=int(interview.calendar_sequence or 0))


def download_for(candidate_id: str, interview_id: str, chosen: str | None = None) -> bytes:
    """The "add to calendar" file of one of the candidate's interviews, while it is not cancelled: in the language
    picked on the page (`chosen`, ?lang=), else the candidate's."""
    interview = interview_store.get_interview(interview_id)
    if interview is None or interview.candidate_id != candidate_id:
        raise NotFoundError("No such interview.", code="interview_not_found")  # someone else's interview looks exactly like a missing one
    if interview.status == InterviewStatus.CANCELLED:
        raise ConflictError("This interview is already cancelled.", code="already_cancelled")
    profile = candidate_store.get_candidate(candidate_id)
    return download(interview, locale_of(profile.locale if profile else None, None, chosen))
