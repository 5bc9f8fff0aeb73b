"""Pages people open from links: reading them never changes anything (mail scanners and previews fetch links)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests

from tests.e2e.conftest import approval_link, cancel

pytestmark = pytest.mark.e2e


def _everything(local) -> dict:
    """Every item of every table, to compare before and after."""
    dynamodb = local.aws("dynamodb")
    state = {}
    for env_var, table in local.info["tables"].items():
        items = []
        for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
            items += page["Items"]
        state[env_var] = sorted(items, key=repr)
    return state


def test_opening_portal_approval_and_console_pages_changes_nothing(local):
    # Given a candidate with a pending request and its approver's link
    token = local.register("get-safe", "c-get-safe", timedelta(days=3))
    request_id = cancel(local, token, "get-safe").json()["request_id"]
    link = approval_link(local, request_id)
    before = _everything(local)
    # When every page is opened, several times, in both languages, as a scanner would
    for _ in range(3):
        for url in (f"{local.base}/portal/{token}", f"{local.base}/portal/{token}?lang=zh-CN", link,
                    f"{link}?lang=zh-CN", f"{local.base}/staff", f"{local.base}/docs"):
            assert requests.get(url, timeout=30).status_code == 200, url
    # Then no table changed at all
    assert _everything(local) == before
    # And the link still decides (it was not used up by being opened)
    decided = requests.post(link, data={"decision": "approve"}, timeout=30)
    assert decided.status_code == 200 and "Decision recorded" in decided.text
