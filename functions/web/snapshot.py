"""SnapStart hooks of an API function (cancel, approve): what its snapshot holds, and what each restore refreshes.

The handler module registers them after its imports, so by the time the before-snapshot hook runs every module a
route uses is already imported. The hook adds what imports alone do not do: the settings parsed, every model's
validator built, every template compiled with every language's messages, and the AWS clients built. After a restore: fresh random state, and no
client, pooled connection or signing key carried over from the snapshotted environment.
"""

from __future__ import annotations

import gc
from functools import partial

from functions.core import models, snapstart
from functions.core.settings import get_settings
from functions.integration import snapshot
from functions.web import rendering


def prepare(*services: str) -> None:
    get_settings()
    models.build_all()
    rendering.prepare_all()
    snapshot.build_clients(*services)
    gc.freeze()  # what the snapshot keeps lives as long as every restored process: no collection walks it


def register(*services: str) -> None:
    """Register the hooks of a function that calls `services` (boto3 names) besides DynamoDB."""
    snapstart.before_snapshot(partial(prepare, *services))
    snapstart.after_restore(snapshot.forget_connections_and_keys)
