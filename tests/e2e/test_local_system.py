"""`interviews local` itself: Ctrl-C stops it promptly, even with requests waiting for decisions."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import requests

from local_runtime import launch
from tests.e2e.conftest import Local, cancel

pytestmark = pytest.mark.e2e


def test_ctrl_c_stops_the_local_system_with_work_in_flight(tmp_path):
    # Given a fresh local system with cancellations waiting for their approvers (executions mid-flight)
    started = None
    with launch.running(tmp_path, sla_seconds=60, stop_timeout=30, strict_stop=True) as info_file:
        local = Local(json.loads(info_file.read_text()))
        for n in range(5):
            token = local.register(f"stop-{n}", f"c-stop-{n}", timedelta(days=2))
            assert cancel(local, token, f"stop-{n}").status_code == 202
        assert requests.get(f"{local.base}/docs", timeout=30).status_code == 200
        started = time.monotonic()
    # When Ctrl-C is sent (leaving the context does), then it has stopped within the 30 s launch allows
    elapsed = time.monotonic() - started
    assert elapsed < 30
    assert "Stopping" in (tmp_path / "local.log").read_text()
