"""What candidates do before their interview (the risk model's strongest signals), seen through tracked links.

The portal links the AI interview, the job description and the company introduction through a redirect that
notes the first time each was followed, on the interview itself (`<behaviour>_at`), and announces it on the bus
(CandidateActed) for analytics. Following a link never changes the interview or any request.
"""

from __future__ import annotations

from datetime import datetime

from functions.integration import events
from functions.integration.data import interview_store
from functions.core.clock import to_iso, utc_now
from functions.core.models import Behaviour
from functions.core.errors import NotFoundError
from functions.core.observability import logger

# The path segment of a tracked link -> what following it means, and the interview attribute with the target.
TARGETS: dict[str, tuple[Behaviour, str]] = {
    "ai-interview": (Behaviour.CLICKED_LINK, "ai_interview_url"),
    "job-description": (Behaviour.VIEWED_JD, "description_url"),
    "company-intro": (Behaviour.DOWNLOADED_INTRO, "company_intro_url"),
}


def follow(candidate_id: str, interview_id: str, target: str, now: datetime | None = None) -> str:
    """Record that the candidate followed the link (first time only) and return where it leads."""
    if target not in TARGETS:
        raise NotFoundError("No such link.", code="link_not_found")
    behaviour, url_attribute = TARGETS[target]
    interview = interview_store.get_interview(interview_id)
    url = getattr(interview, url_attribute, None) if interview else None
    if interview is None or interview.candidate_id != candidate_id or not url:
        raise NotFoundError("No such link.", code="link_not_found")
    at = to_iso(now or utc_now())
    if interview_store.record_behaviour(interview_id, candidate_id, f"{behaviour.value}_at", at):
        try:
            events.publish("CandidateActed", {"interview_id": interview_id, "candidate_id": candidate_id,
                                              "behaviour": behaviour.value, "at": at})
        except Exception:  # noqa: BLE001 - the interview keeps the fact; the candidate must still get there
            logger.exception("behaviour event not published", extra={"behaviour": behaviour.value})
    return url
