"""The staff workplace in a real browser (Debian's chromium, Playwright) against `interviews local`, on a phone
(390 px) and a desk (1280 px): deciding what waits for me in the console (after which the e-mailed link refuses),
and searching interviews and requests, a page at a time, cancelling for the company from a row, exporting CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.conftest import final
from tests.e2e.test_browser import _ids, _pending_request, _translated, shot, signed_in_as

# The same browser and viewports (phone 390 px, desk 1280 px) as the people's pages.

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _fits_the_width(page: Page) -> None:
    """Nothing makes the page scroll sideways (tables become cards on a phone)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_an_approver_decides_in_the_console_and_the_emailed_link_then_refuses(local, page):
    # GIVEN a candidate's request waiting for the recruiter, who was mailed a link; its reason text holds markup
    interview_id, request_id, link = _pending_request(local, page, "br-wait")
    # WHEN the recruiter opens "waiting for me" in the console
    signed_in_as(page, local, "recruiter", "/staff/approvals")
    card = page.locator(f'article.approval[data-request="{request_id}"]')
    expect(card).to_be_visible()
    expect(card.locator(".reason")).to_contain_text("<script>window.__pwned = 1</script>")  # shown as text
    assert page.evaluate("window.__pwned") is None
    _fits_the_width(page)
    shot(page, "workplace-waiting")
    # AND approves it there with a comment
    card.get_by_label("Comment").fill("Decided in the console")
    card.get_by_role("button", name="Approve cancellation").click()
    # THEN the decision is recorded, audited with the staff member as actor, and the workflow cancels the interview
    expect(card.locator(".result")).to_contain_text("Decision recorded")
    expect(card.get_by_role("button", name="Approve cancellation")).to_have_count(0)
    shot(page, "workplace-decided")
    _translated(page)
    view = final(local, request_id)
    assert view["status"] == "APPROVED"
    decided = [e for e in view["timeline"] if e["action"] == "decision_approved"]
    assert [(e["actor"], e["why"]) for e in decided] == [("staff:recruiter-1", "Decided in the console")]
    # AND the e-mailed link now says it is already decided and offers no decision; posting it is refused
    page.goto(link)
    expect(page.get_by_role("status")).to_contain_text("already been decided")
    expect(page.get_by_role("button", name="Approve cancellation")).to_have_count(0)
    refused = requests.post(link, data={"decision": "reject"}, timeout=30)
    assert refused.status_code == 409
    # AND it no longer waits for the recruiter
    page.goto(f"{local.base}/staff/approvals")
    # (other tests' requests may wait for the same recruiter: the list or its empty note, whichever shows)
    expect(page.locator("#waiting-empty:visible, article.approval").first).to_be_visible()
    expect(page.locator(f'article.approval[data-request="{request_id}"]')).to_have_count(0)


def test_the_waiting_page_reads_in_simplified_chinese(local, page):
    # GIVEN a request waiting for the recruiter
    _, request_id, _ = _pending_request(local, page, "br-wait-zh")
    # WHEN the recruiter opens the page in Chinese
    signed_in_as(page, local, "recruiter", "/staff/approvals?lang=zh-CN")
    # THEN headings, labels and buttons are Chinese
    expect(page.get_by_role("heading", name="待我审批")).to_be_visible()
    card = page.locator(f'article.approval[data-request="{request_id}"]')
    expect(card.get_by_role("button", name="批准取消")).to_be_visible()
    _translated(page)
    shot(page, "workplace-waiting-zh")


def test_staff_search_interviews_page_through_export_and_cancel_for_the_company_from_a_row(local, page):
    # GIVEN three interviews of a job of its own, on three days
    prefix, candidate_id = _ids(page, "br-search")
    job_id = f"job-{prefix}"
    for n in (1, 2, 3):
        local.register(f"{prefix}-{n}", f"{candidate_id}-{n}", timedelta(days=n + 2, hours=1), job_id=job_id)
    # WHEN the recruiter searches for the job, two rows a page
    signed_in_as(page, local, "recruiter", "/staff/interviews?page_size=2")
    page.get_by_label("Job").fill(job_id)
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#interviews tbody tr[data-interview]")
    # THEN the latest two come first, then the third on the next page, and back
    expect(rows.first).to_have_attribute("data-interview", f"{prefix}-3")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_have_attribute("data-interview", f"{prefix}-2")
    _fits_the_width(page)
    shot(page, "workplace-search")
    page.get_by_role("button", name="Next page").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-interview", f"{prefix}-1")
    expect(page.get_by_role("button", name="Next page")).to_be_disabled()
    page.get_by_role("button", name="Previous page").click()
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-interview", f"{prefix}-3")
    # AND the export holds every interview the search finds
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    exported = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert [r["interview_id"] for r in exported] == [f"{prefix}-3", f"{prefix}-2", f"{prefix}-1"]
    # WHEN the recruiter cancels the latest for the company from its row
    rows.first.get_by_role("button", name="Cancel for the company").click()
    company = page.locator(f'tr.company[data-interview="{prefix}-3"]')
    company.get_by_label("Reason").select_option("position_paused")
    company.get_by_role("button", name="Submit company cancellation").click()
    # THEN it is received as the company's request, made by the recruiter
    expect(company.locator(".result")).to_contain_text("Received")
    request_id = company.locator(".result").inner_text().split("·")[-1].strip()
    stored = local.item("requests", {"request_id": request_id})
    assert stored["initiator"] == "company" and stored["requested_by"] == "staff:recruiter-1"
    assert stored["interview_id"] == f"{prefix}-3"
    shot(page, "workplace-company-cancel")
    # AND the request history shows it for the job
    page.get_by_label("Requests (all, any age)").check()
    page.get_by_label("Job").fill(job_id)
    page.get_by_role("button", name="Search").click()
    request_row = page.locator(f'#requests tbody tr[data-request="{request_id}"]')
    expect(request_row).to_be_visible()
    expect(request_row).to_contain_text("Company")
    _fits_the_width(page)
    _translated(page)
    shot(page, "workplace-requests")


def test_another_jobs_recruiter_finds_none_of_them(local, page):
    # GIVEN an interview of a job of its own (recruiter rec-1)
    prefix, candidate_id = _ids(page, "br-scope")
    local.register(prefix, candidate_id, timedelta(days=3), job_id=f"job-{prefix}")
    # WHEN another job's recruiter searches for it
    signed_in_as(page, local, "recruiter_other_job", "/staff/interviews")
    page.get_by_label("Job").fill(f"job-{prefix}")
    page.get_by_role("button", name="Search").click()
    # THEN nothing is found (the page number shows once the search has answered)
    expect(page.locator("#page-number")).to_have_text("Page 1")
    expect(page.locator("#results-empty")).to_be_visible()
    expect(page.locator("#interviews tbody tr")).to_have_count(0)
