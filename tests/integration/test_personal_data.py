"""No personal data in the logs: a full lifecycle, every function at DEBUG, and not one name, e-mail or phone.

What is captured, all of it for the whole lifecycle:
- the service's Powertools logger (every function logs through functions.core.observability.logger), at DEBUG,
  exactly as it formats records (JSON, with exceptions and their tracebacks);
- every other logger through the root logger: our packages and Powertools' own at DEBUG, third-party libraries
  (boto3, botocore, moto, PynamoDB) at INFO. Their DEBUG output is a wire trace of each AWS call, request bodies
  included; it is never switched on in the functions (the Lambda runtime's root level is WARNING);
- everything written to stdout and stderr (Powertools' metrics are printed there).

The lifecycle: interviews arrive from the ATS on the bus (one malformed, so a failure is logged with its traceback),
the candidate opens the portal, lists, cancels (one approved by the recruiter from the e-mailed link, one rejected,
one approved automatically, one refused by the policy, one invalid body), reads the status, the notify function
sends every e-mail and text, the hourly reminders and the nightly summary run. The candidate has a Latin-script
and a Chinese name, so both spellings and their JSON escapes are looked for.
"""

from __future__ import annotations

import io
import json
import logging
import re
import time
import uuid
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from functions.core.observability import logger as service_logger
from local_runtime.lambda_events import scheduled_event
from tests.integration.conftest import interview_event

NAME, EMAIL, PHONE = "Li Wei", "li.wei@mail.example.com", "+8613800000000"
CHINESE_NAME, CHINESE_EMAIL, CHINESE_PHONE = "李伟", "wei.li.cn@mail.example.com", "+8613911112222"


def _forms(value: str) -> set[str]:
    """The ways a value can appear in a log line: as is, JSON-escaped (non-ASCII as \\uXXXX), and for a phone its
    national digits; e-mails case-insensitively (checked lower-case)."""
    forms = {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    if value.startswith("+86"):
        forms.add(value.removeprefix("+86"))
    return {f.lower() if "@" in f else f for f in forms}


PERSONAL = {form: label for label, value in (
    ("name", NAME), ("e-mail", EMAIL), ("phone", PHONE),
    ("name", CHINESE_NAME), ("e-mail", CHINESE_EMAIL), ("phone", CHINESE_PHONE),
) for form in _forms(value)}


_STANDARD_ATTRIBUTES = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class _Records(logging.Handler):
    """Every record that reaches the root logger, formatted with its traceback."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        extra = {k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRIBUTES}
        self.lines.append(f"{text} {extra!r}" if extra else text)  # `extra=` values are logged too


@pytest.fixture
def all_log_output(monkeypatch, capfd):
    """Everything logged or printed while the test runs, as one text (see the module's docstring)."""
    service_stream = io.StringIO()
    handler = service_logger.registered_handler
    previous_stream = handler.setStream(service_stream)
    previous_level = service_logger.log_level
    service_logger.setLevel("DEBUG")
    records = _Records()
    root = logging.getLogger()
    previous_root_level = root.level
    root.addHandler(records)
    root.setLevel(logging.INFO)
    ours = [logging.getLogger(name) for name in ("functions", "local_runtime", "aws_lambda_powertools")]
    previous_ours = [lg.level for lg in ours]
    for lg in ours:
        lg.setLevel(logging.DEBUG)

    def collected() -> str:
        out, err = capfd.readouterr()
        return "\n".join([service_stream.getvalue(), *records.lines, out, err])

    try:
        yield collected
    finally:
        handler.setStream(previous_stream)
        service_logger.setLevel(previous_level)
        root.removeHandler(records)
        root.setLevel(previous_root_level)
        for lg, level in zip(ours, previous_ours):
            lg.setLevel(level)


def _bus_event(system, detail: dict) -> None:
    response = boto3.client("events").put_events(Entries=[{
        "Source": "interviews.ats", "DetailType": "InterviewScheduled", "Detail": json.dumps(detail),
        "EventBusName": system.resources.bus_name}])
    assert response["FailedEntryCount"] == 0


def _token_from_mail(system, pattern: str, to: str | None = None, containing: str | None = None,
                     timeout: float = 120.0) -> str:
    """The first group of `pattern` in the newest matching mail, waiting for it: the workflow emits the event behind
    a mail on its own thread, so a loaded machine may need more than one drain for it to arrive."""
    deadline = time.monotonic() + timeout
    while True:
        for message in reversed(system.sent_mail()):
            if to and message["to"] != to:
                continue
            if containing and containing not in message["text"]:
                continue
            found = re.search(pattern, message["text"])
            if found:
                return found.group(1)
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail with {pattern} to {to}")
        system.drain(rounds=5, quiet_rounds=1)
        time.sleep(0.2)


def _cancel(system, token: str, interview_id: str, body: dict | str) -> dict:
    return system.http("POST", f"/api/candidate/interviews/{interview_id}/cancellations", body=body,
                       headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})


def test_a_full_lifecycle_logs_no_name_email_or_phone(system, all_log_output, monkeypatch, tmp_path):
    monkeypatch.setenv("REPORT_DIR", str(tmp_path))
    now = datetime.now(timezone.utc)
    # Interviews arrive from the ATS on the bus; the candidates agreed to texts.
    latin = {"candidate_id": "cand-1", "sms_opt_in": True}
    for interview_id, starts_in in (("pd-approve", timedelta(days=3)), ("pd-reject", timedelta(days=4)),
                                    ("pd-auto", timedelta(days=5)), ("pd-late", timedelta(hours=1)),
                                    ("pd-remind", timedelta(hours=24, minutes=30))):
        event = interview_event(interview_id, "cand-1", starts_in=starts_in)
        event["candidate"].update(latin)
        _bus_event(system, event)
    chinese = interview_event("pd-zh", "cand-zh", starts_in=timedelta(days=3))
    chinese["candidate"].update(name=CHINESE_NAME, email=CHINESE_EMAIL, phone=CHINESE_PHONE, sms_opt_in=True)
    _bus_event(system, chinese)
    # One malformed event (no timezone on the start): it fails, is logged with its traceback, and is retried.
    malformed = interview_event("pd-bad", "cand-1", starts_at="2030-01-15T06:00:00")
    _bus_event(system, malformed)
    system.drain()

    token = _token_from_mail(system, r"/portal/(\S+)", to=EMAIL)
    zh_token = _token_from_mail(system, r"/portal/(\S+)", to=CHINESE_EMAIL)
    assert system.http("GET", f"/portal/{token}")["statusCode"] == 200
    listed = system.http("GET", "/api/candidate/interviews", headers={"Authorization": f"Bearer {token}"})
    assert listed["statusCode"] == 200

    # Approved by the recruiter from the e-mailed link (GET the page, then POST the decision).
    approved = json.loads(_cancel(system, token, "pd-approve", {"reason_code": "illness"})["body"])
    system.drain()
    link = _token_from_mail(system, r"/approvals/(\S+)", to="chen.jing@company.example.com",
                            containing=approved["request_id"])
    assert system.http("GET", f"/approvals/{link}", function="approve")["statusCode"] == 200
    decided = system.http("POST", f"/approvals/{link}", function="approve", body="decision=approve&comment=ok",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert decided["statusCode"] == 200, decided["body"]
    assert system.execution(approved["request_id"])["status"] == "SUCCEEDED"

    # Rejected, with a comment.
    rejected = json.loads(_cancel(system, token, "pd-reject", {"reason_code": "job_mismatch"})["body"])
    system.drain()
    link = _token_from_mail(system, r"/approvals/(\S+)", to="chen.jing@company.example.com",
                            containing=rejected["request_id"])
    system.http("POST", f"/approvals/{link}", function="approve", body="decision=reject&comment=stay",
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert system.execution(rejected["request_id"])["status"] == "SUCCEEDED"

    # Approved automatically; the Chinese-named candidate too.
    auto = json.loads(_cancel(system, token, "pd-auto", {"reason_code": "schedule_conflict"})["body"])
    zh = json.loads(_cancel(system, zh_token, "pd-zh", {"reason_code": "schedule_conflict"})["body"])
    assert system.execution(auto["request_id"])["status"] == "SUCCEEDED"
    assert system.execution(zh["request_id"])["status"] == "SUCCEEDED"

    # Refused: too late, an invalid body, a tampered token.
    assert _cancel(system, token, "pd-late", {"reason_code": "illness"})["statusCode"] == 409
    assert _cancel(system, token, "pd-late", {"reason_code": "other"})["statusCode"] == 422
    assert system.http("GET", "/api/candidate/interviews",
                       headers={"Authorization": f"Bearer {token[:-3]}xyz"})["statusCode"] == 403
    status = system.http("GET", f"/api/candidate/requests/{approved['request_id']}",
                         headers={"Authorization": f"Bearer {token}"})
    assert json.loads(status["body"])["status"] == "APPROVED"

    # The hourly reminders and the nightly summary.
    system.invoke("notify", scheduled_event({"job": "reminders"}))
    system.invoke("analytics", scheduled_event({"job": "nightly-report", "day": now.date().isoformat()}))
    system.drain()

    # The lifecycle really ran: every kind of message went out.
    subjects = " | ".join(m["subject"] for m in system.sent_mail())
    assert len(system.sent_mail()) >= 10, subjects
    assert any(m["attachments"] for m in system.sent_mail())

    output = all_log_output()
    assert "event failed" in output and "mail sent" in output  # the capture saw the functions' logs
    found = sorted({f"{label} {form!r}" for form, label in PERSONAL.items()
                    if form in (output.lower() if "@" in form else output)})
    leaking = [line[:400] for line in output.splitlines()
               if any(form in (line.lower() if "@" in form else line) for form in PERSONAL)]
    assert not found, f"personal data in the logs: {found}\n" + "\n".join(leaking[:20])


def test_a_malformed_event_from_the_ats_is_logged_without_the_candidates_data(system, all_log_output):
    # An ATS that puts the candidate last, the phone last in it, and forgets the start's timezone.
    event = interview_event("pd-bad-2", "cand-1", starts_at="2030-01-15T06:00:00")
    candidate = event.pop("candidate")
    candidate.pop("resume_url")
    phone = candidate.pop("phone")
    event["candidate"] = {**candidate, "phone": phone}
    _bus_event(system, event)
    system.drain(rounds=6, quiet_rounds=2)
    output = all_log_output()
    assert "event failed" in output
    assert not [form for form in PERSONAL if form in output.lower()]
