"""Pages people open from links: reading them never changes anything (mail scanners and previews fetch links)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import requests
from itsdangerous import URLSafeSerializer

from tests.e2e.conftest import approval_link, cancel, items_naming, mails_about, settled

pytestmark = pytest.mark.e2e


def test_opening_portal_approval_and_console_pages_changes_nothing(local):
    # Given a candidate with a pending request and its approver's link, on ids no other test uses (three days ahead:
    # beyond the hourly reminders' 24-25 h and the nightly risk scoring's 22-51 h, so no scheduled run touches them;
    # the shared system's SLA outlasts the session, so the request cannot escalate meanwhile)
    interview_id = f"get-safe-{uuid.uuid4().hex[:8]}"
    candidate_id = f"c-{interview_id}"
    token = local.register(interview_id, candidate_id, timedelta(days=3))
    request_id = cancel(local, token, interview_id).json()["request_id"]
    link = approval_link(local, request_id)
    # And everything the registration and the request set off has happened (receipts, counters, mail)
    settled(local)
    link_id = URLSafeSerializer("unused").loads_unsafe(link.rsplit("/", 1)[1])[1]["j"]  # its single-use record
    # (the slot id and the candidate's address contain the interview's and the candidate's ids)
    ours = (interview_id, candidate_id, request_id, link_id)
    items_before, mail_before = items_naming(local, *ours), mails_about(local, *ours)
    assert items_before["TABLE_REQUESTS"] and items_before["TABLE_APPROVALS"] and mail_before  # it sees them
    # When every page is opened, several times, in both languages, as a scanner would
    for _ in range(3):
        for url in (f"{local.base}/portal/{token}", f"{local.base}/portal/{token}?lang=zh-CN", link,
                    f"{link}?lang=zh-CN", f"{local.base}/staff", f"{local.base}/docs"):
            assert requests.get(url, timeout=30).status_code == 200, url
    settled(local)
    # Then none of this candidate's, interview's or request's items changed in any table, and no mail about them
    # was sent (whatever other work the shared system did meanwhile)
    assert items_naming(local, *ours) == items_before
    assert mails_about(local, *ours) == mail_before
    # And the link still decides (it was not used up by being opened)
    decided = requests.post(link, data={"decision": "approve"}, timeout=30)
    assert decided.status_code == 200 and "Decision recorded" in decided.text
