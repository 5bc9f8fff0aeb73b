"""The audit trail check finds gaps, reordering and inconsistent transitions; the hash chain check finds changed,
missing and reordered entries."""

import hashlib
from dataclasses import replace

from functions.core.audit_chain import GENESIS, AuditRecord, entry_hash, field_digest
from functions.domain.audit import check_chain, check_trail
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


# ---- the hash chain -------------------------------------------------------------------------------------------------

def _chained(entries, trail_id="req-1", prevs=None):
    """Records as our writers store them: each follows the one before (or the hash `prevs[i]` names)."""
    records, prev = [], GENESIS
    for i, entry in enumerate(entries):
        seq = f"{entry.at}#{entry.action}#{i:04x}"
        prev = prevs[i](records) if prevs and prevs.get(i) else prev
        record = AuditRecord(trail_id, seq, entry, prev, entry_hash(trail_id, seq, entry, prev))
        records.append(record)
        prev = record.hash
    return records


def test_an_unbroken_chain_has_no_problems_and_no_notes():
    assert check_chain(_chained(COMPLETE)) == ([], [])


def test_a_changed_entry_a_missing_entry_and_a_missing_first_entry_are_each_named():
    records = _chained(COMPLETE)
    # GIVEN a trail whose third entry was rewritten with another actor
    changed = [*records[:2], replace(records[2], entry=records[2].entry.model_copy(update={"actor": "mallory"})),
               *records[3:]]
    # THEN only that entry is reported changed
    problems, _ = check_chain(changed)
    assert problems == [f"'approval_requested' at {COMPLETE[2].at} was changed after it was written "
                        "(its content no longer matches its hash)"]
    # GIVEN the same trail without its third entry, or without its first THEN the entry after the gap is named
    assert check_chain(records[:2] + records[3:])[0] == [
        f"an entry is missing before 'decision_approved' at {COMPLETE[3].at} "
        "(it follows an entry that is no longer in the trail)"]
    assert check_chain(records[1:])[0][0].startswith("an entry is missing before 'routed'")


def test_two_entries_written_concurrently_are_a_note_not_a_problem():
    # GIVEN two writers that both read 'routed' as the latest entry, then a third that read the later of the two
    records = _chained(COMPLETE, prevs={3: lambda written: written[1].hash})
    # THEN the chain holds, with a note naming the concurrent entry
    problems, notes = check_chain(records)
    assert problems == []
    assert notes == [f"'decision_approved' at {COMPLETE[3].at} was written concurrently with another entry that "
                     f"follows 'routed' at {COMPLETE[1].at}"]


def test_entries_from_before_the_chain_are_noted_and_the_chain_starts_after_them():
    # GIVEN a trail whose first two entries predate the chain (no hash) and whose later entries are chained
    legacy = [AuditRecord("req-1", f"{e.at}#{e.action}", e, None, None) for e in COMPLETE[:2]]
    records = legacy + _chained(COMPLETE[2:])
    # THEN they are noted, nothing is a problem
    problems, notes = check_chain(records)
    assert problems == [] and len(notes) == 2 and "before the trail was hash-chained" in notes[0]
    # but an unhashed entry after chained ones is a problem
    assert "carries no hash" in check_chain(records + legacy[:1])[0][0]


def test_an_entry_that_restarts_the_chain_in_the_middle_is_a_problem():
    records = _chained(COMPLETE, prevs={3: lambda written: GENESIS})
    assert check_chain(records)[0] == [f"'decision_approved' at {COMPLETE[3].at} starts a new chain: the entries "
                                       "before it are not linked to it"]


def test_the_field_digest_matches_what_states_hash_computes_for_the_same_text():
    # States.Hash(States.Format('={}', 'approved'), 'SHA-256') is SHA-256 of "=approved" in lower-case hex
    assert field_digest("approved") == hashlib.sha256(b"=approved").hexdigest()
    assert field_digest(None) == field_digest("") == hashlib.sha256(b"=").hexdigest()


def test_entries_stored_in_another_order_than_they_were_written_are_reported_reordered():
    # GIVEN a chained trail read back with its third and fourth entries swapped (their keys sort the other way)
    records = _chained(COMPLETE)
    swapped = records[:2] + [records[3], records[2]] + records[4:]
    # THEN the swap is reported as a reordering
    problems, _ = check_chain(swapped)
    assert any("'decision_approved'" in p and "the trail is reordered" in p for p in problems), problems
