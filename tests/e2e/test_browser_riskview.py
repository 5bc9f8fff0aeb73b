"""The staff workplace's risk view and reports in Debian's chromium (Playwright), against `interviews local`, on a
phone (390x844) and a desk (1280x800): what staff see and do, and what that leaves in the tables and the outbox."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.conftest import mails_to, wait_for
from tests.e2e.test_browser import shot, signed_in_as

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# A message key of these pages that escaped translation would show as e.g. "risk.remind_now".
RAW_KEY = re.compile(r"\b(?:risk|reports|staff|page)\.[A-Za-z_]+\b")


def _no_raw_keys(page: Page) -> None:
    text = page.inner_text("body")
    assert not RAW_KEY.search(text), RAW_KEY.search(text).group(0)


def _at_risk(local, interview_id: str, score: str, factors: list[dict]) -> None:
    """The nightly model's score of the interview, with its factors, as the nightly run stores it."""
    local.aws("dynamodb").put_item(TableName=local.info["tables"]["TABLE_ANALYTICS"], Item={
        "day": {"S": f"risk#{interview_id}"}, "metric": {"S": "score"}, "total": {"N": score},
        "row": {"S": json.dumps(factors)}})


def _started_an_hour_ago(local, interview_id: str) -> None:
    starts_at = datetime.now(timezone.utc) - timedelta(hours=1)
    local.aws("dynamodb").update_item(
        TableName=local.info["tables"]["TABLE_INTERVIEWS"], Key={"interview_id": {"S": interview_id}},
        UpdateExpression="SET starts_at = :s, start_hour = :h",
        ExpressionAttributeValues={":s": {"S": starts_at.isoformat(timespec="seconds").replace("+00:00", "Z")},
                                   ":h": {"S": starts_at.strftime("%Y-%m-%dT%H")}})


def test_a_recruiter_sees_why_an_interview_is_at_risk_reminds_the_candidate_and_records_a_no_show(local, page):
    # GIVEN an interview 30 hours ahead that the model scores 97 % at risk, and one that started an hour ago
    upcoming, started = f"br-risk-{page.viewport_name}", f"br-risk-{page.viewport_name}-past"
    candidate = f"c-{upcoming}"
    local.register(upcoming, candidate, timedelta(hours=30))
    local.register(started, f"{candidate}-b", timedelta(days=2))
    _started_an_hour_ago(local, started)
    _at_risk(local, upcoming, "0.97", [{"factor": "clicked_link", "value": "0", "weight": 1.2},
                                       {"factor": "prior_cancellations", "value": "2", "weight": 0.5}])
    _at_risk(local, started, "0.9", [{"factor": "viewed_jd", "value": "0", "weight": 0.7}])
    # WHEN the job's recruiter opens the risk view from the console's link
    signed_in_as(page, local, "recruiter", "/staff")
    page.get_by_role("link", name="Interviews at risk").click()
    # THEN the interview is listed with its risk and its factors in words
    card = page.locator(f"#risk-{upcoming}")
    expect(card.locator(".score")).to_have_text("97 %")
    expect(card.locator(".factors li")).to_have_text(["Has not opened the AI-interview link yet",
                                                      "Earlier cancellations: 2"])
    _no_raw_keys(page)
    shot(page, "staff-risk")
    # WHEN they send a reminder now
    card.get_by_role("button", name="Send a reminder now").click()
    # THEN the button says it is done for today, and the candidate gets one reminder
    expect(card.locator(".remind")).to_have_text("Reminded today")
    expect(card.locator(".remind")).to_be_disabled()
    reminders = wait_for(lambda: [m for m in mails_to(local, f"{candidate}@mail.example.com")
                                  if m["subject"].startswith("Reminder")])
    assert len(reminders) == 1 and f"/go/{upcoming}/ai-interview" in reminders[0]["text"]
    # AND after a reload it is still done for today (the day's mark is stored), with no second mail
    page.reload()
    expect(card.locator(".remind")).to_be_disabled()
    # WHEN they record that the other candidate did not come
    past = page.locator(f"#risk-{started}")
    expect(past.locator(".upcoming")).to_be_hidden()
    past.get_by_role("button", name="No-show").click()
    # THEN the page says so and the interview holds it
    expect(past.locator(".result")).to_have_text("Recorded: did not come")
    assert local.item("interviews", {"interview_id": started})["attendance"] == "no_show"
    shot(page, "staff-risk-recorded")
    assert len([m for m in mails_to(local, f"{candidate}@mail.example.com") if m["subject"].startswith("Reminder")]) == 1
    # AND in Chinese the same view reads in Chinese
    page.goto(f"{local.base}/staff/risk?lang=zh-CN")
    expect(page.locator("h1")).to_have_text("有风险的面试")
    expect(page.locator(f"#risk-{upcoming} .factors li").first).to_have_text("尚未打开 AI 面试链接")
    _no_raw_keys(page)
    shot(page, "staff-risk-zh")


def test_an_hr_admin_reads_the_latest_nightly_report_and_another_staff_role_is_told_it_is_not_theirs(local, page):
    # GIVEN the nightly run has stored yesterday's report
    assert requests.post(f"{local.base}/_local/run/nightly-analytics", timeout=300).status_code < 400
    yesterday = (datetime.now(timezone.utc) - timedelta(days=1)).date().isoformat()
    # WHEN an HR admin opens the reports page
    signed_in_as(page, local, "admin", "/staff/reports")
    # THEN the latest report is shown, and yesterday's can be picked by its date
    frame = page.locator("#report")
    expect(frame).to_be_visible()
    expect(page.locator("#period option", has_text=yesterday)).to_have_count(1)
    page.locator("#period").select_option(yesterday)
    expect(frame).to_have_attribute("data-period", yesterday)
    report = page.frame_locator("#report")
    expect(report.locator("body")).to_contain_text(yesterday)
    _no_raw_keys(page)
    shot(page, "staff-reports")
    # WHEN a recruiter opens it (in Chinese)
    signed_in_as(page, local, "recruiter", "/staff/reports?lang=zh-CN")
    # THEN they are told it is for HR admins only, and no report is shown
    expect(page.locator("#forbidden")).to_be_visible()
    expect(page.locator("#forbidden")).to_contain_text("仅 HR 管理员")
    expect(page.locator("#reports")).to_be_hidden()
    shot(page, "staff-reports-forbidden")
