"""Who reads a notification: their language, and the values most messages show (times in the reader's zone).

Staff read their own language when the ATS sent one with them (the recruiter's, interviewer's or department
manager's `locale` in InterviewScheduled, stored with the interview), resolved as a candidate's is: a language we
lack gives way to the same language, then to the deployment's `STAFF_LOCALE`; without one, `STAFF_LOCALE`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.core.clock import local_text
from functions.core.i18n import locale_of, reader_locale
from functions.core.models import Locale
from functions.core.settings import get_settings
from functions.integration import links
from functions.web import emails

if TYPE_CHECKING:  # stored items are read here, never built
    from functions.integration.tables import CandidateItem, InterviewItem, PersonMap


def candidate_locale(candidate: CandidateItem | None) -> Locale:
    return locale_of(candidate.locale if candidate else None)


def staff_locale(person: PersonMap | None = None) -> Locale:
    """A staff member's language: their own stored one if we have it (or its language), else the deployment's."""
    return reader_locale(getattr(person, "locale", None), get_settings().staff_locale)


def approver_locale(interview: InterviewItem | None, email: str | None) -> Locale:
    """An approver's language: known only when they are one of the interview's people (its recruiter, interviewer
    or department manager) with a stored language; otherwise the deployment's."""
    people = (interview.recruiter, interview.interviewer, interview.department_manager) if interview else ()
    for person in people:
        if person is not None and person.locale and email and person.email.lower() == email.lower():
            return staff_locale(person)
    return staff_locale()


def common_values(interview: InterviewItem, candidate: CandidateItem | None, for_staff: bool = False,
                  staff: Locale | None = None) -> dict:
    """Values most messages use; times as the reader reads them: the candidate in their timezone and language,
    staff in UTC and their language (`staff`, else the deployment's)."""
    if for_staff:
        zone, locale = "UTC", staff or staff_locale()
    else:
        zone, locale = (candidate.timezone if candidate else None), candidate_locale(candidate)
    return {"job_title": interview.job_title, "starts_at": local_text(interview.starts_at, zone, locale),
            "name": candidate.name if candidate else "", "interview_id": interview.interview_id}


def reminder_values(interview: InterviewItem, candidate: CandidateItem) -> dict:
    """The reminder's values (the hourly run's and staff's "remind now"). The AI-interview link goes through the
    portal's tracked redirect, so that a click in the mail counts."""
    return {**common_values(interview, candidate),
            "ai_interview_url": links.tracked_url(candidate.candidate_id, interview.interview_id, "ai-interview"),
            "duration_minutes": int(interview.duration_minutes),
            "count": int(interview.duration_minutes)}  # picks the plural form of "minutes"


def reminder_buttons(values: dict, candidate: CandidateItem) -> dict:
    """A reminder's buttons: joining the AI interview is the main one (the mail's text says "with the button
    below", never the URL); the personal page, to cancel or move, comes second."""
    return {"link": values["ai_interview_url"], "link_label_key": "mail.button.ai_interview",
            "actions": [emails.Action("mail.button.portal", links.portal_url(candidate.candidate_id))]}


def calendar_file(name: str, method: str, content: bytes) -> emails.Attachment:
    """An iCalendar message as a mail's attachment (each reader's copy in their language)."""
    return emails.Attachment(name, f"text/calendar; charset=utf-8; method={method}", content)


def approval_buttons(link: str) -> dict:
    """An approval mail's buttons, one per decision. Both open the approval page, which decides only when the
    approver presses its button there (a mail scanner's GET changes nothing); "reject" arrives with that choice
    selected. The approve button is the link itself, the one the plain-text part names first."""
    return {"link": link, "link_label_key": "page.approve",
            "actions": [emails.Action("page.reject", f"{link}?intent=reject")]}


def invitation_actions(candidate_id: str, interview_id: str, interview) -> list[emails.Action]:
    """The invitation's further buttons: the AI interview and the job description, through the portal's tracked
    redirects (a click in the mail counts, functions/domain/behaviour.py); the personal page is its main link."""
    actions = [emails.Action("mail.button.ai_interview", links.tracked_url(candidate_id, interview_id, "ai-interview"))]
    if interview is not None and interview.description_url:
        actions.append(emails.Action("mail.button.job_description",
                                     links.tracked_url(candidate_id, interview_id, "job-description")))
    return actions
