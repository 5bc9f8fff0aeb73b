"""The cancellation policy: who decides a request, what is automatic, and the limits a candidate works within.

A policy (loaded by functions/domain/policy_source.py; docs/policy.md describes the format) is an
ordered list of rules, the first whose conditions all hold wins, and the last rule must be a catch-all, so that
every request gets a decision. Loading validates strictly and names the rule and the field of every error.

`evaluate` is pure: it turns the facts of one request into a `PolicyDecision` (the workflow's `Route`, plus the
limits that apply), and says which rule matched and why. Nothing here reads the database or the clock.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

from functions.core.ids import PersonId
from functions.core.models import Approver, CandidateReason, CompanyReason, Initiator, Outcome, Route
from functions.domain.policy_rebooking import Rebooking

# The SLA when neither the rule nor the policy's defaults set one and the caller gives none (= the settings'
# default of APPROVAL_SLA_SECONDS).
FALLBACK_SLA_SECONDS = 24 * 3600

KNOWN_REASONS = frozenset(r.value for r in CandidateReason) | frozenset(r.value for r in CompanyReason)
_NAME = r"^[a-z0-9][a-z0-9_.-]*$"


class PolicyError(ValueError):
    """A policy that cannot be used. `problems` has one line per problem, each naming the rule and the field."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"invalid policy {source}: " + "; ".join(problems))


class _Strict(BaseModel):
    # A misspelt key must be refused, not silently ignored: it would change who decides without anyone noticing.
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- conditions --------------------------------------------------------------------------------------------

class HoursRange(_Strict):
    """Hours until the interview: at_least <= hours < less_than (either bound may be left out)."""

    at_least: float | None = Field(None, allow_inf_nan=False)
    less_than: float | None = Field(None, allow_inf_nan=False)

    @model_validator(mode="after")
    def _bounded_and_not_empty(self) -> HoursRange:
        if self.at_least is None and self.less_than is None:
            raise ValueError("give at_least, less_than or both")
        if self.at_least is not None and self.less_than is not None and self.at_least >= self.less_than:
            raise ValueError(f"no hours are at least {self.at_least:g} and less than {self.less_than:g}")
        return self

    def holds(self, hours: float) -> bool:
        above = self.at_least is None or hours >= self.at_least
        below = self.less_than is None or hours < self.less_than
        return above and below

    def describe(self) -> str:
        bounds = ([f">= {self.at_least:g} h"] if self.at_least is not None else []) + \
                 ([f"< {self.less_than:g} h"] if self.less_than is not None else [])
        return " and ".join(bounds)


class CountRange(_Strict):
    """A count of earlier events: at_least <= count <= at_most (either bound may be left out)."""

    at_least: int | None = Field(None, ge=0)
    at_most: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _bounded_and_not_empty(self) -> CountRange:
        if self.at_least is None and self.at_most is None:
            raise ValueError("give at_least, at_most or both")
        if self.at_least is not None and self.at_most is not None and self.at_least > self.at_most:
            raise ValueError(f"no count is at least {self.at_least} and at most {self.at_most}")
        return self

    def holds(self, count: int) -> bool:
        above = self.at_least is None or count >= self.at_least
        below = self.at_most is None or count <= self.at_most
        return above and below

    def describe(self) -> str:
        bounds = ([f">= {self.at_least}"] if self.at_least is not None else []) + \
                 ([f"<= {self.at_most}"] if self.at_most is not None else [])
        return " and ".join(bounds)


def _known_reason(code: str) -> str:
    # A misspelt reason would never match: refuse it rather than let requests fall through to later rules.
    if code not in KNOWN_REASONS:
        raise ValueError(f"unknown reason code {code!r}; known: {', '.join(sorted(KNOWN_REASONS))}")
    return code


Names = list[Annotated[str, StringConstraints(min_length=1, max_length=100)]]
ReasonCodes = list[Annotated[str, AfterValidator(_known_reason)]]


class Conditions(_Strict):
    """All given conditions must hold; a condition left out holds for every request. None at all: a catch-all."""

    initiator: Initiator | None = None
    reason: ReasonCodes | None = Field(None, min_length=1)
    job_level: Names | None = Field(None, min_length=1)
    department: Names | None = Field(None, min_length=1)
    candidate_source: Names | None = Field(None, min_length=1)
    hours_until: HoursRange | None = None
    earlier_cancellations: CountRange | None = None
    earlier_moves: CountRange | None = None

    @property
    def is_catch_all(self) -> bool:
        return all(getattr(self, name) is None for name in type(self).model_fields)

    def match(self, facts: RequestFacts) -> list[str] | None:
        """Why the conditions hold for these facts (one phrase per condition), or None when one does not."""
        because: list[str] = []
        if self.initiator is not None:
            if facts.initiator != self.initiator:
                return None
            because.append(f"initiator is {self.initiator.value}")
        for field, value in (("reason", facts.reason_code), ("job_level", facts.job_level),
                             ("department", facts.department), ("candidate_source", facts.candidate_source)):
            allowed = getattr(self, field)
            if allowed is not None:
                if value not in allowed:
                    return None
                because.append(f"{field} is {value}" if len(allowed) == 1
                               else f"{field} {value} is one of {', '.join(allowed)}")
        if self.hours_until is not None:
            if not self.hours_until.holds(facts.hours_until):
                return None
            because.append(f"{_hours(facts.hours_until)} h until the interview ({self.hours_until.describe()})")
        for field, count in (("earlier_cancellations", facts.earlier_cancellations),
                             ("earlier_moves", facts.earlier_moves)):
            bounds: CountRange | None = getattr(self, field)
            if bounds is not None:
                if not bounds.holds(count):
                    return None
                because.append(f"{count} {field.replace('_', ' ')} ({bounds.describe()})")
        return because


# ---- outcomes ----------------------------------------------------------------------------------------------

class NamedPerson(_Strict):
    id: PersonId
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr


class ApproverRef(_Strict):
    """One step of the escalation chain: exactly one of a role of the job, a group, or a named person."""

    role: Literal["recruiter", "department_manager"] | None = None
    group: Literal["hr"] | None = None
    person: NamedPerson | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ApproverRef:
        given = [name for name in ("role", "group", "person") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of role, group or person (got {', '.join(given) or 'none'})")
        return self

    @property
    def label(self) -> str:
        if self.role is not None:
            return self.role
        if self.group is not None:
            return f"group {self.group}"
        assert self.person is not None
        return f"{self.person.name} <{self.person.email}>"


class Limits(_Strict):
    """What a rule decides besides who approves. Set in the policy's `defaults`; a rule may override each one."""

    # One SLA per step of the chain: the workflow waits this long for each approver in turn.
    # None: the deployment's APPROVAL_SLA_SECONDS.
    sla_hours: float | None = Field(None, gt=0, allow_inf_nan=False)
    remind_before_hours: float | None = Field(None, gt=0, allow_inf_nan=False)  # None: no reminder
    on_timeout: Literal["approve", "reject", "keep"] = "approve"
    may_move: bool = True
    move_limit: int = Field(1, ge=0)
    minimum_notice_hours: float = Field(2, ge=0, allow_inf_nan=False)  # for the candidate's self-service
    reason_text_required_for: ReasonCodes = Field(default_factory=lambda: ["other"])
    retention_template: str | None = Field(None, pattern=_NAME, max_length=64)


class RuleOutcome(Limits):
    """Who decides (auto-approve, or an escalation chain) and any limits that differ from the defaults."""

    auto_approve: bool = False
    approvers: list[ApproverRef] = Field(default_factory=list, max_length=10)

    @model_validator(mode="after")
    def _decides(self) -> RuleOutcome:
        # Either nobody has to decide, or somebody does: never both, never neither.
        if self.auto_approve and self.approvers:
            raise ValueError("auto_approve: true and approvers exclude each other")
        if not self.auto_approve and not self.approvers:
            raise ValueError("give auto_approve: true or at least one approver (no path without a final decision)")
        return self

    @property
    def overridden_limits(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set if name in Limits.model_fields}


class Rule(_Strict):
    name: str = Field(min_length=1, max_length=64, pattern=_NAME)
    description: str | None = Field(None, max_length=300)
    when: Conditions = Field(default_factory=Conditions)
    then: RuleOutcome


class Policy(_Strict):
    version: Literal[1] = 1
    description: str | None = None
    defaults: Limits = Field(default_factory=Limits)
    rebooking: Rebooking = Field(default_factory=Rebooking)  # after which cancellations a new time may be booked
    rules: list[Rule] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _every_request_gets_a_decision(self) -> Policy:
        problems = []
        seen: set[str] = set()
        for index, rule in enumerate(self.rules):
            where = f"rules[{index}] '{rule.name}'"
            if rule.name in seen:
                problems.append(f"{where}: name: another rule already has this name")
            seen.add(rule.name)
            last = index == len(self.rules) - 1
            if rule.when.is_catch_all and not last:
                problems.append(f"{where}: when: a rule without conditions matches every request, so the rules "
                                f"after it could never apply; make it the last rule")
            if last and not rule.when.is_catch_all:
                problems.append(f"{where}: when: the last rule must be a catch-all without conditions, "
                                f"otherwise some requests would get no decision")
            limits = self.limits_for(rule)
            if limits.sla_hours is not None and limits.remind_before_hours is not None \
                    and limits.remind_before_hours >= limits.sla_hours:
                problems.append(f"{where}: then.remind_before_hours: the reminder ({limits.remind_before_hours:g} h "
                                f"before the end) must fall within the SLA ({limits.sla_hours:g} h)")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def limits_for(self, rule: Rule) -> Limits:
        """The policy's defaults with the rule's own overrides."""
        return self.defaults.model_copy(update=rule.then.overridden_limits)

    @property
    def catch_all(self) -> Rule:
        return self.rules[-1]


# ---- evaluating one request --------------------------------------------------------------------------------

class RequestFacts(_Strict):
    """What the policy may look at. Unknown job level, department or source: a list condition on it fails."""

    initiator: Initiator
    # None when the candidate asks what they may do (move, and how often) rather than cancel: a rule that names
    # reasons does not apply to such a question.
    reason_code: str | None = Field(None, min_length=1, max_length=64)
    job_level: str | None = None
    department: str | None = None
    candidate_source: str | None = None
    hours_until: float = Field(allow_inf_nan=False, description="hours from now until the interview starts")
    earlier_cancellations: int = Field(0, ge=0)
    earlier_moves: int = Field(0, ge=0)


class People(BaseModel):
    """Who the roles and groups of a chain are for one interview. Left out: placeholders (for `policy explain`)."""

    recruiter: Approver | None = None
    department_manager: Approver | None = None
    hr_email: str | None = None


class PolicyDecision(BaseModel):
    """The workflow's route (rule and why included) and the limits that apply to this request."""

    route: Route
    escalation_chain: list[str]  # the approvers as the policy names them, in order
    on_timeout: Literal["approve", "reject", "keep"]
    remind_before_seconds: int | None
    minimum_notice_hours: float
    may_move: bool
    move_limit: int
    reason_text_required: bool
    retention_template: str | None

    @property
    def minimum_notice(self) -> timedelta:
        return timedelta(hours=self.minimum_notice_hours)


_DEFAULT_OUTCOME = {"approve": Outcome.APPROVED, "reject": Outcome.REJECTED, "keep": Outcome.REJECTED}
_TIMEOUT_WORDS = {"approve": "the request is approved", "reject": "the request is rejected",
                  "keep": "the interview is kept"}


def evaluate(policy: Policy, facts: RequestFacts, *, people: People | None = None,
             default_sla_seconds: int = FALLBACK_SLA_SECONDS) -> PolicyDecision:
    """The decision of the first rule whose conditions hold. Pure: same policy and facts, same decision."""
    rule, because = next((rule, because) for rule in policy.rules
                         if (because := rule.when.match(facts)) is not None)  # the catch-all always matches
    limits = policy.limits_for(rule)
    sla_seconds = round(limits.sla_hours * 3600) if limits.sla_hours is not None else default_sla_seconds
    people = people or People()
    route = Route(
        auto_approve=rule.then.auto_approve,
        approvers=[_resolve(ref, people) for ref in rule.then.approvers],
        sla_seconds=max(sla_seconds, 1),
        default_outcome=_DEFAULT_OUTCOME[limits.on_timeout],
        rule=rule.name,
        why=_why(rule, because, limits),
    )
    remind = round(limits.remind_before_hours * 3600) if limits.remind_before_hours is not None else None
    return PolicyDecision(
        route=route,
        escalation_chain=[ref.label for ref in rule.then.approvers],
        on_timeout=limits.on_timeout,
        # A reminder only makes sense inside the SLA (which may come from the deployment, not the file).
        remind_before_seconds=remind if remind is not None and remind < route.sla_seconds else None,
        minimum_notice_hours=limits.minimum_notice_hours,
        may_move=limits.may_move,
        move_limit=limits.move_limit,
        reason_text_required=facts.reason_code in limits.reason_text_required_for,
        retention_template=limits.retention_template,
    )


def _resolve(ref: ApproverRef, people: People) -> Approver:
    if ref.person is not None:
        return Approver(approver_id=ref.person.id, name=ref.person.name, email=ref.person.email, role="approver")
    if ref.group == "hr":
        # HR acts with the admin role on the staff side.
        return Approver(approver_id="hr", name="HR", email=people.hr_email or "", role="admin")
    assert ref.role is not None
    person = getattr(people, ref.role)
    if person is None:
        return Approver(approver_id=ref.role, name=f"(the job's {ref.role.replace('_', ' ')})", email="",
                        role=ref.role)
    return person.model_copy(update={"role": ref.role})


def _why(rule: Rule, because: list[str], limits: Limits) -> str:
    said = rule.description or f"rule {rule.name}"
    matched = f"matched: {', '.join(because)}" if because else "catch-all: no earlier rule matched"
    why = f"{said}; {matched}"
    if not rule.then.auto_approve and limits.on_timeout != "approve":
        why += f"; if nobody decides, {_TIMEOUT_WORDS[limits.on_timeout]}"
    return why


def _hours(hours: float) -> str:
    return f"{hours:.1f}".removesuffix(".0")
