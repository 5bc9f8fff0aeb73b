"""The routing policy editor over the cancel function's API (moto): versions seeded from the policy file, drafts
checked by the policy model, simulated over stored requests, published with an audit entry and a diff, refused when
someone published meanwhile, rolled back; and new requests routed by the published version."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import timedelta

import pytest
import yaml

from functions.core.models import Initiator
from functions.domain import cancellations, policy_source
from functions.domain.policy_source import DEFAULT_POLICY_FILE
from functions.integration.data import policy_store, request_store
from functions.integration.data.policy_table import PolicyVersionItem

ADMIN = {"sub": "u-admin", "cognito:groups": "admin", "token_use": "id", "email": "hr.admin@company.example.com"}
RECRUITER = {"sub": "u-rec", "cognito:groups": "recruiter", "token_use": "id", "custom:person_id": "p-rec"}


@pytest.fixture
def editor(system, monkeypatch):
    """The system with its policies table in use, as the local runtime and the cloud configure it."""
    name = system.resources.table_names["TABLE_POLICIES"]
    monkeypatch.setenv("TABLE_POLICIES", name)
    monkeypatch.setattr(PolicyVersionItem.Meta, "table_name", name)
    monkeypatch.delenv("POLICY_FILE", raising=False)
    policy_source.forget_published()
    yield system
    policy_source.forget_published()


def _call(system, method, path, body=None, claims=ADMIN, resource=None):
    response = system.http(method, path, body=body, claims=claims, resource=resource)
    return response["statusCode"], json.loads(response["body"] or "null")


def _shipped() -> dict:
    return yaml.safe_load(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))


def _illness_goes_to_hr(policy: dict) -> dict:
    """A sample change: candidates' illness is decided by HR first."""
    changed = copy.deepcopy(policy)
    changed["rules"].insert(0, {"name": "illness-to-hr", "when": {"initiator": "candidate", "reason": ["illness"]},
                                "then": {"approvers": [{"group": "hr"}]}})
    return changed


def _cancel(interview_id: str, candidate_id: str, reason: str) -> str:
    return cancellations.submit(interview_id=interview_id, initiator=Initiator.CANDIDATE,
                                actor=f"candidate:{candidate_id}", reason_code=reason, reason_text=None,
                                idempotency_key=uuid.uuid4().hex, candidate_id=candidate_id).request_id


def test_the_policy_file_becomes_version_one_verbatim_on_first_use(editor):
    # GIVEN a system where nothing was published
    assert policy_store.latest() is None
    # WHEN an HR admin opens the editor's data
    status, body = _call(editor, "GET", "/api/staff/policy")
    # THEN the shipped file is version 1, stored verbatim (comments included), seeded by the system
    assert status == 200
    assert body["version"] == 1 and body["text"] == DEFAULT_POLICY_FILE.read_text(encoding="utf-8")
    assert body["policy"] == _shipped()
    assert [(v["version"], v["published_by"], v["note"]) for v in body["versions"]] == [
        (1, "system", "seeded from default.yaml")]
    assert policy_store.latest().number == 1


def test_only_hr_admins_use_the_editor_and_a_refused_call_stores_nothing(editor):
    # GIVEN a recruiter's token WHEN they read, validate, simulate, publish or roll back
    calls = [("GET", "/api/staff/policy", None), ("POST", "/api/staff/policy/validate", {"policy": _shipped()}),
             ("POST", "/api/staff/policy/simulate", {"policy": _shipped(), "days": 7}),
             ("POST", "/api/staff/policy/versions", {"policy": _shipped(), "base_version": 0}),
             ("POST", "/api/staff/policy/versions/1/rollback", {"base_version": 0})]
    # THEN every call is 403 and no version exists
    for method, path, body in calls:
        status, problem = _call(editor, method, path, body, claims=RECRUITER)
        assert (status, problem["code"]) == (403, "role_forbidden"), path
    assert policy_store.latest() is None


def test_validation_names_the_rule_and_field_of_each_problem_as_the_cli_does(editor):
    # GIVEN a draft whose catch-all is not last and whose rule names an unknown reason
    draft = _shipped()
    draft["rules"][0]["when"] = {}
    draft["rules"][2]["when"]["reason"] = ["sunburn"]
    # WHEN it is validated
    status, body = _call(editor, "POST", "/api/staff/policy/validate", {"policy": draft})
    # THEN it is not valid, with one line per problem naming the rule and the field, and nothing is stored
    assert status == 200 and body["valid"] is False
    assert any(p.startswith("rules[2] 'schedule-conflict-with-notice': when.reason[0]") and "sunburn" in p
               for p in body["problems"]), body["problems"]
    assert policy_store.latest() is None
    # AND the shipped policy is valid
    assert _call(editor, "POST", "/api/staff/policy/validate", {"policy": _shipped()})[1]["valid"] is True


def test_publishing_stores_a_new_version_with_its_author_time_diff_and_audit_entry(editor):
    # GIVEN the editor opened at version 1
    _call(editor, "GET", "/api/staff/policy")
    # WHEN an HR admin publishes a draft made from version 1
    status, published = _call(editor, "POST", "/api/staff/policy/versions",
                              {"policy": _illness_goes_to_hr(_shipped()), "base_version": 1})
    # THEN it is version 2, by that admin, with a unified diff adding the rule
    assert status == 201 and published["version"] == 2
    assert published["published_by"] == "hr.admin@company.example.com"
    assert published["diff"].startswith("--- version 1\n+++ version 2\n")
    assert "+- name: illness-to-hr" in published["diff"]
    stored = policy_store.get(2)
    assert stored.published_at == published["published_at"] and yaml.safe_load(stored.text)["rules"][0]["name"] \
        == "illness-to-hr"
    # AND the policy audit trail says who published which version from which
    trail = request_store.audit_trail(policy_store.AUDIT_TRAIL)
    assert [(e.actor, e.action, e.why) for e in trail] == [
        ("system", "policy_published", "version 1 seeded from default.yaml"),
        ("staff:u-admin", "policy_published", "version 2 from version 1")]
    # AND the policy in force is version 2
    assert policy_source.load_policy().rules[0].name == "illness-to-hr"


def test_publishing_from_an_outdated_version_is_a_conflict_and_stores_nothing(editor):
    # GIVEN two admins who opened version 1, one of whom published version 2
    _call(editor, "GET", "/api/staff/policy")
    assert _call(editor, "POST", "/api/staff/policy/versions",
                 {"policy": _illness_goes_to_hr(_shipped()), "base_version": 1})[0] == 201
    # WHEN the other publishes their draft, also made from version 1
    status, problem = _call(editor, "POST", "/api/staff/policy/versions", {"policy": _shipped(), "base_version": 1})
    # THEN it is 409 with a code, and version 2 stays the latest
    assert (status, problem["code"]) == (409, "policy_version_conflict")
    assert [v.number for v in policy_store.versions()] == [2, 1]


def test_an_invalid_draft_is_not_published(editor):
    # GIVEN a draft with a misspelt key WHEN it is published
    draft = _shipped()
    draft["rules"][1]["then"]["aprovers"] = []
    status, problem = _call(editor, "POST", "/api/staff/policy/versions", {"policy": draft, "base_version": 1})
    # THEN 422 names the rule and field, and nothing is stored (not even the seed)
    assert (status, problem["code"]) == (422, "invalid_policy")
    assert any("rules[1] 'repeated-cancellations': then.aprovers" in e["message"] for e in problem["errors"])
    assert policy_store.latest() is None


def test_a_rollback_publishes_a_copy_of_an_earlier_version_and_new_requests_follow_it(editor, scheduled):
    # GIVEN version 2 sends candidates' illness to HR, and a request routed by it
    _call(editor, "GET", "/api/staff/policy")
    _call(editor, "POST", "/api/staff/policy/versions", {"policy": _illness_goes_to_hr(_shipped()),
                                                         "base_version": 1})
    scheduled(interview_id="int-1", candidate_id="cand-1")
    first = request_store.get_request(_cancel("int-1", "cand-1", "illness"))
    assert first.route_rule == "illness-to-hr"
    # WHEN an admin rolls back to version 1
    status, published = _call(editor, "POST", "/api/staff/policy/versions/1/rollback", {"base_version": 2},
                              resource="/api/staff/policy/versions/{version}/rollback")
    # THEN version 3 is version 1's text, noted as a rollback, and the next request is routed by it
    assert status == 201 and published["version"] == 3 and published["note"] == "rollback to version 1"
    assert policy_store.get(3).text == policy_store.get(1).text
    scheduled(interview_id="int-2", candidate_id="cand-2")
    assert request_store.get_request(_cancel("int-2", "cand-2", "illness")).route_rule == "candidate-initiated"
    # AND a version that does not exist is 404, changing nothing
    status, problem = _call(editor, "POST", "/api/staff/policy/versions/9/rollback", {"base_version": 3})
    assert (status, problem["code"]) == (404, "policy_version_not_found")
    assert policy_store.latest().number == 3


def test_the_simulation_lists_the_requests_whose_route_a_draft_would_change(editor, scheduled):
    # GIVEN three requests of today: two for illness, one schedule conflict three days ahead
    for n, reason in enumerate(["illness", "illness", "schedule_conflict"]):
        scheduled(interview_id=f"int-{n}", candidate_id=f"cand-{n}", starts_in=timedelta(days=3))
        _cancel(f"int-{n}", f"cand-{n}", reason)
    # WHEN a draft that sends illness to HR is simulated over the last 7 days
    status, result = _call(editor, "POST", "/api/staff/policy/simulate",
                           {"policy": _illness_goes_to_hr(_shipped()), "days": 7})
    # THEN both illness requests would be routed differently, and the schedule conflict not
    assert status == 200
    assert (result["requests"], result["evaluated"], result["changed_count"]) == (3, 3, 2)
    assert result["changes"] == {"candidate-initiated -> illness-to-hr": 2}
    assert {c["reason_code"] for c in result["changed"]} == {"illness"}
    change = result["changed"][0]
    assert change["before"] == {"rule": "candidate-initiated", "route": "recruiter -> department_manager",
                                "on_timeout": "approve"}
    assert change["after"]["route"] == "group hr"
    # AND nothing was published by simulating
    assert policy_store.latest() is None


def test_the_simulation_says_which_facts_are_missing_instead_of_guessing(editor, scheduled):
    # GIVEN a request whose candidate profile is gone
    scheduled(interview_id="int-1", candidate_id="cand-1")
    request_id = _cancel("int-1", "cand-1", "illness")
    from functions.integration.tables import CandidateItem
    CandidateItem("cand-1").delete()
    # WHEN a draft is simulated
    status, result = _call(editor, "POST", "/api/staff/policy/simulate",
                           {"policy": _illness_goes_to_hr(_shipped()), "days": 1})
    # THEN the request is listed as not evaluated, naming the missing fact
    assert status == 200 and result["evaluated"] == 0 and result["changed_count"] == 0
    assert result["not_evaluated"] == [{"request_id": request_id, "created_at": result["not_evaluated"][0][
        "created_at"], "missing": ["earlier_cancellations"]}]


def test_a_simulation_of_an_invalid_draft_or_too_many_days_is_422(editor):
    draft = _shipped()
    draft["rules"] = []
    assert _call(editor, "POST", "/api/staff/policy/simulate", {"policy": draft, "days": 7})[0] == 422
    status, problem = _call(editor, "POST", "/api/staff/policy/simulate", {"policy": _shipped(), "days": 365})
    assert (status, problem["errors"][0]["field"]) == (422, "days")


@pytest.mark.parametrize(("lang", "title"), [("en", "Routing policy"), ("zh-CN", "审批路由策略")])
def test_the_editor_page_is_served_in_english_and_chinese_with_its_messages_for_the_script(system, lang, title):
    # GIVEN the editor's page WHEN it is opened in a language
    response = system.invoke("cancel", _page_event(lang))
    # THEN it is an HTML page in that language, and the script's messages keep their placeholders
    assert response["statusCode"] == 200 and f"<h1>{title}</h1>" in response["body"]
    assert "{position}" in response["body"] and "{version}" in response["body"]


def _page_event(lang: str) -> dict:
    from tests.integration.conftest import api_gateway_event

    return api_gateway_event(method="GET", path="/staff/policy", resource="/staff/policy", path_parameters={},
                             query={"lang": lang}, headers={}, body=b"", claims=None, source_ip="127.0.0.1")


def test_a_version_published_elsewhere_is_in_force_here_within_a_minute(editor, monkeypatch):
    # GIVEN a function that has read the policy in force (version 1, the file) at some moment
    _call(editor, "GET", "/api/staff/policy")
    clock = [1000.0]
    monkeypatch.setattr(policy_source.time, "monotonic", lambda: clock[0])
    policy_source.forget_published()
    assert policy_source.load_policy().rules[0].name == "company-initiated"
    # WHEN another instance publishes version 2 (stored directly: this process's cache is not told)
    from functions.core.models import AuditEntry
    text = yaml.safe_dump(_illness_goes_to_hr(_shipped()), sort_keys=False)
    policy_store.publish(policy_store.PolicyVersion(number=2, text=text, published_by="elsewhere",
                                                    published_at="2026-01-01T00:00:00.000Z", diff="", note=None),
                         AuditEntry(at="2026-01-01T00:00:00.000Z", actor="staff:other", action="policy_published"))
    # THEN this instance still routes by version 1 for up to a minute, and by version 2 after it
    clock[0] += policy_source.PUBLISHED_MAX_AGE_SECONDS - 1
    assert policy_source.load_policy().rules[0].name == "company-initiated"
    clock[0] += 2
    assert policy_source.load_policy().rules[0].name == "illness-to-hr"
    # AND a policy file named explicitly (the CLI's `policy check FILE`) is still read from the file
    assert policy_source.load_policy(DEFAULT_POLICY_FILE).rules[0].name == "company-initiated"
