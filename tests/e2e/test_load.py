"""A short, small run of benchmarks/load.py against the running local system: its invariants, not its speed."""

from __future__ import annotations

import json

import pytest

from benchmarks import load

pytestmark = pytest.mark.e2e


def test_a_short_load_loses_nothing_and_doubles_nothing(local, tmp_path):
    # Given the running local system (its info file, as `interviews local --info-file` writes it)
    info_file = tmp_path / "info.json"
    info_file.write_text(json.dumps(local.info))
    # When a few candidates cancel and a few approvers decide at once for ten seconds, and on a loaded machine
    # until 8 requests went through (some auto-approved, some rejected, some submissions repeated with their
    # Idempotency-Key, some decisions double-clicked)
    result = load.run(info_file, interviews=16, duration=10, candidates=3, approvers=2, seed_workers=2,
                      repeat_share=0.3, double_share=0.3, settle_timeout=90, min_requests=8)
    # Then there was load to check: requests went through every kind of path
    assert result["requests"] >= 8, result
    assert result["operations"]["cancel"]["statuses"] == {202: result["requests"]}
    assert result["operations"]["decide"]["count"] >= 1
    # and no call failed, and every request is final, once, with its trail complete and its e-mails sent once
    assert result["errors"] == {}
    assert result["problems"] == []
    assert set(result["outcomes"]) <= {"APPROVED", "REJECTED"}
