"""Satisfaction ratings from the outcome e-mail's link: one per request, counted on the day it is given."""

from __future__ import annotations

from functions.domain.measures import aggregates
from functions.integration import links
from functions.integration.data import counter_store
from functions.core.clock import now_iso

SCORES = range(1, 6)


def request_of(token: str) -> str:
    """The request a rating link is for; LinkInvalidError / LinkExpiredError otherwise."""
    return links.rated_request_of(token)


def record(token: str, score: int) -> bool:
    """Count the rating once per request. False if this request was rated already (the first rating stays)."""
    if score not in SCORES:
        raise ValueError(f"a rating is 1 to 5, not {score}")
    request_id = request_of(token)
    day = now_iso()[:10]
    return counter_store.count_once(f"rating#{request_id}", "rated", aggregates.merged(day, aggregates.rated(score)),
                            value=score)
