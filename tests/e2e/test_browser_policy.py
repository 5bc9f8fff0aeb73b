"""The routing policy editor in a real browser (Debian's chromium, Playwright) at 390 px and 1280 px: rules reordered by
drag and drop and from the keyboard, a condition changed with the form controls, the draft checked, simulated over
the system's requests, published and rolled back.

The editor publishes policies, so it gets a local system of its own: no other test's routing changes under it.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import requests
from playwright.sync_api import Page, expect

from local_runtime import launch
from tests.e2e.conftest import LONG_SLA_SECONDS, Local, cancel
from tests.e2e.test_browser import _translated, shot, sign_in


pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SHIPPED_ORDER = ["company-initiated", "repeated-cancellations", "schedule-conflict-with-notice", "candidate-initiated"]


@pytest.fixture(scope="module")
def local_for_editor(tmp_path_factory):
    with launch.running(tmp_path_factory.mktemp("local-policy"), sla_seconds=LONG_SLA_SECONDS, strict_stop=False,
                        calendars=False) as info_file:
        yield Local(json.loads(info_file.read_text()))


def _published(local: Local) -> dict:
    response = requests.get(f"{local.base}/api/staff/policy", headers=local.staff("admin"), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def _back_to_the_file(local: Local) -> None:
    """Each run starts from the shipped policy (version 1)."""
    version = _published(local)["version"]
    if version > 1:
        response = requests.post(f"{local.base}/api/staff/policy/versions/1/rollback", headers=local.staff("admin"),
                                 json={"base_version": version}, timeout=30)
        assert response.status_code == 201, response.text


def _order(page: Page) -> list[str]:
    return page.eval_on_selector_all("#rules > li", "cards => cards.map((card) => card.dataset.name)")


def _card(page: Page, name: str):
    return page.locator(f'#rules > li[data-name="{name}"]')


def test_an_hr_admin_reorders_edits_simulates_publishes_and_rolls_back_the_policy(local_for_editor, page):
    local = local_for_editor
    _back_to_the_file(local)
    # GIVEN a candidate's request for illness three days ahead (the shipped policy: the recruiter decides)
    suffix = page.viewport_name
    token = local.register(f"pe-ill-{suffix}", f"c-pe-{suffix}", timedelta(days=3))
    assert cancel(local, token, f"pe-ill-{suffix}", reason="illness").status_code == 202
    # WHEN an HR admin opens the editor
    sign_in(page, local, "admin-1@example.com")
    page.goto(f"{local.base}/staff/policy")
    expect(page.locator("#rules > li")).to_have_count(4)
    assert _order(page) == SHIPPED_ORDER
    # THEN every control fits the screen (no sideways scrolling on a phone)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "policy-editor")
    _translated(page)

    # WHEN the admin drags the schedule-conflict rule by its handle onto the rule above it (its lower edge: both in
    # view, cards are tall on a phone)
    target = _card(page, "repeated-cancellations")
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    _card(page, "schedule-conflict-with-notice").locator(".handle").drag_to(
        target, target_position={"x": 20, "y": box["height"] - 15})
    # THEN it is second
    assert _order(page) == ["company-initiated", "schedule-conflict-with-notice", "repeated-cancellations",
                            "candidate-initiated"]
    # WHEN they move it back down from the keyboard (Tab to its "Move down" button, Enter)
    _card(page, "schedule-conflict-with-notice").get_by_role("button", name="Move up").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    # THEN it is back in third place, the button they pressed still has the focus, and the move is announced
    assert _order(page) == SHIPPED_ORDER
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == \
        "Move down: schedule-conflict-with-notice"
    expect(page.locator("#announce")).to_have_text("Rule schedule-conflict-with-notice is now at position 3.")

    # WHEN they let illness with 24 h notice be approved automatically too, and check the draft
    _card(page, "schedule-conflict-with-notice").get_by_label("Illness").check()
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.locator("#result")).to_have_text("The draft is valid.")
    # AND simulate it over the last 7 days
    page.get_by_label("Last days").fill("7")
    page.get_by_role("button", name="Simulate", exact=True).click()
    # THEN the illness request would be approved automatically instead of going to the recruiter
    expect(page.locator("#simulation-summary")).to_have_text(re.compile(r"^[1-9]\d* of \d+ requests would be "
                                                                        r"routed differently\.$"))
    expect(page.locator("#changed tbody")).to_contain_text("candidate-initiated: recruiter -> department_manager")
    expect(page.locator("#changed tbody")).to_contain_text("schedule-conflict-with-notice: auto-approve")
    shot(page, "policy-simulation")

    # WHEN they publish it
    before = _published(local)["version"]
    page.get_by_role("button", name="Publish", exact=True).click()
    # THEN it is the next version, stored with its diff, and in force
    expect(page.locator("#result")).to_have_text(f"Published as version {before + 1}.")
    published = _published(local)
    assert published["version"] == before + 1
    assert sorted(published["policy"]["rules"][2]["when"]["reason"]) == ["illness", "schedule_conflict"]
    assert re.search(r"^\+\s*- illness$", published["versions"][0]["diff"], re.M)
    assert published["versions"][0]["published_by"] == local_staff_email(local)
    expect(page.locator(f'#versions li[data-version="{before + 1}"]')).to_be_visible()

    # WHEN they roll back to version 1 from the versions list
    page.locator('#versions li[data-version="1"]').get_by_role("button", name="Roll back to this version").click()
    # THEN version 1's text is published again as the next version, and the editor shows it
    expect(page.locator("#result")).to_have_text(f"Published as version {before + 2}.")
    latest = _published(local)
    assert latest["version"] == before + 2 and latest["text"] == latest_text_of(local, 1)
    expect(_card(page, "schedule-conflict-with-notice").get_by_label("Illness")).not_to_be_checked()
    shot(page, "policy-rolled-back")


def test_only_hr_admins_get_the_editor(local_for_editor, page):
    # GIVEN a recruiter's token WHEN they open the editor THEN they are told it is for HR admins, and see no rules
    local = local_for_editor
    sign_in(page, local, "recruiter-1@example.com")
    page.goto(f"{local.base}/staff/policy")
    expect(page.locator("#forbidden")).to_have_text("Only HR admins edit the routing policy.")
    expect(page.locator("#editor")).to_be_hidden()


def test_the_editor_speaks_chinese(local_for_editor, page):
    # GIVEN an HR admin whose browser asks for Chinese WHEN they open the editor THEN it is in Chinese
    local = local_for_editor
    sign_in(page, local, "admin-1@example.com")
    page.goto(f"{local.base}/staff/policy?lang=zh-CN")
    expect(page.locator("h1")).to_have_text("审批路由策略")
    expect(page.locator("#rules > li").first.get_by_role("button", name="下移")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "policy-editor-zh")
    _translated(page)


def local_staff_email(local: Local) -> str:
    """The admin's address as the local sign-in puts it in the token."""
    import base64

    payload = local.info["staff_tokens"]["admin"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims.get("email") or f"staff:{claims['sub']}"


def latest_text_of(local: Local, version: int) -> str:
    """A version's YAML as stored."""
    return local.item("policies", {"policy": "routing", "version": f"{version:08d}"})["text"]
