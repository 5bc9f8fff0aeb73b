"""Where a cancellation request goes: the policy in force (functions/domain/policy.py), applied to one interview.

This adapter turns an interview and a request into the policy's `RequestFacts`, evaluates them, and resolves the
chain's roles to the interview's people. The rules themselves live in the policy file, not here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from functions.core.models import Approver, Initiator, InterviewStatus, RequestStatus, Route
from functions.domain.policy import People, PolicyDecision, RequestFacts, evaluate
from functions.domain.policy_source import load_policy
from functions.integration.data import request_store

if TYPE_CHECKING:  # stored items are read here, never built
    from functions.integration.tables import InterviewItem, RequestItem


def __getattr__(name: str) -> timedelta:
    # CANDIDATE_MINIMUM_NOTICE: the policy's default minimum notice for self-service (shown on the portal; a rule
    # may set another for particular requests). Computed on first access so that importing this module reads
    # no policy.
    if name == "CANDIDATE_MINIMUM_NOTICE":
        return timedelta(hours=load_policy().defaults.minimum_notice_hours)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _approver(person, role: str) -> Approver:
    return Approver(approver_id=person.person_id, name=person.name, email=person.email, role=role)


def facts_for(*, interview, initiator: Initiator, reason_code: str | None, now: datetime, starts_at: datetime,
              earlier_cancellations: int = 0, earlier_moves: int = 0) -> RequestFacts:
    return RequestFacts(
        initiator=initiator, reason_code=reason_code,
        job_level=getattr(interview, "job_level", None), department=getattr(interview, "department", None),
        candidate_source=getattr(interview, "candidate_source", None),
        hours_until=(starts_at - now).total_seconds() / 3600,
        earlier_cancellations=earlier_cancellations, earlier_moves=earlier_moves,
    )


def decide(*, interview, initiator: Initiator, reason_code: str | None, now: datetime, starts_at: datetime,
           sla_seconds: int, hr_email: str, earlier_cancellations: int = 0,
           earlier_moves: int = 0) -> PolicyDecision:
    """The policy's whole decision for this request: the route and the limits (minimum notice, reason text...).

    `sla_seconds` is the deployment's SLA, used when the matching rule sets none.
    """
    facts = facts_for(interview=interview, initiator=initiator, reason_code=reason_code, now=now,
                      starts_at=starts_at, earlier_cancellations=earlier_cancellations, earlier_moves=earlier_moves)
    people = People(recruiter=_approver(interview.recruiter, "recruiter"),
                    department_manager=_approver(interview.department_manager, "department_manager"),
                    hr_email=hr_email)
    return evaluate(load_policy(), facts, people=people, default_sla_seconds=sla_seconds)


def route_for(*, interview, initiator: Initiator, reason_code: str, now: datetime, starts_at: datetime,
              sla_seconds: int, hr_email: str, earlier_cancellations: int = 0, earlier_moves: int = 0) -> Route:
    """The route the workflow follows (the policy's decision without the limits)."""
    return decide(interview=interview, initiator=initiator, reason_code=reason_code, now=now, starts_at=starts_at,
                  sla_seconds=sla_seconds, hr_email=hr_email, earlier_cancellations=earlier_cancellations,
                  earlier_moves=earlier_moves).route


# ---- rebooking: whether "book a new time" is offered after a cancellation (read by the portal, mails and the
# waitlist, which must not need what moving an interview needs)

def rebooking_allowed(initiator: str, reason_code: str) -> bool:
    """Whether the policy lets a candidate book a new time after a cancellation for this reason (by whom)."""
    return load_policy().rebooking.allows(initiator, reason_code)


def cancellation_of(interview: InterviewItem, requests: list[RequestItem] | None = None) -> RequestItem | None:
    """The approved request that cancelled the interview (from the candidate's requests, when already read)."""
    if requests is None:
        requests = request_store.requests_of(interview.candidate_id)
    approved = [r for r in requests if r.interview_id == interview.interview_id and r.status == RequestStatus.APPROVED]
    return max(approved, key=lambda r: r.created_at, default=None)


def may_rebook(interview: InterviewItem, requests: list[RequestItem] | None = None) -> bool:
    """Whether "book a new time" is offered for this interview: cancelled, not rebooked, and the policy allows
    it after the reason it was cancelled for."""
    if interview.status != InterviewStatus.CANCELLED or interview.rebooked_slot_id:
        return False
    request = cancellation_of(interview, requests)
    return request is not None and rebooking_allowed(request.initiator, request.reason_code)
