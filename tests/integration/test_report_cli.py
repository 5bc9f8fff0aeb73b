"""`interviews report`: the report of a day from the counters, written where --out says."""

from __future__ import annotations

import json

from cli.main import main
from functions.domain.measures import aggregates
from functions.domain.measures.aggregates import Dimensions
from functions.integration.data import counter_store


def test_the_report_command_writes_the_days_files(system, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("REPORT_DIR", str(tmp_path))  # --out sets it: restored after the test
    # Given two bookings and one cancellation request counted on 2030-01-12
    dims = Dimensions.of("Backend Engineer", "Engineering", "referral", "2030-01-14T10:00:00Z", "UTC")
    for n, found in enumerate([aggregates.scheduled(dims), aggregates.scheduled(dims),
                               aggregates.requested(dims, "candidate", "illness", False)]):
        counter_store.count_once(f"event#cli-{n}", "counted", aggregates.merged("2030-01-12", found))
    # When the report of that day is asked for
    assert main(["report", "--day", "2030-01-12", "--out", str(tmp_path)]) == 0
    # Then its three files are written and the figures printed
    assert "report 2030-01-12: 1 requests" in capsys.readouterr().out
    report = json.loads((tmp_path / "report-2030-01-12.json").read_text())
    assert report["cancellation_rate"] == 0.5
    assert (tmp_path / "report-2030-01-12.csv").exists() and (tmp_path / "report-2030-01-12.html").exists()


def test_a_period_of_days_ends_at_until(system, tmp_path, monkeypatch):
    monkeypatch.setenv("REPORT_DIR", str(tmp_path))
    assert main(["report", "--days", "7", "--until", "2030-01-12", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "report-2030-01-06_2030-01-12.json").exists()
