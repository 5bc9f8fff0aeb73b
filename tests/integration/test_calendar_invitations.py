"""Every calendar message we send, read back from the mail SES accepted and parsed with icalendar: one UID from the
invitation through moves to the cancellation, SEQUENCE strictly increasing, DTSTAMP the time of sending; and, when
the ATS sent the invitation, our updates carry its UID, organizer and next sequence."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime, timedelta, timezone

from icalendar import Calendar

from functions.core.clock import to_iso, utc_now
from functions.core.models import Initiator
from functions.domain import cancellations, moves
from functions.integration.data import interview_store
from functions.notify import events

LI_WEI, JUN_PARK = "li.wei@mail.example.com", "jun.park@company.example.com"
ATS_CALENDAR = {"uid": "040000008200E00074C5B7101A82E0080000000010A1@ats.example.com", "sequence": 3,
                "organizer": "calendar@ats.example.com"}


def calendar_messages(system, to: str) -> list[tuple[Calendar, object]]:
    """The (calendar, VEVENT) of every .ics attachment mailed to `to`, oldest first."""
    found = []
    for message in system.sent_mail():
        for attachment in message["attachments"]:
            if message["to"] == to and attachment["content_type"] == "text/calendar":
                calendar = Calendar.from_ical(base64.b64decode(attachment["content_base64"]))
                found.append((calendar, calendar.walk("VEVENT")[0]))
    return found


class Clock:
    """The window in which a step ran, to the second (DTSTAMP has no fractions)."""

    def __enter__(self):
        self.start = utc_now().replace(microsecond=0)
        return self

    def __exit__(self, *exc):
        self.end = utc_now()

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment <= self.end


def _free_slot(days: float) -> str:
    [slot] = moves.publish_slots("job-1", [to_iso(utc_now().replace(microsecond=0) + timedelta(days=days))])
    return slot.slot_id


def _cancel(system, interview_id: str = "int-1") -> str:
    """The candidate cancels for a schedule conflict three days ahead: the policy approves it without anyone."""
    receipt = cancellations.submit(interview_id=interview_id, initiator=Initiator.CANDIDATE,
                                   actor="candidate:cand-1", reason_code="schedule_conflict", reason_text=None,
                                   idempotency_key=f"key-{uuid.uuid4()}", candidate_id="cand-1")
    assert system.execution(receipt.request_id)["status"] == "SUCCEEDED"
    system.drain()
    return receipt.request_id


def test_our_invitation_a_move_and_the_cancellation_keep_one_uid_and_raise_the_sequence_each_time(system, scheduled):
    # GIVEN an interview the ATS schedules without a calendar of its own (we invite)
    with Clock() as invited:
        event = scheduled()
    # WHEN the candidate moves it to another free slot
    free = _free_slot(5)
    with Clock() as moved:
        moves.move("int-1", "cand-1", free)
        system.drain()
    # AND then cancels it, and the policy approves at once
    with Clock() as cancelled:
        _cancel(system)
    # THEN candidate and interviewer each got REQUEST, REQUEST, CANCEL for the same UID with sequence 0, 1, 2
    for attendee in (LI_WEI, JUN_PARK):
        sent = calendar_messages(system, attendee)
        assert [str(c["METHOD"]) for c, _ in sent] == ["REQUEST", "REQUEST", "CANCEL"]
        assert {str(e["UID"]) for _, e in sent} == {"int-1@interviews.cancellations"}
        assert [int(e["SEQUENCE"]) for _, e in sent] == [0, 1, 2]
        # AND each DTSTAMP is when that message was made, not when the interview starts
        for (_, vevent), window in zip(sent, (invited, moved, cancelled)):
            assert window.holds(vevent.decoded("DTSTAMP")), (attendee, vevent.decoded("DTSTAMP"))
        # AND the organizer is the recruiter (no CALENDAR_ORGANIZER is configured), both people attend
        for _, vevent in sent:
            assert str(vevent["ORGANIZER"]) == "mailto:chen.jing@company.example.com"
            assert vevent["ORGANIZER"].params["CN"] == "Chen Jing"
            assert sorted(str(a) for a in vevent["ATTENDEE"]) == [f"mailto:{JUN_PARK}", f"mailto:{LI_WEI}"]
        # AND the times are in UTC: the invitation at the booked time, the move and cancellation at the new one
        starts = [vevent.decoded("DTSTART") for _, vevent in sent]
        assert all(s.utcoffset() == timedelta(0) for s in starts)
        assert starts[0] == datetime.fromisoformat(event["starts_at"]).astimezone(timezone.utc)
        assert starts[1] == starts[2] != starts[0]
    # AND the interview keeps the sequence it last sent
    assert int(interview_store.get_interview("int-1").calendar_sequence) == 2


def test_a_redelivered_approval_sends_the_same_sequence_and_a_new_change_the_next_one(system, scheduled):
    # GIVEN an interview cancelled once (its CANCEL went out with sequence 1)
    scheduled()
    request_id = _cancel(system)
    assert int(interview_store.get_interview("int-1").calendar_sequence) == 1
    # WHEN the same cancellation claims its sequence again (the event was delivered twice)
    again = interview_store.claim_calendar_sequence("int-1", f"cancel:{request_id}")
    # THEN it gets the same number and the stored sequence does not move
    assert again == 1 and int(interview_store.get_interview("int-1").calendar_sequence) == 1
    # AND a different change gets the next number, kept by the interview
    assert interview_store.claim_calendar_sequence("int-1", "cancel:req-other") == 2
    assert int(interview_store.get_interview("int-1").calendar_sequence) == 2
    # AND an interview that does not exist gets none and nothing is written
    assert interview_store.claim_calendar_sequence("int-missing", "cancel:x") is None
    assert interview_store.get_interview("int-missing") is None


def test_when_the_ats_sent_the_invitation_we_send_none_and_our_updates_carry_its_uid_and_next_sequence(
        system, scheduled):
    # GIVEN an interview whose invitation the ATS sent (its UID, organizer and sequence 3)
    scheduled(calendar=dict(ATS_CALENDAR))
    # THEN the candidate's invitation mail has no calendar file and the interviewer gets no mail from us
    [invitation] = [m for m in system.sent_mail() if m["to"] == LI_WEI]
    assert invitation["attachments"] == []
    assert [m for m in system.sent_mail() if m["to"] == JUN_PARK] == []
    stored = interview_store.get_interview("int-1")
    assert (stored.calendar_uid, int(stored.calendar_sequence), stored.calendar_owner) == (
        ATS_CALENDAR["uid"], 3, "ats")
    # WHEN the candidate moves the interview and then cancels it
    moves.move("int-1", "cand-1", _free_slot(5))
    system.drain()
    with Clock() as cancelled:
        _cancel(system)
    # THEN both attendees got REQUEST then CANCEL with the ATS's UID and organizer, sequence 4 then 5
    for attendee in (LI_WEI, JUN_PARK):
        sent = calendar_messages(system, attendee)
        assert [(str(c["METHOD"]), int(e["SEQUENCE"])) for c, e in sent] == [("REQUEST", 4), ("CANCEL", 5)]
        assert {str(e["UID"]) for _, e in sent} == {ATS_CALENDAR["uid"]}
        assert {str(e["ORGANIZER"]) for _, e in sent} == {"mailto:calendar@ats.example.com"}
        assert cancelled.holds(sent[-1][1].decoded("DTSTAMP"))
    assert int(interview_store.get_interview("int-1").calendar_sequence) == 5


def test_a_replayed_schedule_event_sends_no_second_invitation(system, scheduled):
    # GIVEN an interview we invited to
    event = scheduled()
    # WHEN the ATS's event arrives again
    events.handle("InterviewScheduled", dict(event))
    # THEN each attendee has exactly one invitation
    for attendee in (LI_WEI, JUN_PARK):
        assert [int(e["SEQUENCE"]) for _, e in calendar_messages(system, attendee)] == [0]
