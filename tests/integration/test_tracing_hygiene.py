"""Traces hold no personal data and no token: tracing on (the X-Ray SDK recording into an in-memory emitter), a
candidate opens her portal, cancels, her recruiter opens the approval page, and the notify function fails to mail
her (SES's error names her address) - then no segment, subsegment, metadata or exception in any trace contains
a token, her e-mail address, her phone number or a name.

Everything else is the usual in-process system: the handlers run as Lambda would run them, with the tracer's
decorators as deployed.
"""

from __future__ import annotations

import json

import pytest
from aws_xray_sdk import global_sdk_config
from aws_xray_sdk.core import xray_recorder
from aws_xray_sdk.core.context import Context

from functions.integration import links
from tests.integration import faults
from tests.integration.test_workflow import _approval_token

EMAIL = "li.wei@mail.example.com"
PHONE = "+8613800000000"
NAMES = ("Li Wei", "Chen Jing", "Jun Park", "Sam Smith")


class MemoryEmitter:
    """Collects what the recorder would send to the X-Ray daemon, serialised as it would be sent."""

    def __init__(self):
        self.documents: list[str] = []

    def send_entity(self, entity) -> None:
        self.documents.append(entity.serialize())

    def set_daemon_address(self, address) -> None:
        pass


@pytest.fixture
def traces():
    """Tracing on, into memory, inside one segment (the Lambda invocation's, as the runtime would open)."""
    emitter = MemoryEmitter()
    saved = (xray_recorder.emitter, xray_recorder.context, xray_recorder.sampling, xray_recorder.streaming_threshold)
    global_sdk_config.set_sdk_enabled(True)
    xray_recorder.configure(emitter=emitter, context=Context(), sampling=False, context_missing="LOG_ERROR",
                            streaming_threshold=100_000)
    xray_recorder.begin_segment("interview-cancellations-test")

    def finish() -> list[str]:
        if xray_recorder.current_segment() is not None:
            xray_recorder.end_segment()
        return emitter.documents

    emitter.finish = finish
    yield emitter
    if xray_recorder.context.get_trace_entity() is not None:
        xray_recorder.context.clear_trace_entities()
    emitter_, context, sampling, threshold = saved
    xray_recorder.configure(emitter=emitter_, context=context, sampling=sampling, streaming_threshold=threshold)
    global_sdk_config.set_sdk_enabled(False)


def _subsegment_names(document: dict) -> list[str]:
    names = []
    for sub in document.get("subsegments", []):
        names += [sub["name"], *_subsegment_names(sub)]
    return names


def test_no_trace_holds_a_token_an_address_a_phone_or_a_name(system, scheduled, traces, monkeypatch):
    # Given Li Wei's interview (she agreed to texts), and SES refusing her address with an error that names it
    scheduled()
    ses = faults.install(monkeypatch)
    ses.fail("ses", "SendRawEmail", times=None, when=lambda call: "li.wei" in call.text.lower(),
             message=f"Address blacklisted: {EMAIL}")
    portal_token = links.candidate_token("cand-1")
    # When she opens her portal and cancels from it (the request is the recruiter's to decide),
    portal = system.http("GET", f"/portal/{portal_token}", resource="/portal/{token}")
    assert portal["statusCode"] == 200 and portal_token in portal["body"]  # the page carries her token
    cancelled = system.http("POST", "/api/candidate/interviews/int-1/cancellations",
                            headers={"Authorization": f"Bearer {portal_token}", "Idempotency-Key": "trace-key-0001"},
                            body={"reason_code": "illness"},
                            resource="/api/candidate/interviews/{interview_id}/cancellations")
    assert cancelled["statusCode"] == 202, cancelled["body"]
    request_id = json.loads(cancelled["body"])["request_id"]
    # the notify function tries to send her receipt (and fails: SES names her address), and mails the approver,
    approval_token = _approval_token(system, request_id)
    # and the recruiter opens the approval page
    approval_page = system.http("GET", f"/approvals/{approval_token}", function="approve",
                                resource="/approvals/{token}")
    assert approval_page["statusCode"] == 200 and "Li Wei" in approval_page["body"]
    documents = traces.finish()

    # Then tracing really recorded the handlers, the event processing and the failure (by its type)
    assert documents
    parsed = [json.loads(d) for d in documents]
    names = [n for doc in parsed for n in _subsegment_names(doc)]
    assert names.count("## lambda_handler") >= 3 and any(n.endswith("record_handler") for n in names)
    text = "\n".join(documents)
    assert "ClientError" in text
    # And no trace holds a token, her address (in any case or escaping), her phone, or anyone's name
    assert portal_token not in text and approval_token not in text
    lowered = text.lower()
    assert EMAIL not in lowered and EMAIL.replace("@", "\\u0040") not in lowered and "li.wei" not in lowered
    assert PHONE not in text and PHONE.lstrip("+") not in text
    for name in NAMES:
        assert name not in text, name
    # And a failure reached the trace as HandlerFailed, naming its type only
    assert "HandlerFailed" in text
