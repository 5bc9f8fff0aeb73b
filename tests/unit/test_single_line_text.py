"""Names, job titles and other single-line text refuse control characters where they enter: one model guards the
staff API and the InterviewScheduled events on the bus, so a CR/LF never reaches a mail header or a calendar."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from functions.core.models import CandidateCancellation, CandidateWaitlisted, InterviewScheduled

EVENTS = Path(__file__).resolve().parent.parent / "events"
GOOD = json.loads((EVENTS / "interview_scheduled.json").read_text())

FIELDS = [("candidate", "name"), ("candidate", "phone"), ("candidate", "timezone"), ("candidate", "source"),
          ("job", "title"), ("job", "level"), ("job", "department"), ("job", "recruiter", "name"),
          ("job", "department_manager", "name"), ("interviewer", "name"), ("completed_parts", 0)]
CONTROLS = {"CR LF": "\r\n", "LF": "\n", "CR": "\r", "TAB": "\t", "NUL": "\x00", "ESC": "\x1b", "DEL": "\x7f",
            "NEL (C1)": "\x85", "CSI (C1)": "\x9b", "line separator": "\u2028", "paragraph separator": "\u2029"}


def _with(path: tuple, value: str) -> dict:
    event = copy.deepcopy(GOOD)
    event.setdefault("completed_parts", ["intro"])
    target = event
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return event


@pytest.mark.parametrize("path", FIELDS, ids=lambda p: ".".join(map(str, p)))
@pytest.mark.parametrize("control", CONTROLS.values(), ids=CONTROLS.keys())
def test_a_control_character_in_a_single_line_field_is_refused_naming_that_field(path, control):
    # GIVEN an otherwise valid interview whose field carries a control character in the middle of its text
    event = _with(path, f"Senior{control}Engineer")
    # WHEN it is validated, as the staff API and the bus's consumer both do
    with pytest.raises(ValidationError) as refused:
        InterviewScheduled.model_validate(event)
    # THEN it is refused, and the only error names exactly that field and says why
    errors = refused.value.errors()
    assert [e["loc"] for e in errors] == [path]
    assert "control characters" in errors[0]["msg"]


@pytest.mark.parametrize("text", ["李伟", "José Ñúñez-O'Brien", "Müller & Söhne (R&D)", "Ivan «Ваня» Petrov",
                                  "Senior Engineer – Platform / 平台", "😀 emoji", "a" * 200])
def test_ordinary_names_in_any_script_with_punctuation_are_accepted_unchanged(text):
    # GIVEN names and titles in several scripts, with punctuation, symbols and the maximum length
    event = _with(("job", "title"), text)
    event["candidate"]["name"] = text[:200]
    # WHEN validated
    interview = InterviewScheduled.model_validate(event)
    # THEN they are kept exactly as sent
    assert interview.job.title == text and interview.candidate.name == text[:200]


def test_a_waitlisted_candidates_name_refuses_a_line_break_too():
    # GIVEN a CandidateWaitlisted event whose candidate name carries a CR/LF (the other inbound event with a name)
    event = {"job_id": "job-1", "candidate": {"candidate_id": "c-1", "name": "Li\r\nWei", "email": "li@example.com"}}
    # WHEN validated
    with pytest.raises(ValidationError) as refused:
        CandidateWaitlisted.model_validate(event)
    # THEN the error names the field
    assert [e["loc"] for e in refused.value.errors()] == [("candidate", "name")]


def test_multi_line_free_text_such_as_a_cancellation_reason_keeps_its_line_breaks():
    # GIVEN a candidate's reason text over two lines (a paragraph, not a name)
    # WHEN it is validated
    body = CandidateCancellation(reason_code="other", reason_text="Family matter.\nI will rebook next week.")
    # THEN it is accepted as written
    assert body.reason_text == "Family matter.\nI will rebook next week."
