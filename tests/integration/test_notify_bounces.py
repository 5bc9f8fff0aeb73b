"""Bounces and complaints: SES's feedback suppresses the address; later mail to it is skipped and logged by its
message key only (no personal data), and the event is done, not retried until it is dead-lettered."""

from __future__ import annotations

import json
import logging

import boto3
import pytest

from functions.integration.data import suppression_store
from functions.notify import events
from functions.core.observability import logger
from tests.integration.conftest import store_request

LI_WEI = "li.wei@mail.example.com"


def ses_feedback(kind: str, address: str, bounce_type: str = "Permanent") -> dict:
    """The detail SES publishes to EventBridge for a bounce or a complaint (abridged)."""
    mail = {"messageId": "0100018f-example", "source": "no-reply@interviews.example.com", "destination": [address]}
    if kind == "Email Bounced":
        return {"eventType": "Bounce", "mail": mail, "bounce": {
            "bounceType": bounce_type, "bounceSubType": "General", "feedbackId": "fb-1",
            "timestamp": "2030-01-10T08:00:00.000Z",
            "bouncedRecipients": [{"emailAddress": address, "action": "failed", "status": "5.1.1"}]}}
    return {"eventType": "Complaint", "mail": mail, "complaint": {
        "feedbackId": "fb-2", "timestamp": "2030-01-10T08:00:00.000Z", "complaintFeedbackType": "abuse",
        "complainedRecipients": [{"emailAddress": address}]}}


def put(system, source: str, detail_type: str, detail: dict) -> None:
    response = boto3.client("events").put_events(Entries=[{
        "Source": source, "DetailType": detail_type, "Detail": json.dumps(detail),
        "EventBusName": system.resources.bus_name}])
    assert response["FailedEntryCount"] == 0


class LogLines(logging.Handler):
    """The service logger's output, formatted exactly as Lambda would log it."""

    def __init__(self):
        super().__init__()
        self.setFormatter(logger.registered_formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines():
    handler = LogLines()
    logger._logger.addHandler(handler)
    yield handler.lines
    logger._logger.removeHandler(handler)


def test_a_permanent_bounce_suppresses_the_address_and_later_mail_is_skipped_and_logged_without_it(
        system, scheduled, log_lines):
    # Given Li Wei's interview (her invitation went out) and SES reporting that her address bounced for good
    scheduled()
    assert len([m for m in system.sent_mail() if m["to"] == LI_WEI]) == 1
    put(system, "aws.ses", "Email Bounced", ses_feedback("Email Bounced", "Li.Wei@Mail.Example.com"))
    system.drain(rounds=10, quiet_rounds=1)
    assert suppression_store.is_suppressed(LI_WEI)
    # When a cancellation request of hers arrives on the bus (stored, as the cancel function stores it)
    store_request(system, "req-bounce-1", "int-1", "cand-1", "RECEIVED")
    put(system, "interviews.cancellations", "CancellationRequested", {
        "version": "1", "request_id": "req-bounce-1", "interview_id": "int-1", "candidate_id": "cand-1",
        "initiator": "candidate", "reason_code": "illness", "auto_approve": False, "rule": "test"})
    system.drain(rounds=10, quiet_rounds=1)
    # Then no receipt was sent, the event was consumed (not retried into the DLQ)
    assert len([m for m in system.sent_mail() if m["to"] == LI_WEI]) == 1
    assert system.dlq_depth() == 0
    notify = next(q for q in system.resources.queues if q.rule == "notify")
    attributes = boto3.client("sqs").get_queue_attributes(QueueUrl=notify.url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
    # and the skip is logged with the message key and without the address
    skipped = [line for line in log_lines if "address is suppressed" in line]
    assert len(skipped) == 1 and json.loads(skipped[0])["message_key"] == "req-bounce-1:receipt"
    assert not any("li.wei" in line.lower() for line in log_lines)


def test_only_permanent_bounces_and_complaints_from_ses_suppress(system):
    # Given feedback of every kind, for different addresses
    events.handle("Email Bounced", ses_feedback("Email Bounced", "soft@example.com", "Transient"),
                         source="aws.ses")
    events.handle("Email Complaint Received", ses_feedback("Email Complaint Received", "angry@example.com"), source="aws.ses")
    events.handle("Email Bounced", ses_feedback("Email Bounced", "forged@example.com"), source="interviews.ats")
    events.handle("Email Bounced", ses_feedback("Email Bounced", "hard@example.com"), source="aws.ses")
    # When the same bounce is reported again
    events.handle("Email Bounced", ses_feedback("Email Bounced", "hard@example.com"), source="aws.ses")
    # Then a complaint and a permanent bounce suppress; a transient bounce and a non-SES event do not
    assert [suppression_store.is_suppressed(a) for a in ("soft@example.com", "angry@example.com", "forged@example.com",
                                             "hard@example.com")] == [False, True, False, True]
    # and the first record is kept (a conditional write)
    assert suppression_store.suppress_address("hard@example.com", "complaint", "2031-01-01T00:00:00.000Z") is False
