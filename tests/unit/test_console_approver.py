"""Who an approval waits for in the staff console, as the policy resolved its approver (functions/domain/policy.py):
a named person by person id, HR by the admin role, a job's role no person was known for by that role in reach."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from functions.core.models import StaffRole
from functions.domain.approvals import waits_for
from functions.domain.scopes import StaffScope

INTERVIEW = SimpleNamespace(recruiter=SimpleNamespace(person_id="rec-1"),
                            department_manager=SimpleNamespace(person_id="mgr-1"))


def _approval(approver_id: str) -> SimpleNamespace:
    return SimpleNamespace(approver_id=approver_id)


def _staff(person_id: str | None, *roles: StaffRole) -> StaffScope:
    return StaffScope(person_id=person_id, roles=frozenset(roles))


@pytest.mark.parametrize(("approver_id", "staff", "waits"), [
    ("rec-1", _staff("rec-1", StaffRole.RECRUITER), True),
    ("rec-1", _staff("rec-2", StaffRole.RECRUITER), False),
    ("rec-1", _staff(None, StaffRole.ADMIN), False),  # an admin reaches it, but it waits for the person
    ("hr", _staff(None, StaffRole.ADMIN), True),
    ("hr", _staff("rec-1", StaffRole.RECRUITER), False),
    ("department_manager", _staff("mgr-1", StaffRole.DEPARTMENT_MANAGER), True),  # in the job's department
    ("department_manager", _staff("mgr-2", StaffRole.DEPARTMENT_MANAGER), False),  # another department
    ("department_manager", _staff("rec-1", StaffRole.RECRUITER), False),  # not that role
    ("admin", _staff(None, StaffRole.ADMIN), False),  # never a role name for a person
])
def test_an_approval_waits_for_the_approver_as_the_policy_resolved_them(approver_id, staff, waits):
    # GIVEN an approval naming its approver as the policy resolved them, and a signed-in staff member
    # WHEN the console asks whether it waits for them
    # THEN only the resolved approver decides
    assert waits_for(_approval(approver_id), staff, INTERVIEW) is waits
