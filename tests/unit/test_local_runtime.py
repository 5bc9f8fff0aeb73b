"""The local runtime's stand-ins for AWS plumbing: the gateway's routing and the scheduler's clock."""

import pytest

from infra import topology
from local_runtime import gateway, staff_auth

KEY = "a-local-signing-key-of-at-least-32-bytes"



@pytest.mark.parametrize("cron, hour, minute, due", [
    ("cron(0 2 * * ? *)", 2, 0, True), ("cron(0 2 * * ? *)", 2, 1, False), ("cron(0 2 * * ? *)", 3, 0, False),
    ("cron(* * * * ? *)", 13, 37, True),
    ("cron(0/5 * * * ? *)", 13, 35, True), ("cron(0/5 * * * ? *)", 13, 36, False), ("cron(0/5 * * * ? *)", 0, 0, True),
])
def test_the_local_scheduler_fires_at_the_crons_minute_and_hour(cron, hour, minute, due):
    from datetime import datetime, timezone

    from local_runtime.system import Scheduler

    assert Scheduler.due(cron, datetime(2030, 1, 1, hour, minute, tzinfo=timezone.utc)) is due



@pytest.mark.parametrize("route", topology.ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_every_topology_route_is_served_by_its_function(route):
    concrete = route.path.replace("{token}", "abc.def").replace("{interview_id}", "int-1").replace(
        "{request_id}", "req-1")
    matched, parameters = gateway.match(route.method, concrete)
    assert matched == route
    assert set(parameters) == {p.strip("{}") for p in route.path.split("/") if p.startswith("{")}


def test_unknown_paths_and_methods_match_nothing():
    assert gateway.match("GET", "/api/candidate/interviews/extra") is None
    assert gateway.match("DELETE", "/api/candidate/interviews") is None


@pytest.mark.parametrize("hosts, loopback", [
    (["127.0.0.1:8000"], True), (["localhost"], True), (["LocalHost:1"], True), (["[::1]:65535"], True),
    (["127.0.0.1"], True), ([], False), ([""], False), (["evil.example"], False), (["127.0.0.1.evil.example"], False),
    (["localhost.evil.example:8000"], False), (["127.0.0.2:8000"], False), (["[::2]"], False),
    (["localhost:8000@evil.example"], False), (["127.0.0.1:80:80"], False), (["127.0.0.1", "evil.example"], False),
])
def test_only_a_single_loopback_host_header_reaches_the_local_pages(hosts, loopback):
    assert gateway.is_loopback_host(hosts) is loopback


def test_the_local_user_pool_refuses_forged_expired_and_foreign_tokens():
    good = staff_auth.issue(KEY, subject="u1", email="u1@example.com", groups=["admin", "recruiter"])
    assert staff_auth.claims_from(KEY, f"Bearer {good}")["cognito:groups"] == "admin,recruiter"
    forged = staff_auth.issue("another-key-of-at-least-thirty-two-bytes", subject="u1", email="u1@example.com", groups=["admin"])
    expired = staff_auth.issue(KEY, subject="u1", email="u1@example.com", groups=["admin"], ttl_seconds=-10)
    for header in (None, "Basic abc", f"Bearer {forged}", f"Bearer {expired}", f"Bearer {good}x"):
        with pytest.raises(staff_auth.Unauthorized):
            staff_auth.claims_from(KEY, header)


def test_the_local_user_pool_keeps_people_and_the_ats_apart_as_api_gateway_does():
    from infra import topology

    # GIVEN an admin's ID token (with a person id) and the ATS's access token with the registration scope
    person = staff_auth.issue(KEY, subject="u1", email="u1@example.com", groups=["admin"], person_id="hr-1")
    ats = staff_auth.issue_machine(KEY, scopes=[topology.ATS_REGISTER_SCOPE])
    other_scope = staff_auth.issue_machine(KEY, scopes=["interviews-ats/other"])
    register = (topology.ATS_REGISTER_SCOPE,)
    # THEN a route with scopes takes only an access token holding one (the admin's token is 401 there)
    assert staff_auth.claims_from(KEY, f"Bearer {ats}", register)["scope"] == topology.ATS_REGISTER_SCOPE
    for refused in (person, other_scope):
        with pytest.raises(staff_auth.Unauthorized):
            staff_auth.claims_from(KEY, f"Bearer {refused}", register)
    # AND a route without scopes takes only a person's ID token, with the person id passed on
    assert staff_auth.claims_from(KEY, f"Bearer {person}")["custom:person_id"] == "hr-1"
    with pytest.raises(staff_auth.Unauthorized):
        staff_auth.claims_from(KEY, f"Bearer {ats}")
