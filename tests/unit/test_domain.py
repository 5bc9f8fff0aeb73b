"""Request bodies: reasons per initiator, 'other' needs a text, interviews need a timezone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from functions.core.models import CandidateCancellation, CompanyCancellation, InterviewScheduled

EVENTS = Path(__file__).resolve().parent.parent / "events"


@pytest.mark.parametrize("model, code", [
    (CandidateCancellation, "schedule_conflict"), (CandidateCancellation, "job_mismatch"),
    (CandidateCancellation, "emergency"), (CandidateCancellation, "illness"),
    (CompanyCancellation, "position_paused"), (CompanyCancellation, "scheduling_error"),
    (CompanyCancellation, "duplicate_booking"), (CompanyCancellation, "screening_failed"),
    (CompanyCancellation, "interviewer_unavailable"),
])
def test_every_listed_reason_is_accepted_without_text(model, code):
    assert model(reason_code=code).reason_code.value == code


@pytest.mark.parametrize("model", [CandidateCancellation, CompanyCancellation])
@pytest.mark.parametrize("text", [None, "", "   "])
def test_other_needs_a_text_and_the_error_names_the_field(model, text):
    with pytest.raises(ValidationError) as error:
        model(reason_code="other", reason_text=text)
    assert error.value.errors()[0]["loc"] == ("reason_text",)


def test_company_reasons_are_not_candidate_reasons():
    with pytest.raises(ValidationError):
        CandidateCancellation(reason_code="position_paused")


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError):
        CandidateCancellation(reason_code="illness", approve=True)


def test_an_interview_without_a_timezone_is_refused():
    event = json.loads((EVENTS / "interview_scheduled.json").read_text())
    event["starts_at"] = "2030-01-15T06:00:00"
    with pytest.raises(ValidationError, match="timezone"):
        InterviewScheduled.model_validate(event)

