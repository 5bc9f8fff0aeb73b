"""Where a cancellation request goes: a small set of rules in code.

The configurable policy engine replaces this module's `route_for` later; until then these are the rules:
- company-initiated: the job's department manager decides, escalating to HR;
- candidate-initiated schedule conflict with at least 24 h notice: approved automatically;
- any other candidate-initiated request: the job's recruiter decides, escalating to the department manager.
On the final timeout the request is approved: a candidate who cannot come should not be held to the slot.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from functions.shared.domain import Approver, Initiator, Outcome, Route

AUTO_APPROVE_NOTICE = timedelta(hours=24)
# Below this much notice a candidate cannot cancel by themselves and is told to call their recruiter.
CANDIDATE_MINIMUM_NOTICE = timedelta(hours=2)


def _approver(person, role: str) -> Approver:
    return Approver(approver_id=person.person_id, name=person.name, email=person.email, role=role)


def route_for(*, interview, initiator: Initiator, reason_code: str, now: datetime, starts_at: datetime,
              sla_seconds: int, hr_email: str) -> Route:
    notice = starts_at - now
    if initiator is Initiator.COMPANY:
        hr = Approver(approver_id="hr", name="HR", email=hr_email, role="admin")
        return Route(
            auto_approve=False,
            approvers=[_approver(interview.department_manager, "department_manager"), hr],
            sla_seconds=sla_seconds, default_outcome=Outcome.APPROVED, rule="company-initiated",
            why="company-initiated cancellations are decided by the department manager",
        )
    if reason_code == "schedule_conflict" and notice >= AUTO_APPROVE_NOTICE:
        return Route(
            auto_approve=True, sla_seconds=sla_seconds, default_outcome=Outcome.APPROVED,
            rule="schedule-conflict-with-notice",
            why=f"schedule conflict with {int(notice.total_seconds() // 3600)} h notice (>= 24 h) is approved automatically",
        )
    return Route(
        auto_approve=False,
        approvers=[_approver(interview.recruiter, "recruiter"),
                   _approver(interview.department_manager, "department_manager")],
        sla_seconds=sla_seconds, default_outcome=Outcome.APPROVED, rule="candidate-initiated",
        why="candidate-initiated cancellations are decided by the job's recruiter",
    )
