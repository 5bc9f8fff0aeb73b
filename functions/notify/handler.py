"""Lambda consuming the bus's events from SQS (e-mails, texts, calendar updates, slot offers, bookkeeping), the
hourly reminder schedule and the calendar sync (what interviewers did in their connected calendars).

Partial batch responses: a failed message is retried on its own and, after maxReceiveCount, lands in the DLQ.
"""

from __future__ import annotations

from functions.core.collector import imports_uncollected

with imports_uncollected():  # see functions/core/collector.py
    import traceback

    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from pydantic import ValidationError

    from functions.core.observability import HandlerFailed, logger, metrics, traced_handler, tracer
    from functions.core.schedules import is_scheduled_run
    from functions.domain.calendar import interviewer_changes
    from functions.integration import once
    from functions.notify import events, reminders

processor = BatchProcessor(event_type=EventType.SQS)


@tracer.capture_method(capture_response=False, capture_error=False)
def record_handler(record: SQSRecord) -> None:
    event = record.json_body  # the EventBridge envelope, as the rule's SQS target delivers it
    logger.info("event received", extra={"detail_type": event["detail-type"], "event_id": event["id"]})
    try:
        events.handle(event["detail-type"], event["detail"], source=event.get("source"))
    except Exception as exc:
        # The message goes back to the queue (and, in the end, to the DLQ). Say where it failed, but not the
        # exception's message: it can quote the event (a pydantic error shows the input, SES names the address).
        logger.error("event failed", extra={
            "detail_type": event["detail-type"], "event_id": event["id"], "error_type": type(exc).__name__,
            "fields": [".".join(map(str, e["loc"])) for e in exc.errors()] if isinstance(exc, ValidationError) else [],
            "stack": traceback.format_tb(exc.__traceback__)})
        # Re-raised without its text, which the tracer's subsegment and the batch's error would otherwise carry.
        raise HandlerFailed(type(exc).__name__) from None


@logger.inject_lambda_context
@metrics.log_metrics
@traced_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    once.register_lambda_context(context)
    if is_scheduled_run(event):  # topology.SCHEDULES names the job
        if (event.get("detail") or {}).get("job") == "calendar-sync":
            return interviewer_changes.sync_all()
        return reminders.run_schedule(event)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
