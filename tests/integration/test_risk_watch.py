"""The staff workplace's risk view, "remind now", attendance and reports, through the cancel function's staff API
and the bus (moto, in-process): what each caller sees and what each action leaves in the tables and the outbox."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from functions.analytics import nightly
from functions.analytics import report as report_module
from functions.analytics.benchmarks import load
from functions.integration.data import interview_store, risk_score_store
from functions.integration.tables import AnalyticsItem
from tests.integration.conftest import interview_event
from tests.integration.test_analytics import _put
from tests.integration.test_staff_scopes import ADMIN, MANAGER_A, RECRUITER_A, RECRUITER_B, _job_b

FACTORS = [{"factor": "clicked_link", "value": "0", "weight": 0.9},
           {"factor": "prior_cancellations", "value": "2", "weight": 0.4}]


def _score(interview_id: str, score: float, factors=FACTORS) -> None:
    risk_score_store.put_risk_score(interview_id, score, int(time.time()) + 3600, factors)


def _started(system, interview_id: str, ago: timedelta) -> None:
    """Move a registered interview's start into the past, booked three days before (the registration refuses a
    start in the past): the training history's snapshots 48 and 24 hours before the start then exist."""
    starts_at = (datetime.now(timezone.utc) - ago).replace(microsecond=0)
    booked = starts_at - timedelta(days=3)
    boto3.client("dynamodb").update_item(
        TableName=system.resources.table_names["TABLE_INTERVIEWS"], Key={"interview_id": {"S": interview_id}},
        UpdateExpression="SET starts_at = :s, start_hour = :h, created_at = :c",
        ExpressionAttributeValues={":s": {"S": starts_at.isoformat().replace("+00:00", "Z")},
                                   ":h": {"S": starts_at.strftime("%Y-%m-%dT%H")},
                                   ":c": {"S": booked.isoformat().replace("+00:00", "Z")}})


def _world(system) -> None:
    """int-a (job A) and int-b (job B) start in 30 hours, int-low (job A) too; a and b are at risk, low is not."""
    from functions.notify import events

    events.handle("InterviewScheduled", interview_event("int-a", "cand-a", starts_in=timedelta(hours=30)))
    events.handle("InterviewScheduled", interview_event("int-b", "cand-b", starts_in=timedelta(hours=31),
                                                        job=_job_b()))
    events.handle("InterviewScheduled", interview_event("int-low", "cand-c", starts_in=timedelta(hours=32)))
    risk_score_store.put_nudge_threshold(0.6, int(time.time()) + 3600)
    _score("int-a", 0.8)
    _score("int-b", 0.7)
    _score("int-low", 0.5)
    system.drain()


def _get(system, path: str, claims: dict, resource: str | None = None) -> tuple[int, object]:
    response = system.http("GET", path, resource=resource or path, claims=claims)
    return response["statusCode"], json.loads(response["body"])


def _mails_to(system, address: str, subject_part: str) -> list[dict]:
    return [m for m in system.sent_mail() if m["to"] == address and subject_part in m["subject"]]


def test_each_staff_member_sees_the_interviews_at_risk_in_their_scope_with_the_factors(system):
    # GIVEN two interviews at risk (job A, job B) and one below the model's threshold
    _world(system)
    # WHEN each staff member opens the risk view
    views = {name: _get(system, "/api/staff/risk", claims) for name, claims in
             (("recruiter_a", RECRUITER_A), ("manager_a", MANAGER_A), ("recruiter_b", RECRUITER_B), ("admin", ADMIN))}
    # THEN each sees the at-risk interviews of their own job or department only, the admin both, soonest first
    ids = {name: [i["interview_id"] for i in body] for name, (status, body) in views.items()}
    assert {status for status, _ in views.values()} == {200}
    assert ids == {"recruiter_a": ["int-a"], "manager_a": ["int-a"], "recruiter_b": ["int-b"],
                   "admin": ["int-a", "int-b"]}
    # AND each with its score, the threshold in force and its factors, largest first
    [first] = views["recruiter_a"][1]
    assert first["score"] == 0.8 and first["threshold"] == 0.6 and first["reminded_today"] is False
    assert [(f["factor"], f["value"]) for f in first["factors"]] == [("clicked_link", "0"), ("prior_cancellations", "2")]


def test_remind_now_mails_the_candidate_once_a_day_and_a_second_ask_changes_nothing(system):
    # GIVEN an interview at risk of job A
    _world(system)
    assert _mails_to(system, "li.wei@mail.example.com", "提醒") == []  # the fixture's candidate reads zh-CN
    # WHEN another job's recruiter asks to remind its candidate, then its own recruiter, twice
    other = system.http("POST", "/api/staff/interviews/int-a/reminders",
                        resource="/api/staff/interviews/{interview_id}/reminders", claims=RECRUITER_B)
    first = system.http("POST", "/api/staff/interviews/int-a/reminders",
                        resource="/api/staff/interviews/{interview_id}/reminders", claims=RECRUITER_A)
    system.drain()
    second = system.http("POST", "/api/staff/interviews/int-a/reminders",
                         resource="/api/staff/interviews/{interview_id}/reminders", claims=RECRUITER_A)
    system.drain()
    # THEN the other recruiter gets 404, the first ask 202, the second 409 reminded_today
    assert (other["statusCode"], first["statusCode"], second["statusCode"]) == (404, 202, 409)
    assert json.loads(second["body"])["code"] == "reminded_today"
    # AND the candidate got exactly one reminder, and the day's mark names who asked
    reminders = _mails_to(system, "li.wei@mail.example.com", "提醒")
    assert len(reminders) == 1, [m["subject"] for m in system.sent_mail()]
    assert "Backend Engineer" in reminders[0]["subject"] and "/go/int-a/ai-interview" in reminders[0]["text"]
    today = datetime.now(timezone.utc).date().isoformat()
    mark = AnalyticsItem.get("remind-now#int-a", today)
    assert json.loads(mark.row)["by"] == f"staff:{RECRUITER_A['sub']}"
    # AND the risk view says so
    assert _get(system, "/api/staff/risk", RECRUITER_A)[1][0]["reminded_today"] is True


def test_staff_record_a_no_show_once_and_analytics_and_the_training_history_get_it(system):
    # GIVEN an interview of job A that started an hour ago, and one that has not started
    _world(system)
    _started(system, "int-a", timedelta(hours=1))
    path, resource = "/api/staff/interviews/int-a/attendance", "/api/staff/interviews/{interview_id}/attendance"
    # WHEN its recruiter records a no-show, then (a mistake) that the candidate attended, and the other interview
    missed = system.http("PUT", path, resource=resource, body={"outcome": "no_show"}, claims=RECRUITER_A)
    again = system.http("PUT", path, resource=resource, body={"outcome": "no_show"}, claims=RECRUITER_A)
    other = system.http("PUT", path, resource=resource, body={"outcome": "attended"}, claims=RECRUITER_A)
    early = system.http("PUT", "/api/staff/interviews/int-low/attendance", resource=resource,
                        body={"outcome": "attended"}, claims=RECRUITER_A)
    bad = system.http("PUT", path, resource=resource, body={"outcome": "maybe"}, claims=RECRUITER_A)
    system.drain()
    # THEN the no-show is recorded once (the same again answers the record), the rest refused
    assert [r["statusCode"] for r in (missed, again, other, early, bad)] == [200, 200, 409, 409, 422]
    assert json.loads(other["body"])["code"] == "attendance_recorded"
    assert json.loads(early["body"])["code"] == "attendance_too_early"
    stored = interview_store.get_interview("int-a")
    assert (stored.attendance, stored.attendance_by) == ("no_show", f"staff:{RECRUITER_A['sub']}")
    assert interview_store.get_interview("int-low").attendance is None
    # AND analytics counted one no-show today (the announcement came twice) and no attendance
    today = datetime.now(timezone.utc).date()
    volume = report_module.build(today, today, report_module.collect(today, today), load())["volume"]
    assert (volume["no_shows"], volume["attended"]) == (1, 0)
    # AND the risk model's history holds the interview's snapshot labelled no_show
    rows = [json.loads(i.row) for i in AnalyticsItem.query(f"history#{today.isoformat()[:7]}")]
    assert sorted(r["interview_id"] for r in rows) == ["int-a@24h", "int-a@48h"]
    assert {r["outcome"] for r in rows} == {"no_show"}


def test_the_platforms_missed_interview_is_recorded_on_the_interview_counted_and_a_forged_one_is_not(system):
    # GIVEN two interviews of job A that started an hour ago
    _world(system)
    for interview_id in ("int-a", "int-low"):
        _started(system, interview_id, timedelta(hours=1))
    at = datetime.now(timezone.utc).isoformat()
    # WHEN the AI-interview platform reports int-a missed, and someone puts int-low missed with our own source
    # (nothing stored says so)
    _put(system, "InterviewMissed", {"version": "1", "interview_id": "int-a", "candidate_id": "cand-a",
                                     "missed_at": at})
    _put(system, "InterviewMissed", {"version": "1", "interview_id": "int-low", "candidate_id": "cand-c",
                                     "missed_at": at}, source="interviews.cancellations")
    system.drain()
    # THEN int-a is recorded as the platform's no-show and counted once; int-low is neither
    stored = interview_store.get_interview("int-a")
    assert (stored.attendance, stored.attendance_by) == ("no_show", "platform")
    assert interview_store.get_interview("int-low").attendance is None
    today = datetime.now(timezone.utc).date()
    assert report_module.build(today, today, report_module.collect(today, today), load())["volume"]["no_shows"] == 1
    # AND a staff member's later "attended" is refused: the platform's record stays
    late = system.http("PUT", "/api/staff/interviews/int-a/attendance",
                       resource="/api/staff/interviews/{interview_id}/attendance", body={"outcome": "attended"},
                       claims=ADMIN)
    assert late["statusCode"] == 409 and interview_store.get_interview("int-a").attendance == "no_show"


@pytest.fixture
def reports(tmp_path, monkeypatch):
    monkeypatch.setenv("REPORT_DIR", str(tmp_path))
    for period in ("2030-01-01", "2030-01-02", "2029-12-01_2029-12-31"):
        nightly.store_report(f"report-{period}.html", f"<!doctype html><title>{period}</title><p>report {period}</p>")
        nightly.store_report(f"report-{period}.json", "{}")
    return tmp_path


def test_hr_admins_read_the_latest_report_and_any_by_period_and_other_staff_are_refused(system, reports):
    # WHEN an admin lists the reports and reads the latest and one by period
    listed = _get(system, "/api/staff/reports", ADMIN)
    latest = _get(system, "/api/staff/reports/latest", ADMIN, "/api/staff/reports/{period}")
    month = _get(system, "/api/staff/reports/2029-12-01_2029-12-31", ADMIN, "/api/staff/reports/{period}")
    # THEN the periods come newest first and each report is the stored HTML
    assert listed == (200, [{"period": "2030-01-02"}, {"period": "2030-01-01"}, {"period": "2029-12-01_2029-12-31"}])
    assert latest[0] == 200 and latest[1]["period"] == "2030-01-02" and "report 2030-01-02" in latest[1]["html"]
    assert month[0] == 200 and "report 2029-12-01_2029-12-31" in month[1]["html"]
    # AND a missing period is 404, a malformed one 422, and a recruiter or department manager 403
    assert _get(system, "/api/staff/reports/2030-02-01", ADMIN, "/api/staff/reports/{period}")[0] == 404
    assert _get(system, "/api/staff/reports/..%2Fsecret", ADMIN, "/api/staff/reports/{period}")[0] == 422
    assert _get(system, "/api/staff/reports", RECRUITER_A)[0] == 403
    assert _get(system, "/api/staff/reports/latest", MANAGER_A, "/api/staff/reports/{period}")[0] == 403


def _read_report(system, period: str, query: dict, headers: dict | None = None) -> tuple[int, dict]:
    from local_runtime.lambda_events import api_gateway_event

    event = api_gateway_event(method="GET", path=f"/api/staff/reports/{period}", resource="/api/staff/reports/{period}",
                              path_parameters={"period": period}, query=query, headers=headers or {}, body=b"",
                              claims=ADMIN, source_ip="127.0.0.1")
    response = system.invoke("cancel", event)
    return response["statusCode"], json.loads(response["body"])


@pytest.fixture
def figures(tmp_path, monkeypatch):
    """Two stored reports with their figures: one of today's kind (recommendations as key and figures), one stored
    before that (recommendations as English sentences)."""
    from datetime import date

    from functions.analytics import render
    from functions.domain.measures.aggregates import Totals

    monkeypatch.setenv("REPORT_DIR", str(tmp_path))
    built = report_module.build(date(2030, 1, 2), date(2030, 1, 2), Totals(), load())
    built["recommendations"] = [{"key": "widen_slots", "params": {"share": 0.5, "requests": 4}}]
    nightly.store_report("report-2030-01-02.html", render.to_html(built))
    nightly.store_report("report-2030-01-02.json", render.to_json(built))
    built["recommendations"] = [{"key": "widen_slots", "text": "Widen the slot hours (stored in English)",
                                 "evidence": "schedule conflicts are 50%"}]
    nightly.store_report("report-2030-01-01.html", render.to_html(built))
    nightly.store_report("report-2030-01-01.json", render.to_json(built))
    return tmp_path


def test_a_stored_report_reads_in_the_language_of_the_page_that_asks_for_it(system, figures):
    # WHEN an HR admin's reports page in Chinese, then in Japanese, asks for the latest report
    zh = _read_report(system, "latest", {"lang": "zh-CN"})
    ja = _read_report(system, "2030-01-02", {"lang": "ja"})
    en = _read_report(system, "2030-01-02", {})
    # THEN the report is rendered from its stored figures in that language: labels and recommendation
    assert zh[0] == 200 and zh[1]["period"] == "2030-01-02" and '<html lang="zh-CN">' in zh[1]["html"]
    assert "放宽可选时段，并允许候选人改期而不是取消面试" in zh[1]["html"] and "取消情况报告" in zh[1]["html"]
    assert "Widen the slot hours" not in zh[1]["html"] and "Cancellations report" not in zh[1]["html"]
    assert '<html lang="ja">' in ja[1]["html"] and "日程の都合が候補者の申請の 50%（4 件）を占めています" in ja[1]["html"]
    # AND without a language the deployment's default (English) is used
    assert "Widen the slot hours and let candidates move their interview instead of cancelling it" in en[1]["html"]


def test_a_report_stored_before_recommendations_had_figures_still_reads_with_what_it_has(system, figures):
    # WHEN the report stored with English recommendation sentences is read by a Japanese page
    status, view = _read_report(system, "2030-01-01", {"lang": "ja"})
    # THEN it renders: its labels in Japanese, its recommendation as it was stored
    assert status == 200 and '<html lang="ja">' in view["html"]
    assert "Widen the slot hours (stored in English)" in view["html"] and "キャンセル" in view["html"]
