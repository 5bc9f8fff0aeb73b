"""The candidate's "add to calendar": an .ics file per interview from the portal (the same entry as the e-mailed
invitation: UID, sequence and organizer) and Google / Outlook.com links; for the candidate's own interviews only."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from icalendar import Calendar

from functions.core.clock import from_iso, to_iso, utc_now
from functions.domain import moves
from functions.integration import links
from functions.integration.data import interview_store
from functions.integration.tables import InterviewItem
from tests.integration.conftest import header

ICS_PATH = "/portal/{token}/interviews/{interview_id}/calendar.ics"


def download(system, token: str, interview_id: str = "int-1") -> dict:
    return system.http("GET", ICS_PATH.format(token=token, interview_id=interview_id))


def _event(response: dict):
    calendar = Calendar.from_ical(response["body"])
    return calendar, calendar.walk("VEVENT")[0]


def test_the_candidate_downloads_the_invitations_entry_and_after_a_move_its_new_time_and_sequence(system, scheduled):
    # GIVEN Li Wei's interview, invited by us
    scheduled()
    token = links.candidate_token("cand-1")
    # WHEN she downloads it from her page
    response = download(system, token)
    # THEN it is a calendar file to save, not cached, of the invitation's entry at its time, without attendees
    assert response["statusCode"] == 200
    assert header(response, "Content-Type").startswith("text/calendar")
    assert header(response, "Content-Disposition") == 'attachment; filename="interview.ics"'
    assert header(response, "Cache-Control") == "no-store"
    calendar, event = _event(response)
    stored = interview_store.get_interview("int-1")
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == ("int-1@interviews.cancellations", 0)
    assert str(event["ORGANIZER"]) == "mailto:chen.jing@company.example.com"
    assert event.decoded("DTSTART") == from_iso(stored.starts_at) and "ATTENDEE" not in event
    # WHEN she moves the interview and downloads it again
    [slot] = moves.publish_slots("job-1", [to_iso(utc_now().replace(microsecond=0) + timedelta(days=5))])
    moves.move("int-1", "cand-1", slot.slot_id)
    _, event = _event(download(system, token))
    # THEN the same entry comes at the new time with the move's sequence
    assert (str(event["UID"]), int(event["SEQUENCE"])) == ("int-1@interviews.cancellations", 1)
    assert event.decoded("DTSTART") == from_iso(slot.starts_at)


def test_when_the_ats_invited_the_download_is_the_atss_entry(system, scheduled):
    # GIVEN an interview whose invitation the ATS sent
    scheduled(calendar={"uid": "ats-42@ats.example.com", "sequence": 2, "organizer": "calendar@ats.example.com"})
    # WHEN the candidate downloads it
    _, event = _event(download(system, links.candidate_token("cand-1")))
    # THEN it names the ATS's UID, sequence and organizer
    assert (str(event["UID"]), int(event["SEQUENCE"])) == ("ats-42@ats.example.com", 2)
    assert str(event["ORGANIZER"]) == "mailto:calendar@ats.example.com"


def test_the_portal_offers_the_file_and_google_and_outlook_links_in_the_candidates_language(system, scheduled):
    # GIVEN Li Wei's interview (she reads Chinese)
    scheduled()
    token = links.candidate_token("cand-1")
    starts_at = from_iso(interview_store.get_interview("int-1").starts_at)
    # WHEN she opens her page
    page = system.http("GET", f"/portal/{token}")["body"]
    # THEN it offers the .ics download (in the page's language) and web links filled with the title in her language
    # and the 45-minute slot in UTC
    assert f'href="{token}/interviews/int-1/calendar.ics?lang=zh-CN"' in page and "添加到日历" in page
    google = _link(page, "https://calendar.google.com/")
    assert google["text"] == ["面试：Backend Engineer"]
    assert google["dates"] == [f"{starts_at:%Y%m%dT%H%M%SZ}/{starts_at + timedelta(minutes=45):%Y%m%dT%H%M%SZ}"]
    outlook = _link(page, "https://outlook.live.com/")
    assert outlook["subject"] == ["面试：Backend Engineer"] and outlook["startdt"] == [f"{starts_at:%Y-%m-%dT%H:%M:%SZ}"]
    # AND the links carry no token
    assert token not in _href(page, "https://calendar.google.com/") + _href(page, "https://outlook.live.com/")


def _href(page: str, prefix: str) -> str:
    start = page.index(f'href="{prefix}') + len('href="')
    return page[start:page.index('"', start)].replace("&amp;", "&")


def _link(page: str, prefix: str) -> dict:
    return parse_qs(urlsplit(_href(page, prefix)).query)


def test_other_candidates_bad_tokens_and_cancelled_interviews_get_no_calendar_file(system, scheduled):
    # GIVEN Li Wei's interview and another candidate's
    scheduled()
    scheduled(interview_id="int-2", candidate_id="cand-2")
    token_a, token_b = links.candidate_token("cand-1"), links.candidate_token("cand-2")
    tampered = token_a[:-2] + ("AA" if not token_a.endswith("AA") else "BB")
    before = interview_store.get_interview("int-1").serialize()
    # WHEN the other candidate, a tampered token, or an unknown interview ask for it
    # THEN they are refused with a page (someone else's interview looks exactly like a missing one)
    assert download(system, token_b)["statusCode"] == 404
    assert download(system, token_a, "int-missing")["statusCode"] == 404
    assert download(system, tampered)["statusCode"] == 403
    assert header(download(system, token_b), "Content-Type").startswith("text/html")
    # WHEN the interview is cancelled
    InterviewItem("int-1").update(actions=[InterviewItem.status.set("CANCELLED")])
    # THEN there is no file to add, and the page no longer offers one
    refused = download(system, token_a)
    assert refused["statusCode"] == 409 and "cancelled" in refused["body"]
    assert "calendar.ics" not in system.http("GET", f"/portal/{token_a}")["body"]
    # AND nothing but the status we set changed
    after = interview_store.get_interview("int-1").serialize()
    assert {k: v for k, v in after.items() if k != "status"} == {k: v for k, v in before.items() if k != "status"}
