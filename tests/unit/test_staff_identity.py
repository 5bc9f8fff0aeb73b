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


# ---- scope: which interviews a staff member reaches -----------------------------------------------------------

def _interview(recruiter: str = "rec-1", manager: str = "mgr-1"):
    from functions.integration.tables import InterviewItem, PersonMap

    def person(person_id):
        return PersonMap(person_id=person_id, name="N", email="n@company.example.com")
    return InterviewItem("int-1", recruiter=person(recruiter), department_manager=person(manager))


def test_the_person_id_comes_from_the_user_pools_custom_attribute():
    # GIVEN claims with the person id attribute
    # WHEN they are parsed
    staff = staff_from_claims({"sub": "u1", "cognito:groups": "recruiter", "custom:person_id": "rec-1"})
    # THEN the identity carries it; without the attribute it carries none
    assert staff.person_id == "rec-1"
    assert staff_from_claims({"sub": "u1", "cognito:groups": "recruiter"}).person_id is None


def test_a_recruiter_reaches_the_interviews_of_their_own_jobs_only():
    # GIVEN a recruiter with person id rec-1
    scope = staff_from_claims({"sub": "u1", "cognito:groups": "recruiter", "custom:person_id": "rec-1"}).scope()
    # THEN an interview of a job they recruit for is in reach, one of another recruiter's job is not
    assert scope.covers(_interview(recruiter="rec-1"))
    assert not scope.covers(_interview(recruiter="rec-2"))
    # AND being named department manager does not count for a recruiter-only identity
    assert not scope.covers(_interview(recruiter="rec-2", manager="rec-1"))


def test_a_department_manager_reaches_the_interviews_of_the_department_they_manage():
    # GIVEN a department manager with person id mgr-1
    scope = staff_from_claims({"sub": "u2", "cognito:groups": "department_manager",
                               "custom:person_id": "mgr-1"}).scope()
    # THEN interviews naming them as department manager are in reach, others are not
    assert scope.covers(_interview(manager="mgr-1"))
    assert not scope.covers(_interview(manager="mgr-2"))


def test_only_the_roles_that_allow_the_action_widen_the_scope():
    # GIVEN someone who is both recruiter and department manager
    staff = staff_from_claims({"sub": "u3", "cognito:groups": "recruiter,department_manager",
                               "custom:person_id": "p-1"})
    # WHEN the action is one only recruiters and admins may take (a company cancellation)
    scope = staff.scope(frozenset({StaffRole.RECRUITER, StaffRole.ADMIN}))
    # THEN the department they only decide for is out of reach, their own job is in reach
    assert not scope.covers(_interview(recruiter="rec-9", manager="p-1"))
    assert scope.covers(_interview(recruiter="p-1", manager="mgr-9"))


def test_an_admin_reaches_everything_and_no_person_id_reaches_nothing():
    # GIVEN an admin, and a recruiter whose identity has no person id
    admin = staff_from_claims({"sub": "a1", "cognito:groups": "admin"}).scope()
    anonymous = staff_from_claims({"sub": "u4", "cognito:groups": "recruiter"}).scope()
    # THEN the admin reaches any interview (even one whose data is missing); the other reaches none
    assert admin.covers(_interview(recruiter="rec-2")) and admin.covers(None)
    assert not anonymous.covers(_interview()) and not anonymous.covers(None)


# ---- the ATS: a machine identity, not a person -----------------------------------------------------------------

def test_the_functions_check_the_scope_the_gateway_requires():
    from infra import topology
    from functions.web.responses import ATS_REGISTER_SCOPE

    # GIVEN the route's scope in topology (the CDK app and the local gateway) THEN the code checks the same one
    assert ATS_REGISTER_SCOPE == topology.ATS_REGISTER_SCOPE
    assert {r.path: r.scopes for r in topology.ROUTES if r.auth == "ats"} == {
        "/api/staff/interviews": (ATS_REGISTER_SCOPE,)}


def test_the_ats_access_token_with_the_registration_scope_is_the_ats():
    from functions.web.responses import ATS_REGISTER_SCOPE, machine_from_claims

    # GIVEN the claims of a client credentials access token with the scope
    claims = {"sub": "client-9", "client_id": "client-9", "token_use": "access",
              "scope": f"other/scope {ATS_REGISTER_SCOPE}"}
    # WHEN parsed THEN it is the ATS, acting as its client
    assert machine_from_claims(claims, ATS_REGISTER_SCOPE).actor == "ats:client-9"


@pytest.mark.parametrize("claims", [
    {"sub": "u1", "cognito:groups": "admin", "token_use": "id"},  # a person, even an admin
    {"sub": "u1", "cognito:groups": "admin", "token_use": "id", "scope": "interviews-ats/interviews.register"},
    {"sub": "c1", "client_id": "c1", "token_use": "access", "scope": "interviews-ats/other"},
])
def test_a_person_or_a_token_without_the_scope_is_not_the_ats(claims):
    from functions.web.responses import ATS_REGISTER_SCOPE, machine_from_claims

    with pytest.raises(ForbiddenError):
        machine_from_claims(claims, ATS_REGISTER_SCOPE)


def test_no_claims_is_not_the_ats_either():
    from functions.web.responses import ATS_REGISTER_SCOPE, machine_from_claims

    with pytest.raises(UnauthorizedError):
        machine_from_claims(None, ATS_REGISTER_SCOPE)
