"""Publishing to our EventBridge bus. Every detail carries a schema version."""

from __future__ import annotations

import json

from functions.shared.aws import client
from functions.shared.settings import get_settings

SOURCE = "interviews.cancellations"


class EventPublishError(Exception):
    pass


def publish(detail_type: str, detail: dict, source: str = SOURCE) -> None:
    response = client("events").put_events(Entries=[{
        "Source": source,
        "DetailType": detail_type,
        "Detail": json.dumps({"version": "1", **detail}),
        "EventBusName": get_settings().event_bus_name,
    }])
    if response.get("FailedEntryCount"):
        raise EventPublishError(f"EventBridge refused {detail_type}: {response['Entries']}")
