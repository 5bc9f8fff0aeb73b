"""Faults at the AWS boundary, for every AWS call the process makes.

Every call (our boto3 clients, PynamoDB's own client, and the clients moto's Step Functions interpreter makes for
the state machine's service integrations) passes botocore's `before-send` event, where moto's stubber answers it.
`AwsFaults` sits in front of that stubber: a matching call gets an error response instead, exactly as AWS would
send it (status, error code, message), so botocore's retry mode, PynamoDB's and the state machine's Retry
clauses see a real throttle or 500 and react as they would in the cloud. It also records every call, which lets a
test check what was (not) attempted, e.g. that nothing ever updates or deletes an audit entry.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs

from botocore.awsrequest import AWSResponse
from botocore.retries.standard import ExponentialBackoff
from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse

# What AWS answers, per kind of fault: (HTTP status, error code).
THROTTLED = {
    "dynamodb": (400, "ProvisionedThroughputExceededException"),
    "ses": (400, "Throttling"),
    "events": (400, "ThrottlingException"),
    "stepfunctions": (400, "ThrottlingException"),
}
UNAVAILABLE = {  # a 5xx: retried by botocore's standard mode and by the state machine's Retry clauses
    "dynamodb": (500, "InternalServerError"),
    "ses": (500, "InternalFailure"),
    "events": (500, "InternalException"),
    "stepfunctions": (500, "ServiceUnavailable"),
}
# PutEvents accepted as a request but an entry refused (EventBridge throttles per entry, too): FailedEntryCount 1.
# Our code raises on it; the state machine's optimized integration fails the task with EventBridge.FailedEntry.
FAILED_ENTRY = {"events": (200, "ThrottlingException")}
# DynamoDB cancels a transaction that races another one on the same item (TransactionConflict) or that is
# throttled (ThrottlingError): TransactionCanceledException, which neither botocore nor PynamoDB retries. The
# reason names the item: the second one (the interview in a submission, the approval in a decision) for a
# conflict, every item for a throttle.
TRANSACTION_CONFLICT = {"dynamodb": (400, "TransactionCanceledException:TransactionConflict")}
TRANSACTION_THROTTLED = {"dynamodb": (400, "TransactionCanceledException:ThrottlingError")}
_HOSTS = {"dynamodb": "dynamodb", "email": "ses", "events": "events", "states": "stepfunctions", "sqs": "sqs"}


@dataclass
class Call:
    service: str  # "dynamodb", "ses", "events", "stepfunctions", "sqs", ...
    operation: str  # "TransactWriteItems", "SendRawEmail", "PutEvents", ...
    params: dict
    text: str  # the raw body, for matching on what a call carries

    def tables(self) -> set[str]:
        """DynamoDB tables this call writes or reads (for a transaction, each item's)."""
        names = {self.params.get("TableName")} if self.params.get("TableName") else set()
        for item in self.params.get("TransactItems", []):
            names |= {part.get("TableName") for part in item.values() if isinstance(part, dict)}
        names |= set(self.params.get("RequestItems", {}))
        return {n for n in names if n}


@dataclass
class Fault:
    service: str
    operation: str
    status: int
    code: str
    times: int | None  # None: until healed
    when: Callable[[Call], bool]
    injected: int = 0
    healed: bool = False
    message: str = "injected fault"  # AWS's error text (SES's can name the recipient)

    def matches(self, call: Call) -> bool:
        return (not self.healed and call.service == self.service and call.operation == self.operation
                and (self.times is None or self.injected < self.times) and self.when(call))

    def heal(self) -> None:
        self.healed = True


def _call_of(request) -> Call:
    host = request.url.split("://", 1)[-1].split("/", 1)[0]
    service = _HOSTS.get(host.split(".", 1)[0], host.split(".", 1)[0])
    raw = request.body or b""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    target = request.headers.get("X-Amz-Target")
    if target:  # the JSON protocols: DynamoDB, EventBridge, Step Functions, SQS
        target = target.decode() if isinstance(target, bytes) else target
        try:
            params = json.loads(text) if text else {}
        except ValueError:
            params = {}
        return Call(service, target.rsplit(".", 1)[-1], params, text)
    query = {k: v[0] for k, v in parse_qs(text).items()}  # the query protocol: SES
    return Call(service, query.get("Action", ""), query, text)


def _error_response(request, call: Call, status: int, code: str, message: str = "injected fault") -> AWSResponse:
    if status == 200:  # a refused entry in an accepted PutEvents
        entries = [{"ErrorCode": code, "ErrorMessage": "injected fault"} for _ in call.params.get("Entries", [1])]
        body = json.dumps({"FailedEntryCount": len(entries), "Entries": entries}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "fault"}
    elif code.startswith("TransactionCanceledException:"):
        reason = code.split(":", 1)[1]
        items = call.params.get("TransactItems", [])
        reasons = [{"Code": reason, "Message": "injected fault"} if reason == "ThrottlingError" or i == 1
                   else {"Code": "None"} for i in range(len(items))]
        body = json.dumps({"__type": "TransactionCanceledException", "CancellationReasons": reasons,
                           "message": f"Transaction cancelled [{', '.join(r['Code'] for r in reasons)}]"}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fault"}
    elif call.service == "ses":
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
                f"</Error><RequestId>fault</RequestId></ErrorResponse>").encode()
        headers = {"Content-Type": "text/xml"}
    else:
        body = json.dumps({"__type": code, "message": "injected fault"}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fault"}
    return AWSResponse(request.url, status, headers, MockRawResponse(body))


class AwsFaults:
    def __init__(self):
        self.faults: list[Fault] = []
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def fail(self, service: str, operation: str, *, times: int | None, kind: dict = THROTTLED,
             when: Callable[[Call], bool] = lambda call: True, message: str = "injected fault") -> Fault:
        status, code = kind[service]
        fault = Fault(service, operation, status, code, times, when, message=message)
        with self._lock:
            self.faults.append(fault)
        return fault

    def heal(self) -> None:
        for fault in self.faults:
            fault.heal()

    def intercept(self, request) -> AWSResponse | None:
        call = _call_of(request)
        with self._lock:
            self.calls.append(call)
            fault = next((f for f in self.faults if f.matches(call)), None)
            if fault is not None:
                fault.injected += 1
        if fault is not None:
            return _error_response(request, call, fault.status, fault.code, fault.message)
        return None


def install(monkeypatch) -> AwsFaults:
    """Put an AwsFaults in front of moto's stubber for the rest of the test.

    botocore's retries keep their number but not their waits (up to 20 s each): a test's time goes to the
    behaviour, not to sleeping.
    """
    faults = AwsFaults()
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.01)
    original = BotocoreStubber.__call__

    def intercepted(self, event_name, request, **kwargs):
        if self.enabled:
            answer = faults.intercept(request)
            if answer is not None:
                return answer
        return original(self, event_name, request, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", intercepted)
    return faults
