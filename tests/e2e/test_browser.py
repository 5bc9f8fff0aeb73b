"""People's pages in a real browser: Debian's chromium, headless, driven by Playwright, against `interviews local`.

Each flow runs on a phone (390x844) and a desk (1280x800); screenshots land in test-artifacts/screenshots.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.e2e.conftest import REPO, VIEWPORTS, approval_link, cancel, final, mails_to, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# An assertion waits until the page shows what it expects (and passes as soon as it does); the page's own polling
# and the local system behind it may be slow on a loaded machine, so the wait is generous rather than 5 s.
expect.set_options(timeout=30_000)

SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
# A message key that escaped translation would show as e.g. "page.reason" or "timeline.FINAL".
RAW_KEY = re.compile(r"\b(?:page|staff|timeline|status|request|reason|mail|retention)\.[A-Za-z_]+\b")


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{page.viewport_name}.png", full_page=True)


def _translated(page: Page) -> None:
    text = page.inner_text("body")
    assert not RAW_KEY.search(text), RAW_KEY.search(text).group(0)


def _ids(page: Page, prefix: str) -> tuple[str, str]:
    """A fresh interview and candidate id per test and viewport (the local system lives for the session)."""
    return f"{prefix}-{page.viewport_name}", f"c-{prefix}-{page.viewport_name}"


def sign_in(page: Page, local, email: str = "recruiter-1@example.com") -> None:
    """Sign in to the console as a local staff member, through the local managed login (code flow with PKCE)."""
    page.goto(f"{local.base}/staff")
    page.locator("#sign-in").click()
    page.locator("#email").fill(email)
    page.locator("#password").fill(local.info["staff_password"])
    page.locator("form button[type=submit]").click()
    expect(page.locator("#console")).to_be_visible()


def signed_in_as(page: Page, local, role: str, path: str) -> None:
    """Open a console page in a tab that holds `role`'s ID token, as a sign-in (see sign_in) leaves it there."""
    page.goto(f"{local.base}/_local/outbox")  # any page of the same origin: sessionStorage belongs to it
    page.evaluate("token => sessionStorage.setItem('staff_token', token)", local.info["staff_tokens"][role])
    page.goto(f"{local.base}{path}")


def _fits(page: Page) -> None:
    """Nothing is wider than the window (no sideways scrolling on a phone)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


SIGN_IN_TEXT = {"en": {"sign_in": "Sign in", "email": "Email", "password": "Password", "sign_out": "Sign out",
                       "pending": "Pending requests", "signed_out": "You are not signed in.",
                       "title": "Staff sign-in (local)"},
                "zh-CN": {"sign_in": "登录", "email": "电子邮件", "password": "密码", "sign_out": "退出登录",
                          "pending": "待处理的申请", "signed_out": "您尚未登录。", "title": "员工登录（本地）"}}


@pytest.mark.parametrize("language", list(SIGN_IN_TEXT))
def test_staff_sign_in_use_the_console_stay_signed_in_and_sign_out(local, page, language):
    text = SIGN_IN_TEXT[language]
    # Given the console, not signed in, in the staff member's language (its clock under the test's control)
    page.clock.install()
    page.goto(f"{local.base}/staff?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#signed-out")).to_contain_text(text["signed_out"])
    # When they choose to sign in: the sign-in page, in their language, asked with a code challenge (no implicit flow)
    page.get_by_role("button", name=text["sign_in"], exact=True).click()
    page.wait_for_url("**/_local/oauth2/authorize?**")
    asked = dict(parse_qsl(urlsplit(page.url).query))
    assert (asked["response_type"], asked["code_challenge_method"], asked["redirect_uri"]) == (
        "code", "S256", f"{local.base}/staff")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", name=text["title"])).to_be_visible()
    _fits(page)
    shot(page, f"staff-sign-in-{language}")
    # And sign in as the recruiter
    page.get_by_label(text["email"]).fill("recruiter-1@example.com")
    page.get_by_label(text["password"]).fill(local.info["staff_password"])
    page.get_by_role("button", name=text["sign_in"], exact=True).click()
    # Then they are back on the console, signed in, in their language, with nothing of the sign-in in the address
    expect(page.locator("#who")).to_have_text("recruiter-1@example.com · recruiter")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", name=text["pending"])).to_be_visible()
    expect(page.locator("#pending-empty, #pending tbody tr").first).to_be_visible()  # the staff API answered
    assert "code=" not in page.url and "state=" not in page.url and "token" not in page.url
    _translated(page)
    _fits(page)
    shot(page, f"staff-signed-in-{language}")
    # And the tab holds the recruiter's ID token (the key the other console pages read) and a refresh token
    stored = page.evaluate("() => ({...sessionStorage})")
    claims = json.loads(base64.urlsafe_b64decode(stored["staff_token"].split(".")[1] + "=="))
    assert (claims["sub"], claims["custom:person_id"], claims["token_use"]) == ("recruiter-1", "rec-1", "id")
    refresh_token = stored["staff_refresh"]
    # When the hour of the ID token is nearly over
    page.clock.fast_forward("56:00")
    # Then the page has refreshed it: another ID token of the same person, which the API takes
    wait_for(lambda: page.evaluate("sessionStorage.getItem('staff_token')") not in (None, stored["staff_token"]))
    renewed = page.evaluate("sessionStorage.getItem('staff_token')")
    assert json.loads(base64.urlsafe_b64decode(renewed.split(".")[1] + "=="))["sub"] == "recruiter-1"
    assert requests.get(f"{local.base}/api/staff/requests", headers={"Authorization": f"Bearer {renewed}"},
                        timeout=30).status_code == 200
    # When they sign out
    page.get_by_role("button", name=text["sign_out"]).click()
    # Then they are back on the console, signed out, in their language, and the tab holds no token
    expect(page.locator("#signed-out")).to_be_visible()
    expect(page.locator("#signed-out")).to_contain_text(text["signed_out"])
    expect(page.locator("#console")).to_be_hidden()
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert page.evaluate("sessionStorage.getItem('staff_token')") is None
    assert page.evaluate("sessionStorage.getItem('staff_refresh')") is None
    shot(page, f"staff-signed-out-{language}")
    # And the refresh token no longer works anywhere
    refused = requests.post(f"{local.base}/_local/oauth2/token", timeout=30, data={
        "grant_type": "refresh_token", "client_id": "local-staff-client", "refresh_token": refresh_token})
    assert refused.status_code == 400 and refused.json() == {"error": "invalid_grant"}


def test_a_sign_in_answer_this_tab_did_not_ask_for_is_refused(local, page):
    # Given a code from someone else's sign-in (another tab's state and verifier)
    page.goto(f"{local.base}/staff")
    page.evaluate("sessionStorage.setItem('staff_sign_in', JSON.stringify({verifier: 'x'.repeat(43), state: 'mine'}))")
    # When the console is opened with a code and another state (a login CSRF)
    page.goto(f"{local.base}/staff?code=someone-elses-code&state=theirs")
    # Then nobody is signed in, it says so, and the address bar loses the code
    expect(page.locator("#sign-in-failed")).to_be_visible()
    expect(page.locator("#console")).to_be_hidden()
    assert page.evaluate("sessionStorage.getItem('staff_token')") is None
    assert "code=" not in page.url


def test_candidate_cancels_with_a_reason_watches_the_status_and_books_a_new_time(local, page):
    # Given an interview three days ahead (a schedule conflict with that notice is approved automatically)
    interview_id, candidate_id = _ids(page, "br-cancel")
    job_id = f"job-{interview_id}"
    token = local.register(interview_id, candidate_id, timedelta(days=3), job_id=job_id)
    # When the candidate opens their page, picks a reason, continues and confirms
    page.goto(f"{local.base}/portal/{token}")
    section = page.locator(f"#interview-{interview_id}")
    expect(page.locator("#policy")).to_contain_text("2 hours")  # the policy, before anything is submitted
    section.locator("details.cancel summary").click()
    section.get_by_label("Reason").select_option("schedule_conflict")
    section.get_by_label("Tell us more").fill("A clash with my exam")
    section.get_by_role("button", name="Continue").click()
    expect(section.locator(".confirm")).to_be_visible()
    shot(page, "cancel-confirm")
    section.get_by_role("button", name="Submit cancellation").click()
    # Then a receipt, and the timeline reaches "Cancelled" without a reload
    expect(section.locator(".progress")).to_be_visible()
    expect(section.locator(".receipt")).to_contain_text("Reference:")
    expect(section.locator('.timeline li[data-step="FINAL"]')).to_have_text("Cancelled", timeout=60_000)
    expect(section.locator(".status")).to_have_text("Cancelled")
    shot(page, "cancel-done")
    # And the interview is cancelled for real
    wait_for(lambda: local.item("interviews", {"interview_id": interview_id})["status"] == "CANCELLED")
    _translated(page)
    # When, back on their page, they book a new time from the free slots of the job
    [slot] = local.open_slots(job_id, timedelta(days=7))
    page.reload()
    section.locator("details.rebook summary").click()
    section.locator("label.slot input").first.check()
    section.get_by_role("button", name="Book this time").click()
    # Then a new interview is booked for them in that slot, linked to the cancelled one (the invitation follows)
    expect(section.locator(".rebook .result")).to_contain_text("Reserved for you")
    shot(page, "rebooked")
    stored = local.item("slots", {"slot_id": slot["slot_id"]})
    assert stored["status"] == "BOOKED"
    assert local.item("interviews", {"interview_id": stored["interview_id"]})["rebooked_from"] == interview_id


def test_candidate_moves_the_interview_to_another_free_slot(local, page):
    # Given an interview and two free slots of its job
    interview_id, candidate_id = _ids(page, "br-move")
    job_id = f"job-{interview_id}"
    token = local.register(interview_id, candidate_id, timedelta(days=3), job_id=job_id)
    slots = local.open_slots(job_id, timedelta(days=5), timedelta(days=6))
    # When the candidate opens "Move", picks the first free time and moves
    page.goto(f"{local.base}/portal/{token}")
    section = page.locator(f"#interview-{interview_id}")
    section.locator("details.move summary").click()
    expect(section.locator("label.slot")).to_have_count(2)
    section.locator("label.slot input").first.check()
    shot(page, "move-pick")
    section.get_by_role("button", name="Move my interview").click()
    expect(section.locator(".move-form .result")).to_contain_text("Moved to")
    shot(page, "move-done")
    # Then the swap happened atomically: new slot booked, old one released, interview at the new time
    interview = local.item("interviews", {"interview_id": interview_id})
    assert interview["slot_id"] == slots[0]["slot_id"] and interview["starts_at"] == slots[0]["starts_at"]
    assert local.item("slots", {"slot_id": slots[0]["slot_id"]})["status"] == "BOOKED"
    assert local.item("slots", {"slot_id": f"slot-{interview_id}"})["status"] == "AVAILABLE"
    # And both calendars get an update for the same event at the new time
    for address in (f"{candidate_id}@mail.example.com", "jun.park@company.example.com"):
        invites = wait_for(lambda: [a for m in mails_to(local, address) for a in m["attachments"]
                                    if a["filename"] == "invite.ics"
                                    and f"UID:{interview_id}@" in base64.b64decode(a["content_base64"]).decode()])
        assert len(invites) == 1  # once, however often the event was delivered
        calendar = Calendar.from_ical(base64.b64decode(invites[0]["content_base64"]))
        event = calendar.walk("VEVENT")[0]
        assert calendar["METHOD"] == "REQUEST" and int(event["SEQUENCE"]) == 1
        assert event.decoded("DTSTART").isoformat().startswith(slots[0]["starts_at"][:16])
    # And a second move is refused by the policy (one move allowed)
    assert local.item("interviews", {"interview_id": interview_id})["moves"] == "1"
    page.reload()
    expect(section.locator("details.move")).to_have_count(0)


def _pending_request(local, page, prefix: str, earlier_cancellation: bool = False) -> tuple[str, str, str]:
    interview_id, candidate_id = _ids(page, prefix)
    token = local.register(interview_id, candidate_id, timedelta(days=3))
    response = cancel(local, token, interview_id, reason="other",
                      text='<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">')
    assert response.status_code == 202, response.text
    request_id = response.json()["request_id"]
    return interview_id, request_id, approval_link(local, request_id)


def test_recruiter_sees_the_context_and_approves_from_the_emailed_link(local, page):
    # Given a pending request whose reason text holds markup
    interview_id, request_id, link = _pending_request(local, page, "br-approve")
    # When the recruiter opens the link: the candidate's context, and the markup shown as text
    page.goto(link)
    expect(page.get_by_role("heading", name="Cancellation request")).to_be_visible()
    expect(page.locator(".reason")).to_contain_text("<script>window.__pwned = 1</script>")
    expect(page.locator("dd", has_text="self-introduction")).to_be_visible()  # completed parts, kept
    assert page.evaluate("window.__pwned") is None  # inert
    shot(page, "approval-page")
    page.get_by_label("Comment").fill("Get well soon")
    page.get_by_role("button", name="Approve cancellation").click()
    # Then the decision is recorded and the interview ends cancelled
    expect(page.locator("#notice")).to_contain_text("Decision recorded")
    shot(page, "approval-approved")
    assert final(local, request_id)["status"] == "APPROVED"
    _translated(page)


def test_recruiter_rejects_then_edits_and_sends_the_retention_message(local, page):
    # Given a pending request
    interview_id, request_id, link = _pending_request(local, page, "br-reject")
    candidate = f"c-br-reject-{page.viewport_name}@mail.example.com"
    # When the recruiter rejects it
    page.goto(link)
    page.get_by_role("button", name="Reject (keep the interview)").click()
    # Then a retention message is drafted from the policy's template, ready to edit
    message = page.get_by_label("Message")
    expect(message).to_contain_text("we have kept your interview")
    shot(page, "retention-draft")
    message.fill("We would love to see you on Thursday. Call me if the time is hard. — Chen")
    page.get_by_role("button", name="Send to the candidate").click()
    expect(page.get_by_role("status")).to_contain_text("sent to the candidate")
    # And the candidate receives exactly that text, once, and the trail records who sent it
    mail = wait_for(lambda: [m for m in mails_to(local, candidate) if "Call me if the time is hard" in m["text"]])
    assert len(mail) == 1
    trail = final(local, request_id)["timeline"]
    assert [e["actor"] for e in trail if e["action"] == "retention_sent"] == ["approver:rec-1"]
    # And sending again is refused
    page.goto(link)
    expect(page.get_by_label("Message")).to_have_count(0)


def test_staff_cancel_for_the_company_and_see_the_flag_and_the_trail(local, page):
    # Given a candidate who cancelled an interview before (a schedule conflict), and a second interview
    interview_id, candidate_id = _ids(page, "br-staff")
    first = local.register(f"{interview_id}-a", candidate_id, timedelta(days=3))
    assert cancel(local, first, f"{interview_id}-a", reason="schedule_conflict").status_code == 202
    wait_for(lambda: local.item("candidates", {"candidate_id": candidate_id}).get("cancellations"))
    local.register(f"{interview_id}-b", candidate_id, timedelta(days=4))
    # When a recruiter signs in to the console and cancels the second interview for the company
    sign_in(page, local)
    page.get_by_label("Interview ID").fill(f"{interview_id}-b")
    page.get_by_label("Reason").select_option("position_paused")
    page.get_by_role("button", name="Submit company cancellation").click()
    # Then it is received and listed as pending, flagged with the earlier cancellation, with its trail
    expect(page.locator("#company-form .result")).to_contain_text("Received")
    request_id = page.locator("#company-form .result").inner_text().split("·")[-1].strip()
    expect(page.locator("#detail")).to_be_visible()
    expect(page.locator("#detail-flag")).to_have_text("Cancelled before: Schedule conflict")
    expect(page.locator("#trail")).to_contain_text("received")
    expect(page.locator("#trail")).to_contain_text("routed")
    row = page.locator(f'#pending tbody tr[data-request="{request_id}"]')
    expect(row.locator(".flag")).to_have_text("Cancelled before: Schedule conflict")
    shot(page, "staff-console")
    _translated(page)
    # And the request is the company's, routed to the department manager
    stored = local.item("requests", {"request_id": request_id})
    assert stored["initiator"] == "company" and stored["requested_by"] == "staff:recruiter-1"


def test_the_candidate_page_follows_the_language_switcher_and_tracks_links(local, browser):
    # Given a candidate whose stored language is zh-CN
    token = local.register("br-lang", "c-br-lang", timedelta(days=3), locale="zh-CN")
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="en-GB")
    page = context.new_page()
    page.viewport_name = "phone"
    try:
        # When they open their page: Chinese, whatever the browser says
        page.goto(f"{local.base}/portal/{token}")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(page.get_by_role("heading", name="我的面试")).to_be_visible()
        _translated(page)
        shot(page, "portal-zh")
        # And the switcher changes it
        page.get_by_role("link", name="English").click()
        expect(page.get_by_role("heading", name="My interviews")).to_be_visible()
        _translated(page)
        # And following the job description link goes there through a tracked redirect, noted once
        with page.expect_request(lambda r: "careers.example.com" in r.url) as followed:
            page.route("https://careers.example.com/**", lambda route: route.fulfill(body="JD"))
            page.get_by_role("link", name="Job description").click()
        assert followed.value.url == "https://careers.example.com/jobs/job-1"
        stored = local.item("interviews", {"interview_id": "br-lang"})
        assert stored["viewed_jd_at"] and "clicked_link_at" not in stored
    finally:
        context.close()


def test_another_candidates_interview_is_never_shown_or_reachable(local):
    # Given two candidates
    token_a = local.register("br-own-a", "c-own-a", timedelta(days=3))
    local.register("br-own-b", "c-own-b", timedelta(days=3))
    # When A opens their page and tries B's interview through the API and the tracked links
    page_a = requests.get(f"{local.base}/portal/{token_a}", timeout=30).text
    headers = {"Authorization": f"Bearer {token_a}"}
    slots = requests.get(f"{local.base}/api/candidate/interviews/br-own-b/slots", headers=headers, timeout=30)
    move = requests.post(f"{local.base}/api/candidate/interviews/br-own-b/moves", headers=headers,
                         json={"slot_id": "slot-br-own-a"}, timeout=30)
    tracked = requests.get(f"{local.base}/portal/{token_a}/go/br-own-b/ai-interview", allow_redirects=False,
                           timeout=30)
    # Then B's interview appears nowhere and every attempt looks like a missing interview
    assert "br-own-a" in page_a and "br-own-b" not in page_a
    assert (slots.status_code, move.status_code, tracked.status_code) == (404, 404, 404)
    assert local.item("interviews", {"interview_id": "br-own-b"})["slot_id"] == "slot-br-own-b"


def test_the_cancel_flow_works_from_the_keyboard_and_every_field_is_labelled(local, browser):
    # Given a candidate on a phone with no pointer
    token = local.register("br-keys", "c-br-keys", timedelta(days=3))
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"{local.base}/portal/{token}")
        # Then every form control has an accessible name (a label)
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
            .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.outerHTML)""")
        assert unlabelled == []
        # When they tab to "Cancel this interview", open it and go through the form with keys only
        section = page.locator("#interview-br-keys")
        for _ in range(30):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent") == "Cancel this interview":
                break
        page.keyboard.press("Enter")
        expect(section.locator("details.cancel")).to_have_attribute("open", "")
        page.keyboard.press("Tab")  # the reason
        assert page.evaluate("document.activeElement.name") == "reason_code"
        page.keyboard.press("Tab")  # the text
        page.keyboard.type("Family matters")
        page.keyboard.press("Tab")  # Continue
        page.keyboard.press("Enter")
        # Then the confirmation takes the focus, and Enter submits
        assert page.evaluate("document.activeElement.className") == "confirm-yes"
        page.keyboard.press("Enter")
        expect(section.locator(".receipt")).to_contain_text("Reference:")
    finally:
        context.close()


CONTRAST = """() => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const element of document.querySelectorAll('body *')) {
    const own = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !element.offsetParent) continue;
    const [a, b] = [lum(rgb(getComputedStyle(element).color).slice(0, 3)), lum(background(element))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(`${element.tagName}.${element.className}: ${ratio.toFixed(2)}`);
  }
  return low;
}"""


def test_text_on_every_page_has_at_least_aa_contrast(local, browser):
    # Given each kind of page: the candidate's, an approver's, the console
    token = local.register("br-contrast", "c-br-contrast", timedelta(days=3))
    request_id = cancel(local, token, "br-contrast").json()["request_id"]
    pages = [f"{local.base}/portal/{token}", approval_link(local, request_id), f"{local.base}/staff",
             f"{local.base}/_local/oauth2/authorize", "signed-in console"]
    context = browser.new_context(viewport=VIEWPORTS["desk"])
    page = context.new_page()
    try:
        for url in pages:
            if url.endswith("/authorize"):  # the sign-in page
                page.goto(f"{local.base}/staff")
                page.locator("#sign-in").click()
                page.wait_for_url("**/_local/oauth2/authorize?**")
            elif url == "signed-in console":
                sign_in(page, local, "admin-1@example.com")
            else:
                page.goto(url)
            page.wait_for_load_state("networkidle")
            # Then no visible text is below WCAG AA's 4.5:1 against its background
            assert page.evaluate(CONTRAST) == [], url
    finally:
        context.close()


def test_the_console_offers_company_cancellation_only_to_roles_that_may_use_it(local, browser):
    # Given a department manager signed in to the console (they decide company cancellations)
    context = browser.new_context(viewport=VIEWPORTS["desk"])
    page = context.new_page()
    try:
        sign_in(page, local, "department_manager-1@example.com")
        # Then they see the pending requests but not the form to start one
        expect(page.get_by_role("heading", name="Pending requests")).to_be_visible()
        expect(page.locator("#company")).to_be_hidden()
    finally:
        context.close()
