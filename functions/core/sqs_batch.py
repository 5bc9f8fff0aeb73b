"""SQS batches with partial failures: each record handled on its own, the failed ones reported by message id, so
that only they return to the queue (and, after maxReceiveCount, go to its DLQ). The event source mapping of each
queue-driven function reports batch item failures (infra/constructs/events.py).

Powertools' BatchProcessor does this too, but importing it imports Powertools' pydantic models of every event
source it can parse (Kafka, Kinesis, DynamoDB streams, ...: the largest single import of the queue-driven
functions, for parsing they never ask for). This is its contract for plain SQS records, and no more.
"""

from __future__ import annotations

from typing import Callable


class BatchFailed(Exception):
    """Every record of the batch failed: the invocation fails, and the whole batch returns to the queue."""


def process_partial(event: dict, handle: Callable[[dict], None]) -> dict:
    """Call `handle` with each SQS record; the partial batch response naming the records that raised."""
    records = event.get("Records") or []
    failed = []
    for record in records:
        try:
            handle(record)
        except Exception:  # noqa: BLE001 - the record handler logged it; the record goes back to the queue
            failed.append({"itemIdentifier": record["messageId"]})
    if records and len(failed) == len(records):
        raise BatchFailed(f"all {len(records)} records failed")
    return {"batchItemFailures": failed}
