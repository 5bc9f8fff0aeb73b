"""The small rule set that routes a request until the policy engine replaces it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from functions.core.models import Initiator
from functions.domain.interview_policy import route_for

NOW = datetime(2030, 1, 1, 9, 0, tzinfo=timezone.utc)
PEOPLE = SimpleNamespace(
    recruiter=SimpleNamespace(person_id="rec-1", name="R", email="r@example.com"),
    department_manager=SimpleNamespace(person_id="mgr-1", name="M", email="m@example.com"),
)


@pytest.mark.parametrize("initiator, reason, notice, auto, chain", [
    (Initiator.CANDIDATE, "schedule_conflict", timedelta(hours=24), True, []),
    (Initiator.CANDIDATE, "schedule_conflict", timedelta(hours=23, minutes=59), False, ["rec-1", "mgr-1"]),
    (Initiator.CANDIDATE, "illness", timedelta(days=5), False, ["rec-1", "mgr-1"]),
    (Initiator.CANDIDATE, "other", timedelta(days=5), False, ["rec-1", "mgr-1"]),
    (Initiator.COMPANY, "position_paused", timedelta(days=5), False, ["mgr-1", "hr"]),
    (Initiator.COMPANY, "schedule_conflict", timedelta(days=5), False, ["mgr-1", "hr"]),
])
def test_route_table(initiator, reason, notice, auto, chain):
    route = route_for(interview=PEOPLE, initiator=initiator, reason_code=reason, now=NOW, starts_at=NOW + notice,
                      sla_seconds=3600, hr_email="hr@example.com")
    assert route.auto_approve is auto
    assert [a.approver_id for a in route.approvers] == chain
    assert route.rule and route.why  # every route says which rule and why
