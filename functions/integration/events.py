"""Publishing to our EventBridge bus. Every detail carries a schema version."""

from __future__ import annotations

import json
import random
import time

from functions.integration.aws import client
from functions.core.settings import get_settings

SOURCE = "interviews.cancellations"
# EventBridge may accept the request and refuse an entry (FailedEntryCount): the SDK does not retry that, so
# publish() resends a refused entry whose error is transient, a few times with backoff and jitter.
RETRYABLE_ENTRY_ERRORS = frozenset({"ThrottlingException", "InternalFailure", "InternalException"})
ENTRY_ATTEMPTS = 4


class EventPublishError(Exception):
    pass


def publish(detail_type: str, detail: dict, source: str = SOURCE) -> None:
    entry = {
        "Source": source,
        "DetailType": detail_type,
        "Detail": json.dumps({"version": "1", **detail}),
        "EventBusName": get_settings().event_bus_name,
    }
    for attempt in range(ENTRY_ATTEMPTS):
        response = client("events").put_events(Entries=[entry])
        if not response.get("FailedEntryCount"):
            return
        codes = {e.get("ErrorCode") for e in response.get("Entries", []) if e.get("ErrorCode")}
        if not codes <= RETRYABLE_ENTRY_ERRORS or attempt == ENTRY_ATTEMPTS - 1:
            raise EventPublishError(f"EventBridge refused {detail_type}: {sorted(codes)}")
        time.sleep(random.uniform(0, 0.1 * 2 ** attempt))
