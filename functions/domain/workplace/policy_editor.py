"""The routing policy editor (HR admins): the published policy and its versions; a draft checked by the same model as
`interviews policy check`, simulated over the requests of the last days, published as a new version, or an earlier
version published again (a rollback).

Versions are numbered from 1; the policy in force before anything was published (POLICY_FILE, the SSM parameter or
the shipped file, as policy_source reads it) becomes version 1, verbatim, the first time the editor is used. Every
publication names the version it was made from: when someone published meanwhile it is refused (409) and nothing is
stored. Each version keeps who published it, when, and a unified diff of the YAML from the version before; its audit
entry goes to the trail "policy:routing" in the same transaction.

The simulation re-evaluates stored requests with the policy in force and with the draft. A request's facts are what
submission looked at: initiator and reason (the request), job level, department, source, hours from submission
to the interview and earlier moves (the interview as stored now), earlier cancellations (the candidate's profile,
those recorded before the request). A request whose interview or candidate profile is gone (erased) is listed as not evaluated,
with the facts that are missing, rather than guessed.
"""

from __future__ import annotations

import difflib
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import yaml
from pydantic import BaseModel, Field

from functions.core.clock import from_iso, to_iso, utc_now
from functions.core.errors import ConflictError, NotFoundError
from functions.core.models import AuditEntry, Initiator
from functions.domain import policy_source
from functions.domain.policy import KNOWN_REASONS, Policy, RequestFacts, evaluate
from functions.integration.data import candidate_store, interview_store, policy_store, request_store
from functions.integration.data.policy_store import PolicyVersion

MAX_SIMULATION_DAYS = 90


# ---- what the API takes and answers ------------------------------------------------------------------------------

class DraftBody(BaseModel):
    policy: dict[str, Any] = Field(description="The draft policy: the structure of the policy YAML, as JSON")


class SimulateBody(DraftBody):
    days: int = Field(30, ge=1, le=MAX_SIMULATION_DAYS, description="Simulate the requests of this many last days")


class PublishBody(DraftBody):
    base_version: int = Field(ge=0, description="The published version the draft was made from (409 if another was "
                                               "published since)")


class RollbackBody(BaseModel):
    base_version: int = Field(ge=0, description="The latest version as the caller saw it (409 if another was "
                                               "published since)")


class VersionSummary(BaseModel):
    version: int
    published_by: str
    published_at: str
    note: str | None = None
    diff: str = Field(description="Unified diff of the YAML from the version before")


class PolicyState(BaseModel):
    version: int
    text: str = Field(description="The published YAML, verbatim")
    policy: dict[str, Any] = Field(description="The published YAML's structure, what the editor edits")
    versions: list[VersionSummary] = Field(description="Every version, newest first")
    reasons: list[str] = Field(description="The reason codes a rule may name")


class Validation(BaseModel):
    valid: bool
    problems: list[str] = Field(default_factory=list, description="One line per problem, naming rule and field")
    rules: list[str] = Field(default_factory=list)


class RouteSummary(BaseModel):
    rule: str
    route: str = Field(description="auto-approve, or the approvers in order")
    on_timeout: str


class ChangedRequest(BaseModel):
    request_id: str
    created_at: str
    initiator: str
    reason_code: str
    job_title: str | None = None
    before: RouteSummary
    after: RouteSummary


class NotEvaluated(BaseModel):
    request_id: str
    created_at: str
    missing: list[str]


class Simulation(BaseModel):
    days: int
    since: str
    requests: int = Field(description="Requests received in those days")
    evaluated: int
    changed_count: int = Field(description="Requests whose route would differ under the draft")
    changed: list[ChangedRequest]
    changes: dict[str, int] = Field(description="'rule before -> rule after': how many requests")
    not_evaluated: list[NotEvaluated]


class Published(BaseModel):
    version: int
    published_by: str
    published_at: str
    note: str | None = None
    diff: str


class InvalidDraft(ValueError):
    """The draft fails the policy model; `problems` as `interviews policy check` prints them."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


# ---- reading -----------------------------------------------------------------------------------------------------

def state() -> PolicyState:
    latest = _latest_or_seed()
    return PolicyState(version=latest.number, text=latest.text, policy=yaml.safe_load(latest.text),
                       versions=[_summary(v) for v in policy_store.versions()], reasons=sorted(KNOWN_REASONS))


def validate(data: dict[str, Any]) -> Validation:
    try:
        policy = _checked(data)
    except InvalidDraft as invalid:
        return Validation(valid=False, problems=invalid.problems)
    return Validation(valid=True, rules=[rule.name for rule in policy.rules])


# ---- simulating --------------------------------------------------------------------------------------------------

def simulate(data: dict[str, Any], days: int, now: datetime | None = None) -> Simulation:
    """The requests of the last `days` days (today included) whose route the draft would change."""
    draft = _checked(data)
    current = policy_source.load_policy()
    now = now or utc_now()
    since = now - timedelta(days=days)
    requests = []
    for offset in range(days + 1):
        day = (now - timedelta(days=offset)).strftime("%Y-%m-%d")
        requests += [r for r in request_store.requests_created_on(day) if from_iso(r.created_at) >= since]
    requests.sort(key=lambda r: r.created_at, reverse=True)
    changed, not_evaluated, changes = [], [], Counter()
    interviews: dict[str, Any] = {}
    candidates: dict[str, Any] = {}
    for request in requests:
        if request.interview_id not in interviews:
            interviews[request.interview_id] = interview_store.get_interview(request.interview_id)
        if request.candidate_id not in candidates:
            candidates[request.candidate_id] = candidate_store.get_candidate(request.candidate_id)
        facts, missing = _facts(request, interviews[request.interview_id], candidates[request.candidate_id])
        if facts is None:
            not_evaluated.append(NotEvaluated(request_id=request.request_id, created_at=request.created_at,
                                              missing=missing))
            continue
        (before, sla_before), (after, sla_after) = _route(current, facts), _route(draft, facts)
        if (before.route, before.on_timeout, sla_before) != (after.route, after.on_timeout, sla_after):
            interview = interviews[request.interview_id]
            changed.append(ChangedRequest(request_id=request.request_id, created_at=request.created_at,
                                          initiator=request.initiator, reason_code=request.reason_code,
                                          job_title=interview.job_title, before=before, after=after))
            changes[f"{before.rule} -> {after.rule}"] += 1
    return Simulation(days=days, since=to_iso(since), requests=len(requests),
                      evaluated=len(requests) - len(not_evaluated), changed_count=len(changed), changed=changed,
                      changes=dict(changes.most_common()), not_evaluated=not_evaluated)


def _facts(request, interview, candidate) -> tuple[RequestFacts | None, list[str]]:
    missing = []
    if interview is None:
        missing += ["job_level", "department", "candidate_source", "hours_until", "earlier_moves"]
    if candidate is None or candidate.erased_at:
        missing.append("earlier_cancellations")
    if missing:
        return None, missing
    created = from_iso(request.created_at)
    earlier = [c for c in candidate.cancellations
               if c.request_id != request.request_id and from_iso(c.at) < created]
    return RequestFacts(
        initiator=Initiator(request.initiator), reason_code=request.reason_code, job_level=interview.job_level,
        department=interview.department, candidate_source=interview.candidate_source,
        hours_until=(from_iso(interview.starts_at) - created).total_seconds() / 3600,
        earlier_cancellations=len(earlier), earlier_moves=int(interview.moves or 0),
    ), []


def _route(policy: Policy, facts: RequestFacts) -> tuple[RouteSummary, int]:
    """Where the policy sends the request, and each approver's SLA in seconds (a changed SLA is a changed route)."""
    decision = evaluate(policy, facts)
    route = "auto-approve" if decision.route.auto_approve else " -> ".join(decision.escalation_chain)
    return RouteSummary(rule=decision.route.rule, route=route, on_timeout=decision.on_timeout), \
        decision.route.sla_seconds


# ---- publishing --------------------------------------------------------------------------------------------------

def publish(data: dict[str, Any], base_version: int, *, actor: str, published_by: str,
            now: datetime | None = None) -> Published:
    """Publish the draft as the version after `base_version`; ConflictError if that is not the latest any more."""
    _checked(data)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return _publish_text(text, base_version, actor=actor, published_by=published_by, note=None, now=now)


def rollback(version: int, base_version: int, *, actor: str, published_by: str,
             now: datetime | None = None) -> Published:
    """Publish a copy of an earlier version as the version after `base_version`."""
    _latest_or_seed()
    earlier = policy_store.get(version)
    if earlier is None:
        raise NotFoundError("No such policy version.", code="policy_version_not_found")
    return _publish_text(earlier.text, base_version, actor=actor, published_by=published_by,
                         note=f"rollback to version {version}", now=now)


def _publish_text(text: str, base_version: int, *, actor: str, published_by: str, note: str | None,
                  now: datetime | None) -> Published:
    latest = _latest_or_seed()
    if latest.number != base_version:
        raise _moved_on(latest.number)
    at = to_iso(now or utc_now())
    number = latest.number + 1
    diff = "".join(difflib.unified_diff(latest.text.splitlines(keepends=True), _ending(text).splitlines(keepends=True),
                                        fromfile=f"version {latest.number}", tofile=f"version {number}"))
    version = PolicyVersion(number=number, text=text, published_by=published_by, published_at=at, diff=diff,
                            note=note)
    entry = AuditEntry(at=at, actor=actor, action="policy_published",
                       why=f"version {number} from version {latest.number}" + (f" ({note})" if note else ""))
    try:
        policy_store.publish(version, entry)
    except policy_store.VersionTaken:
        raise _moved_on(number) from None
    policy_source.forget_published()
    return Published(version=number, published_by=published_by, published_at=at, note=note, diff=diff)


def _moved_on(latest: int) -> ConflictError:
    return ConflictError(f"Version {latest} was published meanwhile; reload and apply your change to it.",
                         code="policy_version_conflict", version=latest)


def _latest_or_seed() -> PolicyVersion:
    """The latest version; the first time, the policy in force so far, stored verbatim as version 1."""
    latest = policy_store.latest()
    if latest is not None:
        return latest
    text, source = policy_source.fallback_text()
    policy_source.parse_policy(text, source=source)  # it is in force, so valid; never store one that is not
    seed = PolicyVersion(number=1, text=text, published_by="system", published_at=to_iso(utc_now()), diff="",
                         note=f"seeded from {source}")
    try:
        policy_store.publish(seed, AuditEntry(at=seed.published_at, actor="system", action="policy_published",
                                              why=f"version 1 seeded from {source}"))
    except policy_store.VersionTaken:  # another instance seeded it first: the same text
        pass
    policy_source.forget_published()
    latest = policy_store.latest()
    assert latest is not None
    return latest


def _checked(data: dict[str, Any]) -> Policy:
    try:
        return policy_source.validate_policy(data, source="draft")
    except policy_source.PolicyError as error:
        raise InvalidDraft(error.problems) from None


def _summary(version: PolicyVersion) -> VersionSummary:
    return VersionSummary(version=version.number, published_by=version.published_by,
                          published_at=version.published_at, note=version.note, diff=version.diff)


def _ending(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"
