"""The event schemas: valid draft 2020-12, one per detail-type on the bus, documented, and in agreement with the
models that read the inbound events."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from functions.core.ids import ID_MAX_LENGTH, ID_PATTERN, PERSON_ID_PATTERN
from functions.core.models import CandidateReason, CompanyReason, InterviewScheduled
from functions.domain.waitlist import CandidateWaitlisted
from infra import topology

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "functions" / "integration" / "schemas"
DOCS = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
SES_FEEDBACK = {"Email Bounced", "Email Complaint Received"}  # SES's own events, documented by AWS


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.v1.json").read_text(encoding="utf-8"))


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER)


ALL = sorted(p.name.removesuffix(".v1.json") for p in SCHEMAS.glob("*.v1.json"))


def _published() -> set[str]:
    """Every detail type our code puts on the bus (events.publish("...", ...) calls)."""
    found = set()
    for path in (ROOT / "functions").rglob("*.py"):
        found |= set(re.findall(r"""events\.publish\(\s*["'](\w+)["']""", path.read_text(encoding="utf-8")))
    return found


def test_every_detail_type_on_the_bus_has_a_schema_and_every_schema_is_documented():
    routed = {t for rule in topology.RULES for t in rule.detail_types} - SES_FEEDBACK
    published = _published()
    assert {"InterviewMoved", "CandidateActed"} <= published  # the scan finds the calls
    assert routed | published == set(ALL)
    for name in ALL:
        assert f"`{name}`" in DOCS and f"functions/integration/schemas/{name}.v1.json" in DOCS, name


@pytest.mark.parametrize("name", ALL)
def test_each_schema_is_valid_versioned_and_accepts_its_examples(name):
    document = schema(name)
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"].endswith(f"/{name}.v1.json")
    assert document["properties"]["version"] == {**document["properties"]["version"], "const": "1"}
    assert document["examples"] and all(validator(name).is_valid(e) for e in document["examples"])


def _broken_interviews() -> list[dict]:
    good = json.loads((ROOT / "tests" / "events" / "interview_scheduled.json").read_text())
    broken = []
    for path, value in [(("candidate", "email"), None), (("job", "recruiter", "extra"), "x"),
                        (("duration_minutes",), 2), (("candidate", "locale"), "fr CA"),
                        (("candidate", "locale"), "zh-" + "-".join(["abcd1234"] * 4)), (("candidate", "locale"), "fr-"), (("surprise",), 1),
                        (("slot_id",), "has space"), (("job", "title"), "Engineer\r\nBcc: x@example.com"),
                        (("candidate", "name"), "Li\x00Wei")]:
        event = copy.deepcopy(good)
        target = event
        for key in path[:-1]:
            target = target[key]
        if value is None:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        broken.append((event, False))
    ats = {"uid": "7kukuqrfedlm2f9t0vr1fmk5cm@google.com", "sequence": 2, "organizer": "chen.jing@company.example.com"}
    calendars = [({**good, "calendar": ats}, True),
                 ({**good, "calendar": {k: v for k, v in ats.items() if k != "sequence"}}, True),
                 ({**good, "calendar": {k: v for k, v in ats.items() if k != "uid"}}, False),
                 ({**good, "calendar": {**ats, "uid": "has space@ats"}}, False),
                 ({**good, "calendar": {**ats, "sequence": -1}}, False),
                 ({**good, "calendar": {**ats, "organizer": "not-an-address"}}, False),
                 ({**good, "calendar": {**ats, "method": "REQUEST"}}, False)]
    # A language tag we have no messages for is still valid: it is kept, and readers fall back.
    languages_we_lack = [({**good, "candidate": {**good["candidate"], "locale": tag}}, True)
                         for tag in ("fr-CA", "zh-Hant-HK", "sr-Latn-RS", "de")]
    return [(good, True), ({**good, "version": "1", "candidate": {**good["candidate"], "sms_opt_in": True}}, True),
            *languages_we_lack, *broken, *calendars]


@pytest.mark.parametrize("event, valid", _broken_interviews())
def test_the_interview_scheduled_schema_and_model_agree(event, valid):
    # The schema is what the ATS codes against; the model is what we accept: they must give the same answer.
    try:
        InterviewScheduled.model_validate({k: v for k, v in event.items() if k != "version"})
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted is valid
    assert validator("InterviewScheduled").is_valid(event) is valid


def test_the_waitlist_schema_and_model_agree():
    good = schema("CandidateWaitlisted")["examples"][0]
    bad = {**good, "candidate": {**good["candidate"], "email": "not-an-address"}}
    assert validator("CandidateWaitlisted").is_valid(good) and CandidateWaitlisted.model_validate(good)
    assert not validator("CandidateWaitlisted").is_valid(bad)
    with pytest.raises(ValidationError):
        CandidateWaitlisted.model_validate(bad)


def test_the_docs_warn_that_approval_requests_carry_the_task_token():
    section = DOCS[DOCS.index("### `ApprovalRequested`"):]
    section = section[:section.index("\n### ", 1)]
    assert re.search(r"task token", section) and re.search(r"must not", section)


@pytest.mark.parametrize("name", ["CancellationRequested", "CancellationApproved", "CancellationRejected"])
def test_the_reason_codes_of_each_cancellation_schema_are_exactly_the_domain_reasons(name):
    # Given the reasons the domain knows (the one source: functions/core/models.py)
    known = {r.value for r in CandidateReason} | {r.value for r in CompanyReason}
    # When a schema's reason list is read
    listed = set(schema(name)["properties"]["reason_code"]["enum"])
    # Then it lists every domain reason and nothing else, and its description names each of them
    assert listed == known
    description = schema(name)["properties"]["reason_code"]["description"]
    assert all(code in description for code in known)
    # and the event documentation names each too
    assert all(f"`{code}`" in DOCS for code in known)


def test_every_identifier_in_every_schema_uses_the_one_identifier_pattern():
    # Given every published schema
    patterns = set()

    def collect(node):
        if isinstance(node, dict):
            if "pattern" in node and node.get("type") == "string" and node["pattern"].startswith("^[A-Za-z0-9"):
                patterns.add((node["pattern"], node.get("maxLength")))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    for path in SCHEMAS.glob("*.json"):
        collect(json.loads(path.read_text(encoding="utf-8")))
    # Then the identifiers found there use exactly the domain's patterns and length
    assert patterns == {(ID_PATTERN, ID_MAX_LENGTH), (PERSON_ID_PATTERN, ID_MAX_LENGTH)}
