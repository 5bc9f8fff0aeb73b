"""Registering interviews is the ATS's job: its machine identity only, one intake path with the bus, and a change
of an existing candidate's contact details audited (hashed) and revoking their earlier links."""

from __future__ import annotations

import json
import re
from functions.core.models import InterviewScheduled
from functions.domain import intake
from functions.integration import links
from functions.integration.data import candidate_store, interview_store, request_store
from functions.web.responses import ATS_REGISTER_SCOPE
from tests.integration.conftest import interview_event
from tests.integration.test_analytics import _today_report

ATS = {"sub": "ats-client", "client_id": "ats-client", "token_use": "access", "scope": ATS_REGISTER_SCOPE}
RECRUITER = {"sub": "u-rec", "cognito:groups": "recruiter", "custom:person_id": "rec-1", "token_use": "id"}
ADMIN = {"sub": "u-adm", "cognito:groups": "admin", "token_use": "id"}


def _candidate_of(link: str) -> str:
    return links.candidate_of(link.rsplit("/", 1)[1])


def _register(system, event: dict, claims: dict) -> dict:
    return system.http("POST", "/api/staff/interviews", body=event, claims=claims)


def test_a_recruiter_or_an_admin_cannot_register_an_interview_or_get_a_link(system):
    # GIVEN a valid registration body
    event = interview_event("int-h1", "cand-h1")
    # WHEN a recruiter and an admin send it with their own (person) tokens
    answers = [_register(system, event, claims) for claims in (RECRUITER, ADMIN)]
    # THEN both are refused, no link is in any answer, and nothing is stored
    assert [a["statusCode"] for a in answers] == [403, 403]
    assert not any("/portal/" in a["body"] for a in answers)
    assert interview_store.get_interview("int-h1") is None and candidate_store.get_candidate("cand-h1") is None


def test_the_ats_registers_and_the_bus_path_invites_and_counts_it_once(system):
    # GIVEN the ATS's machine identity
    event = interview_event("int-a1", "cand-a1")
    # WHEN it registers an interview, and sends the same registration again (a retry)
    first, again = _register(system, event, ATS), _register(system, event, ATS)
    system.drain()
    # THEN it is created once and the ATS gets the candidate's personal link both times
    assert (first["statusCode"], again["statusCode"]) == (201, 200)
    answered = [json.loads(a["body"])["candidate_link"] for a in (first, again)]
    assert [_candidate_of(link) for link in answered] == ["cand-a1", "cand-a1"]
    # AND the candidate's language and timezone are stored as the bus path stores them
    profile = candidate_store.get_candidate("cand-a1")
    assert (profile.locale, profile.timezone) == (event["candidate"]["locale"], event["candidate"]["timezone"])
    # AND the invitation with that link went out once, and analytics counted one booking
    invitations = [m for m in system.sent_mail() if m["to"] == event["candidate"]["email"]]
    assert len(invitations) == 1
    assert _candidate_of(re.search(r"(http://\S+/portal/\S+)", invitations[0]["text"]).group(1)) == "cand-a1"
    assert _today_report()["volume"]["scheduled"] == 1
    assert system.dlq_depth() == 0


def test_a_contact_change_at_registration_is_audited_hashed_and_revokes_earlier_links(system):
    # GIVEN a candidate registered with an e-mail and a phone
    assert _register(system, interview_event("int-c1", "cand-c1"), ATS)["statusCode"] == 201
    before = candidate_store.get_candidate("cand-c1")
    assert not before.link_version
    # WHEN the ATS registers another interview of theirs with another e-mail and phone
    changed = interview_event("int-c2", "cand-c1")
    changed["candidate"].update(email="new.address@mail.example.com", phone="+8613900000000")
    assert _register(system, changed, ATS)["statusCode"] == 201
    # THEN the profile holds the new details and its token version moved on (links signed before are revoked)
    after = candidate_store.get_candidate("cand-c1")
    assert (after.email, after.phone, after.link_version) == ("new.address@mail.example.com", "+8613900000000", 1)
    # AND the candidate's trail says who changed what, with the old and new values hashed, never in clear
    [entry] = request_store.audit_trail(intake.candidate_trail_id("cand-c1"))
    assert (entry.actor, entry.action) == ("ats:ats-client", "contact_changed")
    assert intake.contact_hash(before.email) in entry.why and intake.contact_hash(after.email) in entry.why
    assert intake.contact_hash(before.phone) in entry.why and intake.contact_hash(after.phone) in entry.why
    assert not any(value in entry.why for value in (before.email, after.email, before.phone, after.phone))


def test_a_registration_with_the_same_contact_details_audits_nothing_and_revokes_nothing(system):
    # GIVEN a registered candidate
    assert _register(system, interview_event("int-s1", "cand-s1"), ATS)["statusCode"] == 201
    # WHEN another interview of theirs arrives with the same details, through the API and then through the bus
    assert _register(system, interview_event("int-s2", "cand-s1"), ATS)["statusCode"] == 201
    intake.register(InterviewScheduled.model_validate(interview_event("int-s3", "cand-s1")))
    # THEN nothing is recorded and their links stay valid
    assert request_store.audit_trail(intake.candidate_trail_id("cand-s1")) == []
    assert not candidate_store.get_candidate("cand-s1").link_version


def test_a_replayed_registration_with_other_contact_details_changes_nothing(system):
    # GIVEN a registered interview
    event = interview_event("int-r1", "cand-r1")
    assert _register(system, event, ATS)["statusCode"] == 201
    # WHEN the same interview is sent again with another e-mail (a replay carries no new booking)
    event["candidate"]["email"] = "someone.else@mail.example.com"
    assert _register(system, event, ATS)["statusCode"] == 200
    # THEN the stored e-mail, the token version and the candidate's trail are unchanged
    profile = candidate_store.get_candidate("cand-r1")
    assert profile.email == interview_event()["candidate"]["email"] and not profile.link_version
    assert request_store.audit_trail(intake.candidate_trail_id("cand-r1")) == []


def test_registration_through_the_bus_audits_a_contact_change_too(system):
    # GIVEN a candidate registered through the API
    assert _register(system, interview_event("int-b1", "cand-b1"), ATS)["statusCode"] == 201
    # WHEN the ATS puts a booking with a new e-mail on the bus
    event = interview_event("int-b2", "cand-b1")
    event["candidate"]["email"] = "moved@mail.example.com"
    from functions.notify import events
    events.handle("InterviewScheduled", event)
    # THEN the change is recorded as the bus's doing and the links are revoked
    [entry] = request_store.audit_trail(intake.candidate_trail_id("cand-b1"))
    assert (entry.actor, entry.action) == (intake.BUS_ACTOR, "contact_changed")
    assert candidate_store.get_candidate("cand-b1").link_version == 1
