"""A CR/LF (or any control character) in a name or a job title is refused where the interview enters, on both
paths: the staff API answers 422 naming the field, and the bus's InterviewScheduled fails its record (it is
retried, then dead-lettered; the log names the field, never the text). Either way nothing is registered and
nobody is mailed: the line break never reaches a mail's Subject header."""

from __future__ import annotations

import json

import boto3
import pytest

from functions.core.observability import HandlerFailed
from functions.integration.data import interview_store
from functions.web.responses import ATS_REGISTER_SCOPE
from local_runtime.lambda_events import sqs_event
from tests.integration.conftest import header, interview_event

ATS = {"sub": "ats-client", "client_id": "ats-client", "token_use": "access", "scope": ATS_REGISTER_SCOPE}


def _nothing_registered(system, interview_id: str, candidate_id: str) -> None:
    assert interview_store.get_interview(interview_id) is None
    assert interview_store.interview_with_profile(interview_id, candidate_id) == (None, None)
    assert system.sent_mail() == []


def test_the_staff_api_refuses_a_line_break_in_a_job_title_with_422_naming_the_field(system):
    # GIVEN a registration whose job title would smuggle a header into the invitation's Subject
    event = interview_event("int-crlf", "cand-crlf")
    event["job"]["title"] = "Engineer\r\nBcc: everyone@example.com"
    event["interviewer"]["name"] = "Jun\tPark"
    # WHEN the ATS posts it to the staff API
    response = system.http("POST", "/api/staff/interviews", body=event, claims=ATS)
    # THEN it is a 422 problem (UTF-8) that names both fields, and nothing was registered or sent
    assert response["statusCode"] == 422
    assert header(response, "Content-Type") == "application/problem+json; charset=utf-8"
    problem = json.loads(response["body"])
    assert sorted(e["field"] for e in problem["errors"]) == ["interviewer.name", "job.title"]
    assert all("control characters" in e["message"] for e in problem["errors"])
    _nothing_registered(system, "int-crlf", "cand-crlf")


def test_the_same_interview_from_the_bus_fails_its_record_and_registers_nothing(system, caplog):
    # GIVEN the ATS puts an InterviewScheduled on the bus with a NUL in the candidate's name
    event = interview_event("int-nul", "cand-nul")
    event["candidate"]["name"] = "Li\x00Wei"
    put = boto3.client("events").put_events(Entries=[{
        "Source": "interviews.ats", "DetailType": "InterviewScheduled", "Detail": json.dumps({"version": "1", **event}),
        "EventBusName": system.resources.bus_name}])
    assert put["FailedEntryCount"] == 0
    queue = next(q for q in system.resources.queues if q.function == "notify")
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=queue.url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                   AttributeNames=["All"]).get("Messages", [])
    arn = sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert len(messages) == 1
    # WHEN the notify function receives it from its queue
    with pytest.raises(HandlerFailed, match="^BatchProcessingError$"):
        system.invoke("notify", sqs_event(messages, arn))
    # THEN the batch fails (Lambda's event source mapping leaves the message to be retried and, in the end,
    # dead-lettered) because the model refused the record; the failure names the error's type only
    # AND the log names exactly that field, without the text that was refused
    failures = [r for r in caplog.records if r.getMessage() == "event failed"]
    assert [r.fields for r in failures] == [["candidate.name"]]
    assert not any("Li\x00Wei" in r.getMessage() or "Li\x00Wei" in str(r.__dict__) for r in caplog.records)
    # AND nothing was registered or mailed
    _nothing_registered(system, "int-nul", "cand-nul")


def test_an_ordinary_registration_still_goes_through_and_answers_json_in_utf_8(system):
    # GIVEN a registration with a job title in Chinese and a name with an apostrophe
    event = interview_event("int-ok", "cand-ok")
    event["job"]["title"] = "高级工程师 – Platform"
    event["candidate"]["name"] = "Siobhán O'Neill"
    # WHEN the ATS posts it
    response = system.http("POST", "/api/staff/interviews", body=event, claims=ATS)
    # THEN it is registered as sent, and the JSON answer says its charset
    assert response["statusCode"] == 201, response["body"]
    assert header(response, "Content-Type") == "application/json; charset=utf-8"
    assert interview_store.get_interview("int-ok").job_title == "高级工程师 – Platform"
