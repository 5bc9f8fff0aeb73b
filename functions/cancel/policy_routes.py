"""The routing policy editor: its page (GET /staff/policy) and its API (/api/staff/policy...), for HR admins only.

Another staff role is refused for its role (403) before anything is read. The work is in
functions/domain/workplace/policy_editor.py; a draft that fails the policy model is 422 with one error per problem, as
`interviews policy check` prints them, and changes nothing.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.core.i18n import catalog, translator
from functions.core.models import CandidateReason, CompanyReason, StaffRole
from functions.core.settings import get_settings
from functions.domain.workplace import policy_editor
from functions.domain.workplace.policy_editor import (DraftBody, PolicyState, Published, PublishBody, RollbackBody, Simulation,
                                            SimulateBody, Validation)
from functions.web.responses import (api_reader_locale, page, problem, staff_from_claims, staff_page_locale,
                                     staff_problem_responses)

router = APIGatewayRouter()
POLICY_EDITORS = frozenset({StaffRole.ADMIN})
VersionNumber = Annotated[int, Path(ge=1, le=10**7)]


def _admin():
    return staff_from_claims(router.current_event.request_context.authorizer.claims, POLICY_EDITORS)


@router.exception_handler(policy_editor.InvalidDraft)
def _invalid(invalid: policy_editor.InvalidDraft):
    locale = api_reader_locale((router.current_event.headers or {}).get("Accept-Language"))
    return problem(422, "Invalid policy", translator(locale)("problem.invalid_policy"),
                   [{"field": "policy", "in": "body", "message": line} for line in invalid.problems],
                   code="invalid_policy", locale=locale)


@router.get("/api/staff/policy", summary="The published routing policy and its versions", tags=["policy"],
            description="HR admins only. The first call stores the policy in force so far (the policy file) as "
                        "version 1.",
            responses={200: {"description": "The latest version, its YAML and structure, every version with its "
                                            "diff"}, **staff_problem_responses(401, 403, 503)})
def published_policy() -> PolicyState:
    _admin()
    return policy_editor.state()


@router.post("/api/staff/policy/validate", summary="Check a draft policy (the model of `interviews policy check`)",
             tags=["policy"], description="HR admins only. Changes nothing.",
             responses={200: {"description": "Whether the draft is valid, and its problems"},
                        **staff_problem_responses(401, 403, 422)})
def validate_draft(body: DraftBody) -> Validation:
    _admin()
    return policy_editor.validate(body.policy)


@router.post("/api/staff/policy/simulate", summary="Run a draft over the requests of the last days",
             tags=["policy"],
             description="HR admins only. Each request of the last `days` days is evaluated with the published "
                         "policy and with the draft; the answer lists those whose route would change, with counts. "
                         "Requests whose facts are gone (an erased candidate) are listed as not evaluated.",
             responses={200: {"description": "The simulation"}, **staff_problem_responses(401, 403, 422, 503)})
def simulate_draft(body: SimulateBody) -> Simulation:
    _admin()
    return policy_editor.simulate(body.policy, body.days)


@router.post("/api/staff/policy/versions", summary="Publish a draft as the next version", tags=["policy"],
             description="HR admins only. `base_version` is the version the draft was made from: if another was "
                         "published since, 409 `policy_version_conflict` and nothing is stored. Every function "
                         "routes by the new version within a minute.",
             responses={201: {"description": "Published"}, **staff_problem_responses(401, 403, 409, 422, 503)})
def publish_draft(body: PublishBody) -> tuple[Published, int]:
    staff = _admin()
    return policy_editor.publish(body.policy, body.base_version, actor=staff.actor,
                                 published_by=staff.email or staff.actor), 201


@router.post("/api/staff/policy/versions/<version>/rollback", summary="Publish an earlier version again",
             tags=["policy"],
             description="HR admins only. Publishes a copy of that version as the next version (409 when "
                         "`base_version` is not the latest any more; 404 for a version that does not exist).",
             responses={201: {"description": "Published"}, **staff_problem_responses(401, 403, 404, 409, 422, 503)})
def rollback_to(version: VersionNumber, body: RollbackBody) -> tuple[Published, int]:
    staff = _admin()
    return policy_editor.rollback(version, body.base_version, actor=staff.actor,
                                  published_by=staff.email or staff.actor), 201


# ---- the page --------------------------------------------------------------------------------------------------

@router.get("/staff/policy", include_in_schema=False)
def editor_page():
    locale = staff_page_locale(router.current_event)
    t = translator(locale)
    keys = ("rule", "move_up", "move_down", "remove", "moved", "valid", "invalid", "published", "conflict",
            "changed", "not_evaluated", "before", "after", "forbidden", "version", "rollback", "catch_all",
            "approver", "add_approver", "error", "role_recruiter", "role_department_manager", "group_hr", "diff")
    messages = catalog(locale)  # as written: the script fills in {name}, {version}...
    labels = {key: messages[f"policy.{key}"] for key in keys}
    labels["reason"] = {r.value: t(f"reason.{r.value}") for r in (*CandidateReason, *CompanyReason)}
    return page("pages/policy.html.j2", locale, title=t("policy.title"), labels=labels,
                sign_in_url=get_settings().staff_sign_in_url)
