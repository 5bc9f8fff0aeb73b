"""The policy engine: the shipped default's routing, strict validation, and that every request gets a decision."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.domain import interview_policy
from functions.core.models import Initiator, Outcome
from functions.domain.policy import (
    KNOWN_REASONS,
    Policy,
    PolicyDecision,
    PolicyError,
    RequestFacts,
    evaluate,
)
from functions.domain.policy_source import DEFAULT_POLICY_FILE, load_policy, parse_policy, validate_policy

DEFAULT = load_policy(DEFAULT_POLICY_FILE)
REASONS = sorted(KNOWN_REASONS)


def _facts(initiator="candidate", reason="illness", hours=120.0, earlier=0, **more) -> RequestFacts:
    return RequestFacts(initiator=initiator, reason_code=reason, hours_until=hours, earlier_cancellations=earlier,
                        job_level="L2", department="Engineering", candidate_source="referral", **more)


def _default_data() -> dict:
    return yaml.safe_load(DEFAULT_POLICY_FILE.read_text())


def _is_final(decision: PolicyDecision) -> bool:
    route = decision.route
    decided_by_someone = not route.auto_approve and len(route.approvers) > 0
    return (route.auto_approve != decided_by_someone) and route.default_outcome in set(Outcome) \
        and route.sla_seconds > 0 and bool(route.rule) and bool(route.why)


# ---- the shipped default -----------------------------------------------------------------------------------

@pytest.mark.parametrize("initiator, reason, hours, earlier, rule, chain", [
    ("candidate", "schedule_conflict", 24, 0, "schedule-conflict-with-notice", []),
    ("candidate", "schedule_conflict", 72, 1, "schedule-conflict-with-notice", []),
    ("candidate", "schedule_conflict", 23.99, 0, "candidate-initiated", ["recruiter", "department_manager"]),
    ("candidate", "illness", 120, 0, "candidate-initiated", ["recruiter", "department_manager"]),
    ("candidate", "other", 3, 0, "candidate-initiated", ["recruiter", "department_manager"]),
    ("candidate", "schedule_conflict", 72, 2, "repeated-cancellations", ["recruiter", "department_manager"]),
    ("candidate", "emergency", 5, 7, "repeated-cancellations", ["recruiter", "department_manager"]),
    ("company", "position_paused", 120, 0, "company-initiated", ["department_manager", "group hr"]),
    ("company", "duplicate_booking", 1, 3, "company-initiated", ["department_manager", "group hr"]),
])
def test_default_policy_routes(initiator, reason, hours, earlier, rule, chain):
    # Given the shipped default policy and a request
    facts = _facts(initiator, reason, hours, earlier)
    # When it is evaluated
    decision = evaluate(DEFAULT, facts)
    # Then the expected rule decides, with the expected chain, approving when nobody answers
    assert decision.route.rule == rule
    assert decision.escalation_chain == chain
    assert decision.route.auto_approve is (chain == [])
    assert decision.route.default_outcome is Outcome.APPROVED
    assert decision.minimum_notice_hours == 2


@pytest.mark.parametrize("reason, required", [("other", True), ("illness", False), ("schedule_conflict", False)])
def test_default_policy_requires_a_reason_text_only_for_other(reason, required):
    # Given a candidate request with this reason / When evaluated / Then text is mandatory only for `other`
    assert evaluate(DEFAULT, _facts(reason=reason)).reason_text_required is required


def test_why_names_the_conditions_that_matched():
    # Given a schedule conflict three days ahead
    decision = evaluate(DEFAULT, _facts(reason="schedule_conflict", hours=72))
    # When / Then the explanation says which conditions held
    assert "reason is schedule_conflict" in decision.route.why
    assert "72 h until the interview (>= 24 h)" in decision.route.why


def test_routing_adapter_resolves_roles_and_hr_from_the_interview():
    # Given an interview with its people and the default policy
    interview = SimpleNamespace(
        job_level="L2", department="Engineering", candidate_source="referral",
        recruiter=SimpleNamespace(person_id="rec-1", name="R", email="r@example.com"),
        department_manager=SimpleNamespace(person_id="mgr-1", name="M", email="m@example.com"))
    now = datetime(2030, 1, 1, 9, tzinfo=timezone.utc)
    # When a company-initiated request is routed
    route = interview_policy.route_for(interview=interview, initiator=Initiator.COMPANY, reason_code="position_paused",
                              now=now, starts_at=now + timedelta(days=2), sla_seconds=600, hr_email="hr@example.com")
    # Then the chain is the job's manager, then HR, with the deployment's SLA
    assert [(a.approver_id, a.email, a.role) for a in route.approvers] == [
        ("mgr-1", "m@example.com", "department_manager"), ("hr", "hr@example.com", "admin")]
    assert route.sla_seconds == 600
    assert interview_policy.CANDIDATE_MINIMUM_NOTICE == timedelta(hours=2)


# ---- configurable without code -----------------------------------------------------------------------------

LENIENT = """
rules:
  - name: illness-auto
    when: {reason: [illness]}
    then: {auto_approve: true}
  - name: everything-else
    then: {approvers: [{role: recruiter}]}
"""
STRICT = """
defaults: {sla_hours: 4, remind_before_hours: 1, on_timeout: keep, minimum_notice_hours: 12}
rules:
  - name: named-approver
    when: {initiator: candidate}
    then:
      approvers: [{person: {id: ana, name: Ana Lee, email: ana@example.com}}, {group: hr}]
  - name: everything-else
    then: {approvers: [{role: department_manager}]}
"""


def test_two_policy_files_give_two_routes_for_the_same_request(tmp_path, monkeypatch):
    # Given two policy files and one request
    (tmp_path / "lenient.yaml").write_text(LENIENT)
    (tmp_path / "strict.yaml").write_text(STRICT)
    facts = _facts(reason="illness", hours=30)
    # When each is the policy in force (POLICY_FILE, as a deployment would set it)
    decisions = {}
    for name in ("lenient", "strict"):
        monkeypatch.setenv("POLICY_FILE", str(tmp_path / f"{name}.yaml"))
        decisions[name] = evaluate(load_policy(), facts, default_sla_seconds=3600)
    # Then the same request goes two different ways, with each file's own limits
    lenient, strict = decisions["lenient"], decisions["strict"]
    assert (lenient.route.rule, lenient.route.auto_approve) == ("illness-auto", True)
    assert strict.route.rule == "named-approver"
    assert strict.escalation_chain == ["Ana Lee <ana@example.com>", "group hr"]
    assert strict.route.approvers[0].email == "ana@example.com"
    assert (strict.route.sla_seconds, strict.remind_before_seconds) == (4 * 3600, 3600)
    assert strict.route.default_outcome is Outcome.REJECTED and "kept" in strict.route.why
    assert (lenient.minimum_notice_hours, strict.minimum_notice_hours) == (2, 12)


def test_an_edited_policy_file_is_read_again(tmp_path):
    # Given a policy file that has been loaded
    path = tmp_path / "policy.yaml"
    path.write_text(LENIENT)
    assert load_policy(path).rules[0].name == "illness-auto"
    # When it is replaced
    path.write_text(STRICT + "\n# edited\n")
    # Then the next load sees the new rules
    assert load_policy(path).rules[0].name == "named-approver"


def test_policy_parameter_is_read_through_powertools_with_a_max_age(monkeypatch):
    # Given POLICY_PARAMETER naming an SSM parameter (Powertools' get_parameter stubbed: no AWS here)
    from aws_lambda_powertools.utilities import parameters

    calls = []
    monkeypatch.delenv("POLICY_FILE", raising=False)
    monkeypatch.setenv("POLICY_PARAMETER", "/interviews/policy")
    monkeypatch.setattr(parameters, "get_parameter", lambda name, max_age: calls.append((name, max_age)) or LENIENT)
    # When the policy in force is loaded
    policy = load_policy()
    # Then it is the parameter's content, re-read at most every five minutes
    assert policy.rules[0].name == "illness-auto"
    assert calls == [("/interviews/policy", 300)]


# ---- strict validation -------------------------------------------------------------------------------------

def _broken(edit) -> dict:
    data = _default_data()
    edit(data)
    return data


@pytest.mark.parametrize("edit, expected", [
    (lambda d: d["rules"][2]["then"].update(sla_hours=-1),
     "rules[2] 'schedule-conflict-with-notice': then.sla_hours: Input should be greater than 0"),
    (lambda d: d["rules"][1]["then"].update(sla_hour=4),
     "rules[1] 'repeated-cancellations': then.sla_hour: Extra inputs are not permitted"),
    (lambda d: d["rules"][3].update(when={"initiator": "candidate"}),
     "rules[3] 'candidate-initiated': when: the last rule must be a catch-all"),
    (lambda d: d["rules"].insert(1, {"name": "everything", "then": {"auto_approve": True}}),
     "rules[1] 'everything': when: a rule without conditions matches every request"),
    (lambda d: d["rules"][2]["then"].update(approvers=[{"role": "recruiter"}]),
     "rules[2] 'schedule-conflict-with-notice': then: auto_approve: true and approvers exclude each other"),
    (lambda d: d["rules"][0]["then"].update(approvers=[]),
     "rules[0] 'company-initiated': then: give auto_approve: true or at least one approver"),
    (lambda d: d["rules"][0]["then"]["approvers"].append({"role": "ceo"}),
     "rules[0] 'company-initiated': then.approvers[2].role: Input should be 'recruiter' or 'department_manager'"),
    (lambda d: d["rules"][0]["then"]["approvers"].append({"role": "recruiter", "group": "hr"}),
     "rules[0] 'company-initiated': then.approvers[2]: give exactly one of role, group or person"),
    (lambda d: d["rules"][2]["when"].update(reason=["schedule-conflict"]),
     "rules[2] 'schedule-conflict-with-notice': when.reason[0]: unknown reason code 'schedule-conflict'"),
    (lambda d: d["rules"][2]["when"].update(hours_until={"at_least": 24, "less_than": 2}),
     "rules[2] 'schedule-conflict-with-notice': when.hours_until: no hours are at least 24 and less than 2"),
    (lambda d: d["rules"][1]["then"].update(on_timeout="maybe"),
     "rules[1] 'repeated-cancellations': then.on_timeout: Input should be 'approve', 'reject' or 'keep'"),
    (lambda d: d["rules"][1].update(name="company-initiated"),
     "rules[1] 'company-initiated': name: another rule already has this name"),
    (lambda d: d["defaults"].update(sla_hours=2, remind_before_hours=3),
     "then.remind_before_hours: the reminder (3 h before the end) must fall within the SLA (2 h)"),
    (lambda d: d["defaults"].update(minimum_notice_hours=-1),
     "defaults.minimum_notice_hours: Input should be greater than or equal to 0"),
])
def test_a_broken_policy_is_refused_naming_the_rule_and_the_field(edit, expected):
    # Given the default policy with one mistake
    data = _broken(edit)
    # When it is validated
    with pytest.raises(PolicyError) as refused:
        validate_policy(data, source="broken.yaml")
    # Then the error names the rule and the field
    assert any(expected in problem for problem in refused.value.problems), refused.value.problems


def test_invalid_yaml_is_refused_with_its_line():
    # Given text that is not YAML / When parsed / Then the error says where
    with pytest.raises(PolicyError, match="line 2"):
        parse_policy("rules:\n\t- name: tabbed\n", source="bad.yaml")


def test_a_missing_policy_file_is_refused(tmp_path):
    with pytest.raises(PolicyError, match="cannot read the file"):
        load_policy(tmp_path / "missing.yaml")


# ---- properties --------------------------------------------------------------------------------------------

hours = st.floats(min_value=-48, max_value=24 * 90, allow_nan=False) | st.sampled_from([0.0, 2.0, 23.999, 24.0])
words = st.from_regex(r"[A-Za-z0-9_]{1,12}", fullmatch=True)
request_facts = st.builds(
    RequestFacts,
    initiator=st.sampled_from(Initiator),
    reason_code=st.sampled_from(REASONS) | words,
    job_level=st.none() | st.sampled_from(["L1", "L2", "L3"]) | words,
    department=st.none() | st.sampled_from(["Engineering", "Sales"]) | words,
    candidate_source=st.none() | st.sampled_from(["referral", "direct", "agency"]) | words,
    hours_until=hours,
    earlier_cancellations=st.integers(0, 12),
    earlier_moves=st.integers(0, 12),
)

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(request_facts)
def test_every_request_gets_exactly_one_final_route_from_the_default_policy(facts):
    # Given any request / When the default policy evaluates it
    decision = evaluate(DEFAULT, facts)
    # Then the first rule whose conditions hold decides it, and the decision is final
    matching = [rule.name for rule in DEFAULT.rules if rule.when.match(facts) is not None]
    assert matching and decision.route.rule == matching[0]
    assert _is_final(decision)


small = st.integers(0, 6)
count_range = st.one_of(
    st.builds(lambda n: {"at_least": n}, small), st.builds(lambda n: {"at_most": n}, small),
    st.builds(lambda a, b: {"at_least": min(a, b), "at_most": max(a, b)}, small, small))
hour = st.integers(-10, 72)
hours_range = st.one_of(
    st.builds(lambda h: {"at_least": h}, hour), st.builds(lambda h: {"less_than": h}, hour),
    st.builds(lambda h, span: {"at_least": h, "less_than": h + span}, hour, st.integers(1, 48)))
conditions = st.fixed_dictionaries({}, optional={
    "initiator": st.sampled_from(["candidate", "company"]),
    "reason": st.lists(st.sampled_from(REASONS), min_size=1, max_size=3, unique=True),
    "job_level": st.lists(st.sampled_from(["L1", "L2", "L3"]), min_size=1, max_size=2, unique=True),
    "department": st.lists(st.sampled_from(["Engineering", "Sales"]), min_size=1, max_size=2, unique=True),
    "candidate_source": st.lists(st.sampled_from(["referral", "direct"]), min_size=1, max_size=2, unique=True),
    "hours_until": hours_range,
    "earlier_cancellations": count_range,
    "earlier_moves": count_range,
})
approver = st.sampled_from([{"role": "recruiter"}, {"role": "department_manager"}, {"group": "hr"},
                            {"person": {"id": "ana", "name": "Ana", "email": "ana@example.com"}}])
limits = {"on_timeout": st.sampled_from(["approve", "reject", "keep"]), "sla_hours": st.integers(1, 72),
          "remind_before_hours": st.integers(1, 72), "minimum_notice_hours": st.integers(0, 48)}
decides = st.just({"auto_approve": True}) | st.fixed_dictionaries(
    {"approvers": st.lists(approver, min_size=1, max_size=3)}, optional=limits)
anything = st.fixed_dictionaries({"auto_approve": st.booleans(), "approvers": st.lists(approver, max_size=3)},
                                 optional=limits)  # may decide nothing, or both: such policies must be refused
# Mostly well-formed, so that many generated policies pass the check.
outcome = st.one_of(decides, decides, decides, decides, decides, anything)
policy_data = st.builds(
    lambda bodies, catch_all: {"rules": [{"name": f"rule-{i}", "when": when, "then": then}
                                         for i, (when, then) in enumerate(bodies)]
                               + ([{"name": "catch-all", "then": catch_all}] if catch_all else [])},
    st.lists(st.tuples(conditions, outcome), max_size=5),
    st.one_of(st.none(), outcome, outcome, outcome),  # mostly with a catch-all
)


@FAST
@given(policy_data, st.lists(request_facts, min_size=1, max_size=8))
def test_no_policy_that_passes_the_check_leaves_a_request_without_a_final_decision(data, requests):
    # Given a generated policy, written as a file would be
    text = yaml.safe_dump(data)
    # When it is checked
    try:
        policy = parse_policy(text, source="generated.yaml")
    except PolicyError:
        # Then either it is refused...
        return
    # ...or every request gets a final decision from it
    assert isinstance(policy, Policy) and policy.rules[-1].when.is_catch_all
    for facts in requests:
        assert _is_final(evaluate(policy, facts, default_sla_seconds=60))


@FAST
@given(st.lists(st.tuples(conditions.filter(bool), outcome), min_size=1, max_size=4))
def test_a_policy_whose_last_rule_has_conditions_never_passes_the_check(bodies):
    # Given rules that all have conditions (no catch-all)
    data = {"rules": [{"name": f"rule-{i}", "when": when, "then": then} for i, (when, then) in enumerate(bodies)]}
    # When checked / Then refused: some request could match none of them
    with pytest.raises(PolicyError):
        validate_policy(data)


def test_the_shipped_default_is_the_file_next_to_the_code():
    # Given no POLICY_FILE or POLICY_PARAMETER / When loading / Then the shipped default is in force
    assert Path(DEFAULT_POLICY_FILE).is_file()
    assert load_policy().rules == DEFAULT.rules
