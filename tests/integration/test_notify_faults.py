"""Fault injection: SES fails, the queue retries, the DLQ keeps what cannot be delivered, the redrive command
brings it back, and nothing is lost or sent twice.

SES is the real (moto) client behind an in-memory fake that fails a given number of times; delivery is
local_runtime's, exactly as Lambda's SQS event source: batches, partial batch responses, the queue's redrive
policy (maxReceiveCount 5) moving a message to the DLQ.
"""

from __future__ import annotations

import argparse
import json
import time

import boto3
import pytest
from botocore.exceptions import ClientError

from cli import dlq
from functions.integration import aws, mail
from local_runtime.delivery import deliver_once
from local_runtime.resources import MAX_RECEIVE_COUNT
from tests.conftest import PREFIX
from tests.integration.conftest import interview_event

OTHER = "ana.lopez@mail.example.com"
LI_WEI = "li.wei@mail.example.com"


class FlakySES:
    """moto's SES client, except that send_raw_email to `only_to` (or anyone) fails while `failures` > 0
    (None: fails until healed)."""

    def __init__(self, real, failures: int | None, only_to: str | None = None):
        self.real, self.failures, self.only_to, self.attempts = real, failures, only_to, []

    def send_raw_email(self, **kwargs):
        to = kwargs["Destinations"][0]
        if self.only_to in (None, to):
            self.attempts.append(to)
            if self.failures is None or self.failures > 0:
                self.failures = None if self.failures is None else self.failures - 1
                raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "injected"}}, "SendRawEmail")
        return self.real.send_raw_email(**kwargs)

    def heal(self) -> None:
        self.failures = 0

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.fixture
def flaky_ses(monkeypatch):
    def install(failures: int | None, only_to: str | None = None) -> FlakySES:
        fake = FlakySES(aws.client("ses"), failures, only_to)
        monkeypatch.setattr(mail, "client", lambda service: fake if service == "ses" else aws.client(service))
        return fake

    return install


@pytest.fixture
def queue(system):
    """The notify rule's queue (a failed message is redelivered a second later, at most maxReceiveCount times)."""
    return next(q for q in system.resources.queues if q.rule == "notify")


def _depth(url: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def deliver_until_empty(system, queue, timeout: float = 240) -> None:
    """Deliver (and redeliver after the visibility timeout) until the queue holds nothing, in flight or not."""
    deadline = time.monotonic() + timeout
    while _depth(queue.url) and time.monotonic() < deadline:
        if not deliver_once(queue, system.invoke):
            time.sleep(0.2)
    assert _depth(queue.url) == 0, "the queue did not settle"


def put_interview(system, interview_id: str, candidate_id: str, email: str) -> dict:
    event = interview_event(interview_id, candidate_id)
    event["candidate"]["email"] = email
    response = boto3.client("events").put_events(Entries=[{
        "Source": "interviews.ats", "DetailType": "InterviewScheduled", "Detail": json.dumps(event),
        "EventBusName": system.resources.bus_name}])
    assert response["FailedEntryCount"] == 0
    return event


def invitations(system, to: str) -> list[dict]:
    return [m for m in system.sent_mail() if m["to"] == to and "Backend Engineer" in m["subject"]]


def redrive_cli(capsys, *arguments: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="interviews")
    dlq.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["dlq", *arguments, "--local", "--prefix", PREFIX, "--rule", "notify"])
    code = args.func(args)
    return code, capsys.readouterr().out


def test_ses_failing_twice_then_working_sends_exactly_one_email_and_spares_the_rest_of_the_batch(
        system, queue, flaky_ses):
    # Given SES that refuses Li Wei's mail twice, and two interviews arriving in one batch
    ses = flaky_ses(failures=2, only_to=LI_WEI)
    put_interview(system, "int-1", "cand-1", LI_WEI)
    put_interview(system, "int-2", "cand-2", OTHER)
    # When the queue delivers and redelivers until it is empty
    deliver_until_empty(system, queue)
    # Then SES was tried three times for Li Wei, and each candidate got exactly one invitation
    assert ses.attempts == [LI_WEI] * 3
    assert len(invitations(system, LI_WEI)) == 1
    assert len(invitations(system, OTHER)) == 1  # the batch's other message was not retried with it
    # and nothing was dead-lettered
    assert system.dlq_depth() == 0


def test_ses_failing_for_good_dead_letters_the_event_and_the_redrive_delivers_it_once(
        system, queue, flaky_ses, capsys):
    # Given SES that refuses every mail
    ses = flaky_ses(failures=None)
    put_interview(system, "int-1", "cand-1", LI_WEI)
    # When the queue has delivered the event maxReceiveCount times
    deliver_until_empty(system, queue)
    # Then it is in the DLQ, not lost: SES was tried exactly maxReceiveCount times and nothing was sent
    assert system.dlq_depth() == 1
    assert len(ses.attempts) == MAX_RECEIVE_COUNT
    assert invitations(system, LI_WEI) == []
    code, out = redrive_cli(capsys, "depth")
    assert (code, out.strip()) == (0, "1 message(s) in the dead-letter queue of rule notify")

    # When SES works again and the operator redrives the DLQ
    ses.heal()
    code, out = redrive_cli(capsys, "redrive", "--wait-seconds", "0")
    assert code == 0 and "moved 1 message(s)" in out
    deliver_until_empty(system, queue)
    # Then the invitation is sent once and the DLQ is empty
    assert len(invitations(system, LI_WEI)) == 1
    assert system.dlq_depth() == 0
    # and a second redrive moves nothing, and the same event arriving again sends nothing again
    assert "moved 0 message(s)" in redrive_cli(capsys, "redrive", "--wait-seconds", "0")[1]
    put_interview(system, "int-1", "cand-1", LI_WEI)
    deliver_until_empty(system, queue)
    assert len(invitations(system, LI_WEI)) == 1
