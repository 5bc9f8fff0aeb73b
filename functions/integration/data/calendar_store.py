"""What we wrote in each interviewer's connected calendar and how far the calendar sync has read it.

The sync (functions/domain/calendar/interviewer_changes.py) compares what it reads with these records: a removal
we recorded, or an entry still at the SEQUENCE we wrote, is our own change; anything else the interviewer did.
A removal is recorded before it is made, so a sync reading in between never takes it for the interviewer's.
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from functions.integration.data.transactions import conditional
from functions.integration.tables import CalendarItem

SYNC = "#sync"


def _key(address: str) -> str:
    return address.strip().lower()


def record_written(address: str, uid: str, resource: str, interview_id: str, sequence: int, at: str) -> None:
    """We wrote the entry with this sequence (created or replaced): it is in the calendar, ours. The calendar is
    registered for the sync on its first entry."""
    calendar = _key(address)
    conditional(lambda: CalendarItem(calendar, SYNC, synced_at=None).save(
        condition=CalendarItem.entry.does_not_exist()))
    CalendarItem(calendar, uid).update(actions=[
        CalendarItem.resource.set(resource), CalendarItem.interview_id.set(interview_id),
        CalendarItem.sequence.set(sequence), CalendarItem.written_at.set(at),
        CalendarItem.removed_by_us.set(False), CalendarItem.dropped_at.remove()])


def record_removing(address: str, uid: str, resource: str, interview_id: str, at: str) -> None:
    """We are about to remove the entry (before the DELETE, so that the sync never sees our removal as theirs)."""
    CalendarItem(_key(address), uid).update(actions=[
        CalendarItem.resource.set(resource), CalendarItem.interview_id.set(interview_id),
        CalendarItem.removed_by_us.set(True), CalendarItem.written_at.set(at)])


def mark_dropped(address: str, uid: str, at: str) -> bool:
    """The sync saw the interviewer delete or decline the entry. False if it was marked before (acted on once)."""
    return conditional(lambda: CalendarItem(_key(address), uid).update(
        actions=[CalendarItem.dropped_at.set(at)],
        condition=CalendarItem.entry.exists() & CalendarItem.dropped_at.does_not_exist()))


def calendars() -> list[str]:
    """Every calendar we wrote an entry to (the addresses; one small scan of the "#sync" entries)."""
    return sorted(item.calendar for item in CalendarItem.scan(CalendarItem.entry == SYNC))


def entries(address: str) -> dict[str, CalendarItem]:
    """What we wrote in the calendar, by UID."""
    return {item.entry: item for item in CalendarItem.query(_key(address), consistent_read=True,
                                                             filter_condition=CalendarItem.entry != SYNC)}


def sync_token(address: str) -> str | None:
    try:
        return CalendarItem.get(_key(address), SYNC, consistent_read=True).sync_token
    except DoesNotExist:
        return None


def save_sync_token(address: str, token: str, at: str) -> None:
    CalendarItem(_key(address), SYNC).update(actions=[CalendarItem.sync_token.set(token),
                                                      CalendarItem.synced_at.set(at)])
