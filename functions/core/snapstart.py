"""Lambda SnapStart runtime hooks, and nothing locally.

With SnapStart, Lambda runs a published version's initialization once, snapshots the process, and resumes every
new execution environment from that snapshot. So the work worth doing once (imports, settings parsed, templates
compiled, AWS clients built) belongs before the snapshot, and whatever must be unique or fresh per environment
(random state, cached keys, credentials and pooled connections) must be refreshed after each restore.

`snapshot_restore_py` is provided by Lambda's Python runtimes (3.12 and later), not installed from PyPI: where
it is missing (tests, `interviews local`) there is no snapshot, so registering a hook does nothing and the
function runs as before.
"""

from __future__ import annotations

import random
from typing import Callable, TypeVar

Hook = TypeVar("Hook", bound=Callable)

try:  # pragma: no cover - only inside Lambda's managed Python runtime
    from snapshot_restore_py import register_after_restore as _register_after_restore
    from snapshot_restore_py import register_before_snapshot as _register_before_snapshot

    AVAILABLE = True
except ImportError:
    AVAILABLE = False

    def _register_before_snapshot(func, *args, **kwargs):
        return func

    def _register_after_restore(func, *args, **kwargs):
        return func


def before_snapshot(hook: Hook) -> Hook:
    """Run `hook` once, before Lambda snapshots the initialized process (hooks run in reverse registration order)."""
    _register_before_snapshot(hook)
    return hook


def after_restore(hook: Hook) -> Hook:
    """Run `hook` in every execution environment resumed from the snapshot (in registration order)."""
    _register_after_restore(hook)
    return hook


@after_restore
def reseed_random() -> None:
    """Every restored environment would otherwise draw the same `random` sequence (retry jitter, for one).
    Tokens use `secrets`, which reads the OS's entropy on each call and needs no reseeding."""
    random.seed()
