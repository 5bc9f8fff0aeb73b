"""Deliver SQS messages to functions as Lambda's event source mapping does: batches, partial failures, DLQ.

A message whose record failed stays in the queue and is made visible again after RETRY_AFTER_SECONDS (a local
system retries in seconds; the cloud waits for the visibility timeout); after maxReceiveCount receives SQS moves it
to the DLQ by itself. A message still being handled stays invisible, so no second poller handles it meanwhile.
"""

from __future__ import annotations

import threading
from typing import Callable

import boto3

from local_runtime.lambda_events import sqs_event
from local_runtime.resources import Queue

Invoke = Callable[[str, dict], dict]
RETRY_AFTER_SECONDS = 1
LONG_POLL_SECONDS = 5  # also how long a stopping poller may take to notice


def deliver_once(queue: Queue, invoke: Invoke, wait_seconds: int = 0, sqs=None) -> int:
    """Receive one batch and hand it to the queue's function. Returns how many messages were received."""
    sqs = sqs or boto3.client("sqs")
    received = sqs.receive_message(QueueUrl=queue.url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds,
                                   AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
    if not received:
        return 0
    arn = sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    try:
        response = invoke(queue.function, sqs_event(received, arn)) or {}
        failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
    except Exception:  # noqa: BLE001 - a crashed invocation fails the whole batch, as in Lambda
        failed = {m["MessageId"] for m in received}
    done = [m for m in received if m["MessageId"] not in failed]
    if done:
        sqs.delete_message_batch(QueueUrl=queue.url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
    retry = [m for m in received if m["MessageId"] in failed]
    if retry:
        sqs.change_message_visibility_batch(QueueUrl=queue.url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": RETRY_AFTER_SECONDS}
            for i, m in enumerate(retry)])
    return len(received)


class Poller(threading.Thread):
    def __init__(self, queue: Queue, invoke: Invoke, lane: int = 0):
        super().__init__(name=f"poller-{queue.rule}-{lane}", daemon=True)
        self.queue, self.invoke, self.stopping = queue, invoke, threading.Event()

    def run(self) -> None:
        # One client for the poller's life, and long polls: an idle system costs next to nothing (a client per
        # one-second poll kept a fifth of a core busy with a dozen pollers). A message wakes a long poll at once.
        sqs = boto3.client("sqs")
        while not self.stopping.is_set():
            try:
                deliver_once(self.queue, self.invoke, wait_seconds=LONG_POLL_SECONDS, sqs=sqs)
            except Exception:  # noqa: BLE001 - keep polling; the message stays in the queue
                self.stopping.wait(0.5)

    def stop(self) -> None:
        self.stopping.set()
