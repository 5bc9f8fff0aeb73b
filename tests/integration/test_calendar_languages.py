"""Each reader's calendar entry speaks their language: the candidate's .ics (mailed or downloaded) in the candidate's,
the interviewer's in the one the ATS sent with them (else the deployment's, en here). Only SUMMARY and DESCRIPTION
differ between the copies: one UID, one SEQUENCE per change, as before."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from functions.core.clock import to_iso, utc_now
from functions.core.i18n import translator
from functions.core.models import Locale
from functions.domain import moves
from functions.integration import links
from local_runtime.lambda_events import api_gateway_event
from tests.integration.test_calendar_invitations import JUN_PARK, LI_WEI, _cancel, calendar_messages

ZH, JA, EN = translator(Locale.ZH_CN), translator(Locale.JA), translator(Locale.EN)


def _summaries(system, to: str) -> list[tuple[str, str, int, str, str]]:
    """(METHOD, UID, SEQUENCE, SUMMARY, DESCRIPTION) of every calendar message mailed to `to`."""
    return [(str(c["METHOD"]), str(e["UID"]), int(e["SEQUENCE"]), str(e["SUMMARY"]), str(e.get("DESCRIPTION", "")))
            for c, e in calendar_messages(system, to)]


def test_the_candidate_and_the_interviewer_each_read_their_calendar_entry_in_their_own_language(system, scheduled):
    # GIVEN Li Wei (zh-CN) and an interviewer the ATS says reads ja
    event = scheduled(interviewer={"person_id": "int-park", "name": "Jun Park", "email": JUN_PARK, "locale": "ja"})
    # WHEN the interview is invited, moved, then cancelled
    [slot] = moves.publish_slots("job-1", [to_iso(utc_now().replace(microsecond=0) + timedelta(days=5))])
    moves.move("int-1", "cand-1", slot.slot_id)
    system.drain()
    _cancel(system)
    candidate, interviewer = _summaries(system, LI_WEI), _summaries(system, JUN_PARK)
    # THEN the candidate's entries are titled and described in Chinese
    minutes = ZH("page.minutes", count=event["duration_minutes"])
    assert {s for _, _, _, s, _ in candidate} == {"面试：Backend Engineer"}
    assert {d for *_, d in candidate} == {ZH("calendar.description", job_title="Backend Engineer", minutes=minutes)}
    # AND the interviewer's in Japanese
    assert {s for _, _, _, s, _ in interviewer} == {"面接：Backend Engineer"}
    assert all("AI面接" in d for *_, d in interviewer)
    # AND both copies are the same entry: the same methods, UID and sequences
    assert [m[:3] for m in candidate] == [m[:3] for m in interviewer] == [
        ("REQUEST", "int-1@interviews.cancellations", 0), ("REQUEST", "int-1@interviews.cancellations", 1),
        ("CANCEL", "int-1@interviews.cancellations", 2)]


def test_an_interviewer_without_a_language_reads_the_deployments_and_one_we_lack_the_same_language(system, scheduled):
    # GIVEN two interviews: the ATS sends no language with the first interviewer, "es-MX" with the second
    scheduled()
    scheduled(interview_id="int-2", candidate_id="cand-2",
              interviewer={"person_id": "int-ruiz", "name": "Ana Ruiz", "email": "ana.ruiz@company.example.com",
                           "locale": "es-MX"})
    # THEN the first reads English, the second Spanish
    assert [s for _, _, _, s, _ in _summaries(system, JUN_PARK)] == [EN("calendar.summary",
                                                                        job_title="Backend Engineer")]
    assert [s for _, _, _, s, _ in _summaries(system, "ana.ruiz@company.example.com")] == [
        "Entrevista: Backend Engineer"]


def test_the_downloaded_entry_is_in_the_candidates_language_or_the_one_picked_on_the_page(system, scheduled):
    # GIVEN Li Wei's interview (she reads zh-CN)
    scheduled()
    token = links.candidate_token("cand-1")

    def download(query: dict) -> object:
        path = f"/portal/{token}/interviews/int-1/calendar.ics"
        response = system.invoke("cancel", api_gateway_event(
            method="GET", path=path, resource="/portal/{token}/interviews/{interview_id}/calendar.ics",
            path_parameters={"token": token, "interview_id": "int-1"}, query=query, headers={}, body=b"",
            claims=None, source_ip="127.0.0.1"))
        assert response["statusCode"] == 200
        return Calendar.from_ical(response["body"]).walk("VEVENT")[0]

    # WHEN she downloads it from her page, then from the page switched to Japanese
    mine, picked = download({}), download({"lang": "ja"})
    # THEN the first is in Chinese and the second in Japanese, the same entry
    assert str(mine["SUMMARY"]) == "面试：Backend Engineer" and str(picked["SUMMARY"]) == "面接：Backend Engineer"
    assert str(mine["UID"]) == str(picked["UID"]) and int(mine["SEQUENCE"]) == int(picked["SEQUENCE"]) == 0


def test_the_entry_written_into_the_interviewers_own_calendar_is_in_their_language(system, scheduled):
    from functions.domain.calendar import interviewer_calendars
    from functions.integration.data import interview_store

    # GIVEN an interviewer the ATS says reads ko
    scheduled(interviewer={"person_id": "int-park", "name": "Jun Park", "email": JUN_PARK, "locale": "ko-KR"})
    interview = interview_store.get_interview("int-1")
    # WHEN the entry their connected calendar gets (CalDAV or Microsoft 365) is made
    entry = interviewer_calendars.event_of(interview, None, interview.starts_at, 0)
    # THEN its title and description are Korean, and its iCalendar form carries both
    assert entry.title == "면접: Backend Engineer" and "AI 면접" in entry.description
    written = Calendar.from_ical(entry.to_ical()).walk("VEVENT")[0]
    assert (str(written["SUMMARY"]), str(written["DESCRIPTION"])) == (entry.title, entry.description)
