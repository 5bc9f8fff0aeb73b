"""The staff console's approvals: what is waiting for the signed-in staff member, and deciding it there.

The decision is the e-mailed link's decision (functions.domain.approvals.record_and_hand_over): once only, audited,
handed to the waiting workflow. These routes live in the approve function because it alone may hand decisions to
the workflow (infra/constructs/functions.py); they answer JSON, as the rest of the staff API does.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, ConfigDict, Field

from functions.core.ids import ID_MAX_LENGTH, ID_PATTERN
from functions.core.models import Decision, Outcome
from functions.domain import approvals
from functions.web.responses import staff_from_claims, staff_problem_responses

router = APIGatewayRouter()

Identifier = Annotated[str, Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]


class ConsoleDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Decision
    comment: str | None = Field(None, max_length=2000)


class DecisionReceipt(BaseModel):
    request_id: str
    outcome: Outcome


class WaitingApproval(BaseModel):
    request_id: str
    interview_id: str
    level: int
    approver_role: str
    opened_at: str
    due_at: str
    job_title: str
    department: str
    candidate_name: str
    starts_at: str
    initiator: str
    reason_code: str
    reason_text: str | None = None


def _claims() -> dict | None:
    return router.current_event.request_context.authorizer.claims


@router.get("/api/staff/approvals", summary="Approvals waiting for me", tags=["staff"],
            description="The open approvals assigned to the signed-in staff member (by person id; HR's to admins; "
                        "a job's role no person was known for to that role within its reach), any level, newest "
                        "first.",
            responses={200: {"description": "Waiting for me, newest first"}, **staff_problem_responses(401, 403)})
def waiting_for_me() -> list[WaitingApproval]:
    scope = staff_from_claims(_claims()).scope()
    return [WaitingApproval(
        request_id=w.request.request_id, interview_id=w.request.interview_id, level=int(w.approval.level),
        approver_role=w.approval.approver_role, opened_at=w.approval.opened_at, due_at=w.approval.due_at,
        job_title=w.interview.job_title if w.interview else "", department=w.interview.department if w.interview else "",
        candidate_name=w.candidate.name if w.candidate else "",
        starts_at=w.interview.starts_at if w.interview else "", initiator=w.request.initiator,
        reason_code=w.request.reason_code, reason_text=w.request.reason_text,
    ) for w in approvals.waiting_for_me(scope)]


@router.post("/api/staff/approvals/<request_id>/decision", summary="Decide a request waiting for me",
             tags=["staff"],
             description="The same decision as the e-mailed approval link: once only (then 409 `already_decided`, "
                         "here and on the link), audited with the staff member as actor, handed to the workflow.",
             responses={200: {"description": "Decided"},
                        **staff_problem_responses(401, 403, 404, 409, 410, 422, 503)})
def decide(request_id: Identifier, body: ConsoleDecision) -> DecisionReceipt:
    staff = staff_from_claims(_claims())
    outcome = approvals.decide_in_console(request_id, staff.scope(), staff.actor, body.decision,
                                          (body.comment or "").strip() or None)
    return DecisionReceipt(request_id=request_id, outcome=outcome)
