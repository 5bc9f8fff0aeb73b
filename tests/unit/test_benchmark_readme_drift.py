"""`make bench` says when a figure in the README is no longer what the code does."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _handlers_benchmark():
    spec = importlib.util.spec_from_file_location("bench_handlers", ROOT / "benchmarks" / "handlers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_block_gives_every_exact_figure_the_benchmark_measures():
    figures = _handlers_benchmark().readme_figures((ROOT / "README.md").read_text(encoding="utf-8"))
    assert {"POST decision", "GET approval page", "approver approves", "auto-approve"} <= figures.keys()


def test_a_figure_that_differs_is_named_with_both_values():
    bench = _handlers_benchmark()
    readme = "`make bench` (`benchmarks/handlers.py`) prints:\n\n```\nAWS calls\n  POST decision    3\n" \
             "  approver approves     8 states entered\n```\n"
    said = bench.drifts(bench.readme_figures(readme), {"POST decision": 6, "approver approves": 8},
                        {"POST decision": "AWS calls", "approver approves": "States entered"})
    assert said == ["AWS calls for POST decision: README says 3, measured 6"]


def test_a_figure_the_readme_does_not_give_or_no_longer_measured_is_named_too():
    bench = _handlers_benchmark()
    said = bench.drifts({"GET old": 2}, {"GET new": 1}, {"GET new": "AWS calls"})
    assert said == ["AWS calls for GET new: README says nothing, measured 1",
                    "GET old: README says 2, not measured any more"]
