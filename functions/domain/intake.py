"""Interviews arriving from the ATS: one intake path, whether they come as InterviewScheduled events on the bus or
through the ATS's registration route (a machine identity; no person may register interviews).

Both store the interview the same way (register). The route then hands the same InterviewScheduled event to the
bus (announce), so that what follows a registration is the bus path's, once: the invitation mail with the personal
link, the stored language and timezone, the analytics count (each keyed by the interview, so the second delivery of
the same registration changes nothing).

A registration for a candidate who cancelled before is marked with the earlier reasons (stored with the interview):
the notify function tells the job's recruiter at once, and the staff console lists such returning candidates
(`reapplications`) for the last two weeks. A rebooking after a cancellation is the same application continuing,
linked by rebooked_from, and is not marked.

A registration that changes an existing candidate's e-mail or phone is recorded in the candidate's audit trail
(who, and the old and new values hashed) and revokes the links issued before (the profile's link_version).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from functions.core.clock import from_iso, now_iso, to_iso, utc_now
from functions.core.errors import ConflictError, ServiceUnavailableError
from functions.core.models import AuditEntry, InterviewCreated, InterviewScheduled, Reapplication
from functions.domain.calendar import invitations
from functions.integration import events, links
from functions.integration.data import candidate_store, interview_store, transactions

if TYPE_CHECKING:  # stored items are read here, never built: the data access builds them
    from functions.domain.scopes import StaffScope
    from functions.integration.tables import CandidateItem

BUS_ACTOR = "ats:bus"  # who registered an interview that arrived as an event
REAPPLICATION_WINDOW_DAYS = 14  # the console lists returning candidates registered this recently
CONTACT_READ_ATTEMPTS = 3  # a concurrent change of the same candidate's contact details: read again and retry


def candidate_trail_id(candidate_id: str) -> str:
    """Audit trail of a candidate's own changes (contact details); requests and interviews have their own."""
    return f"candidate:{candidate_id}"


def contact_hash(value: str | None) -> str:
    """A stand-in for a personal value in the audit trail: equal values give equal hashes, the value is not shown."""
    if not value:
        return "none"
    return "sha256:" + hashlib.sha256(value.strip().lower().encode()).hexdigest()[:16]


def contact_change(known: CandidateItem | None, event: InterviewScheduled, actor: str, at: str) -> AuditEntry | None:
    """The audit entry for a change of an existing candidate's e-mail or phone; None if nothing changed."""
    if known is None:
        return None
    changes = []
    new_email, new_phone = str(event.candidate.email), event.candidate.phone or None
    if known.email != new_email:
        changes.append(f"email {contact_hash(known.email)} -> {contact_hash(new_email)}")
    if (known.phone or None) != new_phone:
        changes.append(f"phone {contact_hash(known.phone)} -> {contact_hash(new_phone)}")
    if not changes:
        return None
    return AuditEntry(at=at, actor=actor, action="contact_changed",
                      why="; ".join(changes) + "; earlier personal links revoked")


def register(event: InterviewScheduled, actor: str = BUS_ACTOR) -> tuple[InterviewCreated, bool]:
    """Store the interview. Returns the candidate's personal link and whether it was new (False on a replay)."""
    starts_at = to_iso(from_iso(event.starts_at))
    for attempt in range(CONTACT_READ_ATTEMPTS):
        known = interview_store.candidate_contact(event.candidate.candidate_id)
        if known is not None and known.erased_at:
            raise ConflictError("This candidate's data was erased; the ATS must register them under a new "
                                "candidate id.", code="candidate_erased")
        now = now_iso()
        change = contact_change(known, event, actor, now)
        try:
            created = interview_store.register_interview(
                event, starts_at=starts_at, now=now, calendar=invitations.registered_entry(event), known=known,
                contact_change=(candidate_trail_id(event.candidate.candidate_id), change) if change else None)
            break
        except transactions.TransactionConflict as conflict:
            if conflict.failed != ("candidate",):
                # The interview is new but its slot is booked by another interview: nothing was written.
                raise ConflictError("This slot is already booked by another interview.", code="slot_booked") from None
            if attempt == CONTACT_READ_ATTEMPTS - 1:
                raise ServiceUnavailableError("The candidate's details are being changed by another registration; "
                                              "send this one again.") from None
            # Their contact details changed since they were read: read and compare again.
    result = InterviewCreated(interview_id=event.interview_id,
                              candidate_link=links.portal_url(event.candidate.candidate_id))
    return result, created


def announce(event: InterviewScheduled) -> None:
    """Hand a registration made through the route to the bus path (invitation, analytics). Safe to repeat."""
    try:
        events.publish("InterviewScheduled", event.model_dump(mode="json", exclude_none=True))
    except Exception as exc:  # noqa: BLE001 - the interview is stored; the same registration again announces it
        raise ServiceUnavailableError("The interview is registered but the invitation could not be started yet; "
                                      "send the same registration again.") from exc


def reapplications(now: datetime | None = None, scope: StaffScope | None = None) -> list[Reapplication]:
    """Interviews registered in the last two weeks for candidates who had cancelled before, newest first, within
    `scope`: the staff console's "cancelled before" flags for returning candidates."""
    today = (now or utc_now()).date()
    found = [interview for back in range(REAPPLICATION_WINDOW_DAYS)
             for interview in interview_store.reapplications_on((today - timedelta(days=back)).isoformat())]
    result = []
    for interview in sorted(found, key=lambda i: i.created_at, reverse=True):
        if scope is not None and not scope.covers(interview):
            continue
        candidate = candidate_store.get_candidate(interview.candidate_id)
        result.append(Reapplication(
            interview_id=interview.interview_id, job_title=interview.job_title,
            candidate_name=candidate.name if candidate else "", starts_at=interview.starts_at,
            registered_at=interview.created_at, cancelled_before=list(interview.reapplied_after or [])))
    return result
