"""Data-rights routes: an HR admin exports or erases everything stored about a candidate; a candidate withdraws
their consent to text messages (from the portal's control, which calls this with their personal token).

Export and erasure are for HR admins only: another role is refused before anything is read (403), and an unknown
candidate is 404. The domain work is in functions/domain/privacy.py.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.core.ids import ID_MAX_LENGTH, ID_PATTERN
from functions.core.models import StaffRole
from functions.domain import privacy
from functions.web.responses import (candidate_from_authorization, problem_responses, staff_from_claims,
                                     staff_problem_responses)

router = APIGatewayRouter()
DATA_RIGHTS = frozenset({StaffRole.ADMIN})
CandidateId = Annotated[str, Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]


def _admin():
    return staff_from_claims(router.current_event.request_context.authorizer.claims, DATA_RIGHTS)


@router.get("/api/staff/candidates/<candidate_id>/export", summary="Everything stored about a candidate (JSON)",
            tags=["staff"], description="HR admins only. What each part means: docs/privacy.md.",
            responses={200: {"description": "The candidate's data as stored (after an erasure: what is left)"},
                       **staff_problem_responses(401, 403, 404, 422)})
def export_candidate(candidate_id: CandidateId) -> dict:
    _admin()
    return privacy.export(candidate_id)


@router.post("/api/staff/candidates/<candidate_id>/erasure",
             summary="Erase a candidate's personal data from every table", tags=["staff"],
             description="HR admins only. Idempotent: asking again answers the same. The audit keeps pseudonymous "
                         "ids and still verifies; later events about the candidate send nothing.",
             responses={200: {"description": "Erased (now or earlier: the same answer)"},
                        **staff_problem_responses(401, 403, 404, 422, 503)})
def erase_candidate(candidate_id: CandidateId) -> privacy.Erasure:
    return privacy.erase(candidate_id, actor=_admin().actor)


@router.post("/api/candidate/sms-consent/withdrawal", summary="Stop text messages to me", tags=["candidate"],
             responses={200: {"description": "No more texts (also when there were none to stop)"},
                        **problem_responses(401, 403, 404, 410, 503)})
def withdraw_sms_consent() -> privacy.SmsConsent:
    candidate_id = candidate_from_authorization(router.current_event.headers.get("Authorization"))
    return privacy.withdraw_sms_consent(candidate_id)
