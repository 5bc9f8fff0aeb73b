"""How a function tells a scheduled run from a batch of queued events: EventBridge Scheduler's envelope
(infra/constructs/schedule.py builds it; local_runtime/lambda_events.py does the same locally)."""

from __future__ import annotations

SCHEDULER_SOURCE = "aws.scheduler"


def is_scheduled_run(event: dict) -> bool:
    return event.get("source") == SCHEDULER_SOURCE
