"""What notify does for the staff workplace (functions/domain/workplace/risk_watch.py): staff's "remind now" mail, and
attendance reported by the AI-interview platform recorded on the interview.

Why apart from events.py: these follow staff's actions in the console and the platform's attendance, not the
cancellation lifecycle; events.py registers them in its HANDLERS like every other event.
"""

from __future__ import annotations

from functions.core.clock import from_iso, to_iso
from functions.integration import event_trust as trust
from functions.integration.data import candidate_store, interview_store
from functions.notify.readers import candidate_locale, reminder_buttons, reminder_values
from functions.web import emails


def on_reminder_requested(detail: dict) -> None:
    """Staff's "remind now": the reminder mail, once per interview and day (functions/domain/workplace/risk_watch.py)."""
    interview = trust.reminder_requested(detail)
    candidate = candidate_store.get_candidate(interview.candidate_id)
    if candidate is None:
        return
    emails.send(emails.Message(
        key=f"{interview.interview_id}:reminder-now:{detail['day']}", to=candidate.email,
        locale=candidate_locale(candidate), subject_key="mail.reminder_now.subject", body_key="mail.reminder.body",
        values=(values := reminder_values(interview, candidate)), **reminder_buttons(values, candidate)))


def on_attendance(detail_type: str, detail: dict, source: str | None) -> None:
    """The AI-interview platform's attendance onto the interview (the first recorded stays). Staff's own
    announcement finds it recorded already (the check makes sure) and changes nothing."""
    if trust.attendance(detail_type, detail, source) is None or source == trust.OWN_SOURCE:
        return
    outcome = trust.ATTENDANCE_OUTCOMES[detail_type]
    at = to_iso(from_iso(detail.get("attended_at") or detail["missed_at"]))  # not a time: fails, to the DLQ
    interview_store.record_attendance(detail["interview_id"], outcome, at, "platform")
