"""Partial batch responses: only the records that failed go back to the queue; a batch that failed whole fails."""

from __future__ import annotations

import pytest

from functions.core import sqs_batch


def _batch(*ids: str) -> dict:
    return {"Records": [{"messageId": i, "body": "{}"} for i in ids]}


def test_only_the_records_that_raised_are_reported_as_failures():
    def handle(record):
        if record["messageId"] == "b":
            raise ValueError("no")

    assert sqs_batch.process_partial(_batch("a", "b", "c"), handle) == {"batchItemFailures": [{"itemIdentifier": "b"}]}


def test_a_batch_whose_every_record_failed_fails_the_invocation():
    def handle(record):
        raise ValueError("no")

    with pytest.raises(sqs_batch.BatchFailed):
        sqs_batch.process_partial(_batch("a", "b"), handle)


def test_a_batch_handled_whole_reports_no_failure_and_an_empty_one_neither():
    assert sqs_batch.process_partial(_batch("a"), lambda record: None) == {"batchItemFailures": []}
    assert sqs_batch.process_partial({"Records": []}, lambda record: None) == {"batchItemFailures": []}
