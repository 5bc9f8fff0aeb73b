"""Garbage collection during a function's cold start.

While a handler imports, the cycle collector walks the growing heap again and again (the cancel handler imported in
792 ms with it running, 692 ms with it paused: issue #18, README "Benchmarks"). So a handler imports with the
collector paused, then freezes what is alive (`gc.freeze`: no later collection, each request's included, walks
those objects again) and resumes it. About 75,000 of the frozen objects are what the function runs on; some
50,000 are leftovers of the imports, frozen with them: about 10 MB of peak memory, where a full collection before
the freeze would cost about 40 ms of every cold start. SnapStart's before-snapshot hook freezes once more, after
it has built what the snapshot keeps.
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
        gc.freeze()  # later collections skip everything alive now (the module docstring says what that costs)
        if was_enabled:
            gc.enable()
