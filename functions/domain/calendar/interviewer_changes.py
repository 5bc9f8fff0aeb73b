"""Two-way calendars: what interviewers did with the interviews in their connected calendars.

A scheduled job (topology's calendar-sync, in the notify function) reads each calendar we wrote to for the changes
since the sync token it stored last time. When an interviewer deleted or declined an interview, a
company-initiated request with the reason `interviewer_unavailable` opens, routed by the policy like any other;
its CancellationRequested event tells the recruiter and offers the candidate the job's free slots to move to
(functions/notify/events.py, functions/domain/moves.py).

Our own changes are never taken for the interviewer's: the calendar store holds what we wrote (UID and SEQUENCE)
and what we removed (recorded before the removal). A change is the interviewer's only when the entry is gone and
we did not remove it, or when it is still there but declined by the interviewer or marked CANCELLED, which we
never write. Everything else, our writes among them, changes nothing. The token is stored only after every change
it covers was handled, so a failed run is read again next time; opening the request is idempotent (one per entry
and sequence), so reading a change twice opens one request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from functions.core.clock import to_iso, utc_now
from functions.core.errors import DomainError, ServiceUnavailableError
from functions.core.models import CompanyReason, Initiator, InterviewStatus
from functions.core.observability import logger
from functions.domain import cancellations
from functions.domain.calendar import interviewer_calendars
from functions.integration.calendar_connector import Changes
from functions.integration.data import calendar_store, interview_store

if TYPE_CHECKING:  # stored items are read here, never built
    from functions.integration.tables import CalendarItem

DELETED, DECLINED = "deleted", "declined"


class CalendarSyncFailed(RuntimeError):
    """Some calendars could not be read (the others were): the scheduled run fails, is retried, and alarms."""


@dataclass
class SyncReport:
    calendars: int = 0
    changes: int = 0
    ours: int = 0
    dropped: int = 0
    opened: list[str] = field(default_factory=list)  # request ids
    failed: int = 0

    def as_dict(self) -> dict:
        return {"calendars": self.calendars, "changes": self.changes, "ours": self.ours, "dropped": self.dropped,
                "opened": len(self.opened), "failed": self.failed}


def sync_all() -> dict:
    """Read every connected calendar we wrote to; one that fails does not keep the others from being read."""
    report = SyncReport()
    for address in calendar_store.calendars():
        try:
            sync_calendar(address, report)
        except Exception as exc:  # noqa: BLE001 - counted and raised below, once the others are read
            report.failed += 1
            # No address (personal data) and no exception text (it may quote the server's answer).
            logger.warning("calendar sync failed for one calendar", extra={"error_type": type(exc).__name__})
    logger.info("calendar sync", extra=report.as_dict())
    if report.failed:
        raise CalendarSyncFailed(f"{report.failed} calendar(s) could not be read")
    return report.as_dict()


def sync_calendar(address: str, report: SyncReport | None = None) -> SyncReport:
    """Read one interviewer's calendar since its stored token and act on what the interviewer dropped."""
    report = report or SyncReport()
    connector = interviewer_calendars.connector_for(address)
    if connector is None:
        return report  # no longer connected: nothing to read
    changes = connector.changes_since(calendar_store.sync_token(address))
    written = calendar_store.entries(address)
    report.calendars += 1
    report.changes += len(changes.changes)
    for item, how in dropped_entries(changes, written, address, report):
        request_id = _interviewer_dropped(address, item, how)
        report.dropped += 1
        if request_id:
            report.opened.append(request_id)
    calendar_store.save_sync_token(address, changes.sync_token, to_iso(utc_now()))
    return report


def dropped_entries(changes: Changes, written: dict[str, CalendarItem], address: str,
                    report: SyncReport) -> list[tuple[CalendarItem, str]]:
    """The entries we wrote that the interviewer deleted or declined, by comparing the changes with our records."""
    by_resource = {item.resource: item for item in written.values()}
    address = address.strip().lower()
    dropped, seen = [], set()
    for change in changes.changes:
        item = by_resource.get(change.resource) if change.removed else (
            written.get(change.uid) or by_resource.get(change.resource))
        if item is None:
            continue  # not an interview of ours (the interviewer's own appointments)
        seen.add(item.entry)
        if change.removed:
            if item.removed_by_us:
                report.ours += 1
            else:
                dropped.append((item, DELETED))
        elif address in change.declined_by or change.status == "CANCELLED":
            dropped.append((item, DECLINED))  # we never write a decline or a CANCELLED entry: we remove
        else:
            report.ours += int(change.sequence == item.sequence)  # our write, or the interviewer's own edit
    if changes.complete:  # the server started over: an entry of ours missing from the listing is gone
        dropped.extend((item, DELETED) for uid, item in written.items()
                       if uid not in seen and not item.removed_by_us)
    return dropped


def _interviewer_dropped(address: str, item: CalendarItem, how: str) -> str | None:
    """Open the company request for the interview, once; None when there is nothing to open (the interview is
    cancelled, started, already being decided, or this drop was acted on)."""
    interview = interview_store.get_interview(item.interview_id) if item.interview_id else None
    if interview is None or interview.status != InterviewStatus.SCHEDULED \
            or interview.interviewer.email.strip().lower() != address.strip().lower():
        return None
    try:
        receipt = cancellations.submit(
            interview_id=interview.interview_id, initiator=Initiator.COMPANY,
            actor=f"interviewer:{interview.interviewer.person_id}",
            reason_code=CompanyReason.INTERVIEWER_UNAVAILABLE.value, reason_text=None,
            # One request per entry and the sequence we wrote: a change read twice opens one request.
            idempotency_key=f"calendar:{how}:{item.entry}:{int(item.sequence or 0)}")
    except ServiceUnavailableError:
        raise  # stored but its workflow not started: the token is not saved, the next run finishes it
    except DomainError as refused:  # e.g. it started meanwhile, or a candidate's own request is pending
        logger.info("interviewer dropped an interview; no request opened",
                    extra={"interview_id": interview.interview_id, "how": how, "why": refused.code})
        return None
    calendar_store.mark_dropped(address, item.entry, to_iso(utc_now()))
    logger.info("interviewer dropped an interview; company request opened",
                extra={"interview_id": interview.interview_id, "how": how, "request_id": receipt.request_id})
    return receipt.request_id
