"""A candidate's data rights (GDPR Art. 15, 17, 20 and 7(3); PIPL Art. 45, 47 and 15): everything stored about
them exported as JSON, their personal data erased on request or after the deployment's retention period, and their
consent to text messages withdrawn. docs/privacy.md says what is stored where and what each step removes.

An erased candidate stays as a pseudonymous tombstone (their id and when they were erased): that is what makes every
later event about them send nothing (is_erased), and what keeps the audit trails, which name candidates by id
only, verifiable without changing an entry.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from functions.core.clock import from_iso, to_iso, utc_now
from functions.core.errors import NotFoundError
from functions.core.models import AuditEntry, InterviewStatus
from functions.core.observability import logger
from functions.core.settings import get_settings
from functions.integration.data import candidate_store, interview_store, privacy_store, suppression_store

CANDIDATE_NOT_FOUND = "candidate_not_found"
RETENTION_ACTOR = "policy:retention"


class Erasure(BaseModel):
    """The answer to an erasure, the same however often it is asked."""

    candidate_id: str
    erased_at: str


class SmsConsent(BaseModel):
    candidate_id: str
    sms_opt_in: bool


def trail_id(candidate_id: str) -> str:
    """The candidate's own audit trail (contact changes, consent, erasure); requests have theirs."""
    return f"candidate:{candidate_id}"


def is_erased(candidate_id: str | None) -> bool:
    if not candidate_id:
        return False
    candidate = candidate_store.get_candidate(candidate_id)
    return bool(candidate is not None and candidate.erased_at)


def _json(value):
    """A stored value as JSON: maps (people, cancellation records) as objects, sets as sorted lists."""
    if hasattr(value, "attribute_values"):
        return {k: _json(v) for k, v in value.attribute_values.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def _plain(item, leave_out: tuple[str, ...] = ()) -> dict:
    return {k: _json(v) for k, v in item.attribute_values.items() if k not in leave_out}


def _entries(items) -> list[dict]:
    return [{"at": i.at, "actor": i.actor, "action": i.action, "from_status": i.from_status,
             "to_status": i.to_status, "why": i.why} for i in items]


def export(candidate_id: str) -> dict:
    """Everything stored about the candidate, as JSON-ready data. An erased candidate's is what is left."""
    found = privacy_store.footprint(candidate_id, trail_id(candidate_id))
    if found.profile is None:
        raise NotFoundError("No such candidate.", code=CANDIDATE_NOT_FOUND)
    # An erased profile is a tombstone: its model's defaults (language, timezone) are not data about anyone.
    profile = {} if found.profile.erased_at else _plain(
        found.profile, ("candidate_id", "erased_at", "link_version", "cancelled_request_ids"))
    return {
        "candidate_id": candidate_id,
        "exported_at": to_iso(utc_now()),
        "erased_at": found.profile.erased_at,
        "profile": profile,
        "interviews": [_plain(i) for i in found.interviews],
        "requests": [{**_plain(r, ("route_json",)), "audit": _entries(found.trails.get(r.request_id, [])),
                      # the decision of the request's approval; approvers' own details and the workflow's task
                      # token are not the candidate's data
                      "approvals": [{"level": int(a.level), "decision": a.decision, "decided_at": a.decided_at,
                                     "comment": a.comment}
                                    for a in [found.approvals.get(r.request_id)] if a is not None]}
                     for r in found.requests],
        "contact_trail": _entries(found.trails.get(trail_id(candidate_id), [])),
        "waitlist": [_plain(w) for w in found.waitlist],
        "offers": [_plain(o) for o in found.offers],
        "suppressed": found.suppressed,
    }


def erase(candidate_id: str, actor: str) -> Erasure:
    """Remove the candidate's personal data from every table. Asking again answers the same (and completes an
    erasure that stopped halfway)."""
    found = privacy_store.footprint(candidate_id, trail_id(candidate_id))
    if found.profile is None:
        raise NotFoundError("No such candidate.", code=CANDIDATE_NOT_FOUND)
    if found.profile.email:
        suppression_store.pseudonymise(found.profile.email, candidate_id)
    at = to_iso(utc_now())
    erased_at = privacy_store.mark_erased(candidate_id, at, trail_id(candidate_id), AuditEntry(
        at=at, actor=actor, action="erased", why="personal data erased; links revoked"))
    privacy_store.strip(candidate_id, found)
    # Ids only: this is about a person, and logs must not name them.
    logger.info("candidate erased", extra={"candidate_id": candidate_id, "first_time": erased_at == at})
    return Erasure(candidate_id=candidate_id, erased_at=erased_at or at)


def withdraw_sms_consent(candidate_id: str) -> SmsConsent:
    """No more text messages to the candidate. Safe to repeat; recorded in their audit trail once."""
    candidate = candidate_store.get_candidate(candidate_id)
    if candidate is None:
        raise NotFoundError("No such candidate.", code=CANDIDATE_NOT_FOUND)
    candidate_store.withdraw_sms_consent(candidate_id, trail_id(candidate_id), AuditEntry(
        at=to_iso(utc_now()), actor=f"candidate:{candidate_id}", action="sms_consent_withdrawn"))
    return SmsConsent(candidate_id=candidate_id, sms_opt_in=False)


def _finished_before(candidate_id: str, cutoff: datetime) -> bool:
    """All of the candidate's interviews ended before `cutoff` with no cancellation being decided (and there is
    at least one)."""
    interviews = interview_store.interviews_of(candidate_id)
    return bool(interviews) and all(
        from_iso(i.starts_at) + timedelta(minutes=int(i.duration_minutes)) < cutoff
        and i.status != InterviewStatus.CANCELLATION_PENDING.value for i in interviews)


def apply_retention(now: datetime) -> dict:
    """The nightly run: erase every candidate whose interviews all ended more than RETENTION_DAYS ago."""
    days = get_settings().retention_days
    if days is None:
        return {"retention_days": None, "erased": 0}
    cutoff = now - timedelta(days=days)
    erased = 0
    for candidate_id, erased_at in privacy_store.candidate_ids():
        if erased_at is None and _finished_before(candidate_id, cutoff):
            erase(candidate_id, RETENTION_ACTOR)
            erased += 1
    result = {"retention_days": days, "erased": erased}
    logger.info("retention run", extra=result)
    return result
