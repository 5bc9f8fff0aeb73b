"""Lambda of the analytics: the bus's lifecycle events from SQS into per-day counters, and the nightly schedule
(the report of yesterday, stored and e-mailed to HR; the cancellation-risk model retrained)."""

from __future__ import annotations

from functions.core.collector import imports_uncollected

with imports_uncollected():  # see functions/core/collector.py
    import traceback
    from datetime import date, timedelta

    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from functions.analytics import ingest, nightly
    from functions.integration import event_trust
    from functions.core.clock import utc_now
    from functions.core.observability import logger, metrics, traced_handler
    from functions.core.schedules import is_scheduled_run
    from functions.integration import once

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    event = record.json_body  # the EventBridge envelope
    try:
        counted = ingest.count(event)
    except event_trust.Mismatch as mismatch:  # consumed, not retried: ids and the reason only
        logger.warning("event not counted: it contradicts the stored state", extra={
            "detail_type": event.get("detail-type"), "event_id": event.get("id"), "why": str(mismatch)})
        return
    except Exception as exc:
        # Back to the queue (in the end its DLQ). The message can quote the event: only its type is logged.
        logger.error("event not counted", extra={"detail_type": event.get("detail-type"), "event_id": event.get("id"),
                                                 "error_type": type(exc).__name__,
                                                 "stack": traceback.format_tb(exc.__traceback__)})
        raise
    logger.info("event counted" if counted else "event already counted",
                extra={"detail_type": event["detail-type"], "event_id": event["id"]})


def _period(detail: dict) -> tuple[date, date]:
    """The nightly default is yesterday; `day` (YYYY-MM-DD) or `days` (N days up to yesterday) choose others."""
    if detail.get("day"):
        day = date.fromisoformat(detail["day"])
        return day, day
    end = utc_now().date() - timedelta(days=1)
    return end - timedelta(days=int(detail.get("days") or 1) - 1), end


@logger.inject_lambda_context
@metrics.log_metrics
@traced_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    if not is_scheduled_run(event):
        return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                        context=context)
    once.register_lambda_context(context)
    detail = event.get("detail") or {}
    start, end = _period(detail)
    result = nightly.run(start, end)
    if not detail.get("day"):  # the nightly run (not a report asked for a given day) also retrains the model
        result["risk_model"] = nightly.retrain_risk_model(utc_now())
    return result
