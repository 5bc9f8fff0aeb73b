"""Staff identity from the user pool's claims: signed in, with a role that allows the route."""

import pytest

from functions.core.models import StaffRole
from functions.core.errors import ForbiddenError, UnauthorizedError
from functions.web.responses import staff_from_claims


@pytest.mark.parametrize("groups", ["admin", "recruiter,admin", "[recruiter admin]", ["admin"]])
def test_groups_arrive_in_any_of_api_gateways_shapes(groups):
    assert StaffRole.ADMIN in staff_from_claims({"sub": "u1", "cognito:groups": groups}).roles


def test_no_claims_is_unauthorized():
    with pytest.raises(UnauthorizedError):
        staff_from_claims(None)


def test_a_role_outside_the_allowed_ones_is_forbidden():
    with pytest.raises(ForbiddenError):
        staff_from_claims({"sub": "u1", "cognito:groups": "department_manager"},
                          frozenset({StaffRole.RECRUITER, StaffRole.ADMIN}))


def test_unknown_groups_give_no_role():
    with pytest.raises(ForbiddenError):
        staff_from_claims({"sub": "u1", "cognito:groups": "superuser"})
