"""Keeping a candidate whose cancellation was rejected: a message drafted from the policy's retention template
(the rule's `retention_template`), edited by the approver, sent to the candidate once, and audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.core.clock import local_text
from functions.core.i18n import catalog, locale_of, translator

if TYPE_CHECKING:  # stored items are read here, never built: the data access builds them
    from functions.integration.tables import CandidateItem, InterviewItem, RequestItem

DEFAULT_TEMPLATE = "retention-default"


def draft(request: RequestItem, interview: InterviewItem, candidate: CandidateItem | None) -> str:
    """The starting point, in the candidate's language: the template's text with this request's details."""
    locale = locale_of(candidate.locale if candidate else None)
    t = translator(locale)
    key = f"retention.{request.retention_template or DEFAULT_TEMPLATE}"
    if key not in catalog(locale):  # a policy may name a template this deployment has no text for
        key = f"retention.{DEFAULT_TEMPLATE}"
    return t(key, name=candidate.name if candidate else "", job_title=interview.job_title,
             starts_at=local_text(interview.starts_at, candidate.timezone if candidate else None),
             reason=t(f"reason.{request.reason_code}"), contact=interview.recruiter.email)
