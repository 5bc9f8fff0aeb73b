"""A handler imports with the cycle collector paused, then freezes what its imports made (core/collector.py)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys

import pytest

from functions.core import collector


@pytest.fixture(autouse=True)
def collector_as_before():
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    gc.enable() if enabled else gc.disable()


def test_the_collector_is_paused_inside_the_block_and_what_lived_is_frozen_after_it():
    # GIVEN the collector running and nothing frozen
    gc.enable()
    gc.unfreeze()
    # WHEN something is made inside the block
    with collector.imports_uncollected():
        paused = not gc.isenabled()
        made = [object() for _ in range(1000)] + [[] for _ in range(1000)]
    # THEN the collector was off inside, is on again, and the tracked objects alive are frozen
    assert paused
    assert gc.isenabled()
    assert gc.get_freeze_count() >= 1000
    assert made


def test_an_import_that_fails_still_turns_the_collector_back_on():
    gc.enable()
    with pytest.raises(ImportError), collector.imports_uncollected():
        import functions.no_such_module  # noqa: F401
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with collector.imports_uncollected():
        pass
    assert not gc.isenabled()


def test_each_handler_leaves_the_collector_on_with_its_imports_frozen():
    # A fresh interpreter, as Lambda starts one: the handler's import must not leave the collector off.
    script = ("import gc, importlib, json, sys\n"
              "out = {}\n"
              "for name in sys.argv[1:]:\n"
              "    importlib.import_module(f'functions.{name}.handler')\n"
              "    out[name] = [gc.isenabled(), gc.get_freeze_count()]\n"
              "print(json.dumps(out))")
    child = subprocess.run([sys.executable, "-c", script, "cancel", "approve", "notify", "analytics"],
                           capture_output=True, text=True, check=True)
    states = json.loads(child.stdout)
    assert all(enabled for enabled, _ in states.values())
    assert states["cancel"][1] > 50_000  # its imports' objects, frozen
