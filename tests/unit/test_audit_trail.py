"""The audit trail check finds gaps, reordering and inconsistent transitions."""

from functions.domain.audit import check_trail
from functions.core.models import AuditEntry


def _entry(at, action, actor="x", from_status=None, to_status=None):
    return AuditEntry(at=f"2030-01-01T00:00:0{at}.000Z", actor=actor, action=action, from_status=from_status,
                      to_status=to_status)


COMPLETE = [
    _entry(1, "received", to_status="RECEIVED"),
    _entry(1, "routed", from_status="RECEIVED", to_status="RECEIVED"),
    _entry(2, "approval_requested", from_status="RECEIVED", to_status="PENDING_APPROVAL"),
    _entry(3, "decision_approved", from_status="PENDING_APPROVAL", to_status="PENDING_APPROVAL"),
    _entry(4, "approved", from_status="PENDING_APPROVAL", to_status="APPROVED"),
]


def test_a_complete_trail_has_no_problems():
    assert check_trail(COMPLETE, "APPROVED", auto_approved=False) == []


def test_a_missing_transition_is_found():
    gap = [e for e in COMPLETE if e.action != "approval_requested"]
    problems = check_trail(gap, "APPROVED", auto_approved=False)
    assert any("no approval was requested" in p for p in problems)
    assert any("starts from PENDING_APPROVAL but the request was RECEIVED" in p for p in problems)


def test_entries_out_of_order_are_found():
    swapped = COMPLETE[:2] + [COMPLETE[3], COMPLETE[2]] + COMPLETE[4:]
    assert any("is before" in p for p in check_trail(swapped, "APPROVED", auto_approved=False))


def test_a_trail_that_ends_elsewhere_than_the_request_is_found():
    assert any("ends at APPROVED but the request is REJECTED" in p
               for p in check_trail(COMPLETE, "REJECTED", auto_approved=False))
