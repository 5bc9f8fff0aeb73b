"""Candidate and staff routes. Each parses and authorizes the caller, calls one domain function, maps the result."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Header, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.cancel.views import interview_view
from functions.core.ids import ID_MAX_LENGTH, ID_PATTERN
from functions.cancel import request_view
from functions.cancel.request_view import CandidateRequestView
from functions.domain import cancellations, intake, moves, waitlist
from functions.integration.data import interview_store
from functions.core.models import (
    COMPANY_CANCELLERS,
    CandidateCancellation,
    CompanyCancellation,
    Initiator,
    InterviewCreated,
    InterviewScheduled,
    InterviewView,
    MoveBody,
    MoveReceipt,
    OpenRequest,
    Reapplication,
    RebookReceipt,
    Receipt,
    SlotsPublished,
    SlotView,
    StaffRequestView,
    StaffRole,
    WaitlistPlace,
)
from functions.web.responses import (
    ATS_REGISTER_SCOPE,
    candidate_from_authorization,
    machine_from_claims,
    problem_responses,
    staff_from_claims,
    staff_problem_responses,
    undecodable_body_problem,
)

router = APIGatewayRouter()
# Powertools' validation decodes the body before any route runs; bytes that are not UTF-8 must not become a 5xx.
router.exception_handler(UnicodeDecodeError)(undecodable_body_problem)

IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=8, max_length=128,
                                       description="Any unique string per intended request; repeat it to retry")]
Identifier = Annotated[str, Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]


def _authorization() -> str | None:
    return router.current_event.headers.get("Authorization")


def _claims() -> dict | None:
    return router.current_event.request_context.authorizer.claims


# ---- candidate ----------------------------------------------------------------------------------------------------

@router.get("/api/candidate/interviews", summary="My interviews", tags=["candidate"],
            responses={200: {"description": "My interviews"}, **problem_responses(401, 403, 410, 422)})
def my_interviews() -> list[InterviewView]:
    candidate_id = candidate_from_authorization(_authorization())
    interviews = interview_store.interviews_of(candidate_id)
    pending = request_view.own_pending_requests(interviews)
    return [interview_view(i, pending.get(i.interview_id)) for i in interviews]


@router.post("/api/candidate/interviews/<interview_id>/cancellations", summary="Cancel my interview",
             tags=["candidate"],
             responses={202: {"description": "Received"}, **problem_responses(401, 403, 404, 409, 410, 422, 503)})
def cancel_my_interview(interview_id: Identifier, body: CandidateCancellation,
                        idempotency_key: IdempotencyKey) -> tuple[Receipt, int]:
    candidate_id = candidate_from_authorization(_authorization())
    receipt = cancellations.submit(
        interview_id=interview_id, initiator=Initiator.CANDIDATE, actor=f"candidate:{candidate_id}",
        reason_code=body.reason_code.value, reason_text=body.reason_text, idempotency_key=idempotency_key,
        candidate_id=candidate_id,
    )
    return receipt, 202


@router.get("/api/candidate/requests/<request_id>", summary="Where my request stands", tags=["candidate"],
            responses={200: {"description": "The request"}, **problem_responses(401, 403, 404, 410, 422)})
def my_request(request_id: Identifier) -> CandidateRequestView:
    candidate_id = candidate_from_authorization(_authorization())
    return request_view.view(request_id, candidate_id)


@router.get("/api/candidate/interviews/<interview_id>/slots", summary="Free slots I may move my interview to",
            tags=["candidate"],
            responses={200: {"description": "Free slots"}, **problem_responses(401, 403, 404, 410, 422)})
def slots_for_my_interview(interview_id: Identifier) -> list[SlotView]:
    candidate_id = candidate_from_authorization(_authorization())
    return moves.open_slots(interview_id, candidate_id)


@router.post("/api/candidate/interviews/<interview_id>/moves", summary="Move my interview to another slot",
             tags=["candidate"],
             responses={200: {"description": "Moved (or already moved there: a retry)"},
                        **problem_responses(401, 403, 404, 409, 410, 422, 503)})
def move_my_interview(interview_id: Identifier, body: MoveBody) -> MoveReceipt:
    candidate_id = candidate_from_authorization(_authorization())
    return moves.move(interview_id, candidate_id, body.slot_id)


@router.post("/api/candidate/interviews/<interview_id>/rebookings",
             summary="After a cancellation, book a new time (a free slot of the same job)", tags=["candidate"],
             description="Allowed after the cancellations the policy names (`rebooking`; by default every "
                         "candidate-initiated reason, no company-initiated one): otherwise 409 "
                         "`rebook_not_allowed` and nothing is booked.",
             responses={200: {"description": "The new interview is booked; the invitation follows"},
                        **problem_responses(401, 403, 404, 409, 410, 422, 503)})
def rebook_my_interview(interview_id: Identifier, body: MoveBody) -> RebookReceipt:
    candidate_id = candidate_from_authorization(_authorization())
    return moves.rebook(interview_id, candidate_id, body.slot_id)


@router.put("/api/candidate/jobs/<job_id>/waitlist", summary="Join the waitlist of a job", tags=["candidate"],
            description="After a cancellation that allows booking a new time, when no free time suits: the candidate "
                        "is offered released slots of the job in line order. Otherwise 409 `waitlist_not_allowed`.",
            responses={200: {"description": "On the waitlist (already there: the place is kept)"},
                       **problem_responses(401, 403, 404, 409, 410, 422)})
def join_waitlist(job_id: Identifier) -> WaitlistPlace:
    candidate_id = candidate_from_authorization(_authorization())
    waitlist.join_from_portal(candidate_id, job_id)
    return WaitlistPlace(job_id=job_id, waiting=True)


@router.delete("/api/candidate/jobs/<job_id>/waitlist", summary="Leave the waitlist of a job", tags=["candidate"],
               responses={200: {"description": "Not on the waitlist (any more)"},
                          **problem_responses(401, 403, 404, 410, 422)})
def leave_waitlist(job_id: Identifier) -> WaitlistPlace:
    candidate_id = candidate_from_authorization(_authorization())
    waitlist.leave_from_portal(candidate_id, job_id)
    return WaitlistPlace(job_id=job_id, waiting=False)


# ---- staff --------------------------------------------------------------------------------------------------------

@router.post("/api/staff/interviews", summary="Register a scheduled interview (the ATS only)", tags=["ats"],
             description="For the ATS's machine identity: an access token of the user pool's ATS app client "
                         "(client credentials) with the scope `interviews-ats/interviews.register`. Staff tokens "
                         "are refused. The answer holds the candidate's personal link; the invitation follows.",
             responses={201: {"description": "Created"}, 200: {"description": "Already registered (a replay)"},
                        **staff_problem_responses(401, 403, 409, 422, 503)})
def register_interview(body: InterviewScheduled) -> tuple[InterviewCreated, int]:
    ats = machine_from_claims(_claims(), ATS_REGISTER_SCOPE)
    created, is_new = intake.register(body, actor=ats.actor)
    intake.announce(body)
    return created, 201 if is_new else 200


@router.post("/api/staff/interviews/<interview_id>/cancellations", summary="Company-initiated cancellation",
             tags=["staff"],
             responses={202: {"description": "Received"}, **staff_problem_responses(401, 403, 404, 409, 422, 503)})
def cancel_for_company(interview_id: Identifier, body: CompanyCancellation,
                       idempotency_key: IdempotencyKey) -> tuple[Receipt, int]:
    # Separation of duties: the department manager decides company-initiated cancellations, so may not start one.
    staff = staff_from_claims(_claims(), COMPANY_CANCELLERS)
    receipt = cancellations.submit(
        interview_id=interview_id, initiator=Initiator.COMPANY, actor=staff.actor,
        reason_code=body.reason_code.value, reason_text=body.reason_text, idempotency_key=idempotency_key,
        scope=staff.scope(COMPANY_CANCELLERS),
    )
    return receipt, 202


@router.get("/api/staff/requests", summary="Open requests (not yet final) of the last two weeks", tags=["staff"],
            responses={200: {"description": "Open requests within the caller's scope, newest first"},
                       **staff_problem_responses(401, 403)})
def open_requests() -> list[OpenRequest]:
    return cancellations.open_requests(scope=staff_from_claims(_claims()).scope())


@router.get("/api/staff/reapplications",
            summary="Interviews of the last two weeks for candidates who cancelled before", tags=["staff"],
            responses={200: {"description": "Returning candidates within the caller's scope, newest first, each "
                                            "with the reasons of the earlier cancellations"},
                       **staff_problem_responses(401, 403)})
def reapplications() -> list[Reapplication]:
    return intake.reapplications(scope=staff_from_claims(_claims()).scope())


@router.get("/api/staff/requests/<request_id>", summary="A request with its audit trail", tags=["staff"],
            responses={200: {"description": "The request"}, **staff_problem_responses(401, 403, 404, 422)})
def staff_request(request_id: Identifier) -> StaffRequestView:
    return cancellations.staff_view(request_id, scope=staff_from_claims(_claims()).scope())


@router.post("/api/staff/jobs/<job_id>/slots", summary="Open slots of a job for booking and moves", tags=["staff"],
             responses={201: {"description": "The job's slots now open (new and already open)"},
                        **staff_problem_responses(401, 403, 404, 422)})
def publish_slots(job_id: Identifier, body: SlotsPublished) -> tuple[list[SlotView], int]:
    # The job's recruiter is known from the job data of its registered interviews; a job without any is the
    # admin's to open (functions/domain/scopes.py).
    slot_openers = frozenset({StaffRole.RECRUITER, StaffRole.ADMIN})
    staff_from_claims(_claims(), slot_openers).scope(slot_openers).require_job(job_id)
    return moves.publish_slots(job_id, body.starts_at), 201
