"""Garbage collection during a function's cold start.

Importing a handler makes some 70,000 objects that the cycle collector tracks (modules, classes, functions,
pydantic schemas), and hardly any of them is garbage. The collector does not know that: as the heap grows it walks
them again and again, about a tenth of the cancel handler's import (benchmarks/cold_start.py, issue #18). So a
handler imports with the collector paused, then freezes what the imports made (`gc.freeze`: later collections,
each request's included, skip those objects) and resumes it. SnapStart's before-snapshot hook freezes once more,
after it has built what the snapshot keeps.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def imports_uncollected() -> Iterator[None]:
    """Pause the cycle collector for the `with` block (a handler's imports), then freeze what is alive and resume."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        freeze_alive()
        if was_enabled:
            gc.enable()


def freeze_alive() -> None:
    """Move every object alive now out of the collector's reach: they live as long as the process does."""
    gc.freeze()
