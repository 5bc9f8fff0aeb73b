"""Moving an interview to another free slot: the policy's limits, the atomic swap under races, retries, and the
calendar updates and waitlist offer that follow."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from icalendar import Calendar

from functions.domain import moves
from functions.integration.data import interview_store, request_store, slot_store
from functions.notify import events
from functions.core.clock import to_iso, utc_now
from functions.core.models import Locale
from functions.core.errors import ConflictError, NotFoundError, PolicyViolationError
from functions.core.i18n import translator
from functions.integration.tables import InterviewItem
from tests.integration.conftest import store_request
from tests.integration.test_notify_waitlist import waitlisted


def _slots(*days: float, job_id: str = "job-1") -> list[str]:
    now = utc_now().replace(microsecond=0)
    return [s.slot_id for s in moves.publish_slots(job_id, [to_iso(now + timedelta(days=d)) for d in days])]


def test_a_move_swaps_the_slots_in_one_step_and_updates_both_calendars(system, scheduled):
    # Given an interview three days ahead and a free slot of its job five days ahead
    scheduled()
    [free] = _slots(5)
    # When the candidate moves to it
    receipt = moves.move("int-1", "cand-1", free)
    system.drain()
    # Then the new slot is booked for the interview, the old one released, and no move is left
    assert interview_store.get_interview("int-1").slot_id == free and receipt.moves_left == 0
    assert slot_store.get_slot(free).status == "BOOKED" and slot_store.get_slot(free).interview_id == "int-1"
    assert slot_store.get_slot("slot-int-1").status == "AVAILABLE"
    # And candidate and interviewer get one calendar REQUEST each, same UID, SEQUENCE 1, at the new time
    invites = [(m["to"], a) for m in system.sent_mail() for a in m["attachments"] if a["filename"] == "invite.ics"]
    assert sorted(to for to, _ in invites) == ["jun.park@company.example.com", "li.wei@mail.example.com"]
    for _, attachment in invites:
        calendar = Calendar.from_ical(__import__("base64").b64decode(attachment["content_base64"]))
        event = calendar.walk("VEVENT")[0]
        assert calendar["METHOD"] == "REQUEST" and int(event["SEQUENCE"]) == 1
        assert str(event["UID"]) == "int-1@interviews.cancellations"
    # And the audit trail of the interview records who moved it, from where to where
    [entry] = request_store.audit_trail(moves.trail_id("int-1"))
    assert entry.actor == "candidate:cand-1" and "slot-int-1" in entry.why and free in entry.why


def test_the_released_slot_is_offered_to_the_waitlist(system, scheduled):
    # Given an interview, a candidate waiting for its job, and a free slot
    scheduled()
    events.handle("CandidateWaitlisted", waitlisted(1))
    [free] = _slots(5)
    # When the interview is moved away from its slot
    moves.move("int-1", "cand-1", free)
    system.drain()
    # Then the waiting candidate is offered the old slot
    assert [m["subject"] for m in system.sent_mail() if m["to"] == "wait.1@mail.example.com"]
    assert slot_store.get_offer("slot-int-1", "wait-1") is not None


def test_ten_candidates_racing_for_one_slot_leave_exactly_one_winner(system, scheduled):
    # Given ten interviews of one job and a single free slot
    for n in range(10):
        scheduled(interview_id=f"int-{n}", candidate_id=f"cand-{n}")
    [free] = _slots(5)
    outcomes: list[str] = []

    def attempt(n: int) -> None:
        try:
            moves.move(f"int-{n}", f"cand-{n}", free)
            outcomes.append("moved")
        except ConflictError:
            outcomes.append("taken")

    # When all of them move to it at once
    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then one wins, nine are told it was taken, and every losing interview keeps its own booked slot
    assert sorted(outcomes) == ["moved"] + ["taken"] * 9
    winners = [n for n in range(10) if interview_store.get_interview(f"int-{n}").slot_id == free]
    assert len(winners) == 1 and slot_store.get_slot(free).interview_id == f"int-{winners[0]}"
    for n in set(range(10)) - set(winners):
        assert slot_store.get_slot(f"slot-int-{n}").status == "BOOKED"


def test_a_retried_move_answers_the_same_and_makes_no_second_move(system, scheduled):
    # Given a move that happened
    scheduled()
    [free, other] = _slots(5, 6)
    first = moves.move("int-1", "cand-1", free)
    # When the same move is sent again (the answer was lost)
    again = moves.move("int-1", "cand-1", free)
    system.drain()
    # Then the same answer, one move counted, one update mailed per attendee
    assert again == first and int(interview_store.get_interview("int-1").moves) == 1
    assert len([m for m in system.sent_mail() if m["to"] == "li.wei@mail.example.com"
                and any(a["filename"] == "invite.ics" for a in m["attachments"])]) == 1
    # And a different move beyond the policy's limit (one) is refused, changing nothing
    with pytest.raises(PolicyViolationError, match="at most 1"):
        moves.move("int-1", "cand-1", other)
    assert slot_store.get_slot(other).status == "AVAILABLE"


@pytest.mark.parametrize("case", ["too_close", "slot_too_soon", "other_job", "cancelled", "not_mine"])
def test_moves_the_policy_or_the_data_forbid_change_nothing(system, scheduled, case):
    # Given an interview and free slots
    scheduled(starts_in=timedelta(hours=1) if case == "too_close" else timedelta(days=3))
    [soon] = _slots(1 / 24)
    [elsewhere] = _slots(5, job_id="job-2")
    [free] = _slots(5)
    if case == "cancelled":
        InterviewItem("int-1").update(actions=[InterviewItem.status.set("CANCELLED")])
    target = {"slot_too_soon": soon, "other_job": elsewhere}.get(case, free)
    expected = {"too_close": PolicyViolationError, "slot_too_soon": PolicyViolationError,
                "other_job": NotFoundError, "cancelled": ConflictError, "not_mine": NotFoundError}[case]
    # When the move is attempted
    with pytest.raises(expected):
        moves.move("int-1", "someone-else" if case == "not_mine" else "cand-1", target)
    # Then nothing moved
    assert interview_store.get_interview("int-1").slot_id == "slot-int-1"
    assert slot_store.get_slot(target).status == "AVAILABLE"


def test_the_slots_offered_are_free_of_the_same_job_and_far_enough_ahead(system, scheduled):
    # Given free slots: one too soon, one of another job, two fine
    scheduled()
    _slots(1 / 24)
    _slots(5, job_id="job-2")
    fine = _slots(4, 5)
    # When the candidate asks where they could move
    offered = moves.open_slots("int-1", "cand-1")
    # Then only the two fine ones, earliest first
    assert [s.slot_id for s in offered] == fine


def test_after_a_cancellation_the_candidate_books_a_new_time_once(system, scheduled):
    # Given an interview cancelled for illness (approved) and two free slots of its job
    scheduled()
    store_request(system, "req-ill", "int-1", "cand-1", "APPROVED")
    [free, other] = _slots(5, 6)
    # When the candidate books one, and sends the same choice again
    first = moves.rebook("int-1", "cand-1", free)
    again = moves.rebook("int-1", "cand-1", free)
    system.drain()
    # Then one new interview is booked in that slot, linked to the cancelled one
    assert first == again and first.rebooked_from == "int-1"
    assert slot_store.get_slot(free).interview_id == first.interview_id
    # And a second rebooking of the same cancelled interview is refused, changing nothing
    with pytest.raises(ConflictError, match="already booked"):
        moves.rebook("int-1", "cand-1", other)
    assert slot_store.get_slot(other).status == "AVAILABLE"


def test_a_scheduled_interview_cannot_be_rebooked(system, scheduled):
    scheduled()
    [free] = _slots(5)
    with pytest.raises(ConflictError, match="move it instead"):
        moves.rebook("int-1", "cand-1", free)
    assert slot_store.get_slot(free).status == "AVAILABLE"
