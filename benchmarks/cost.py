"""What one cancellation costs on AWS, measured: the lifecycles run in-process against moto (the real state machine,
the real handlers) while every AWS call is counted, and the counts are priced at list prices.

docs/deploy.md's cost table used to be arithmetic on assumptions; this benchmark replaces it with counts. Four kinds
of lifecycle run N times each:

  approved   the recruiter approves from the e-mailed link
  auto       a schedule conflict with enough notice, approved by the policy without anyone
  rejected   the recruiter rejects from the link (the interview is kept)
  escalated  nobody answers: the recruiter's SLA passes, the manager is asked, the manager's passes, the default applies

Each lifecycle is what the people in it do over HTTP (the candidate opens the portal, which lists the interviews,
submits, later reads the status; an approver opens the page and posts the decision) and everything that follows:
the workflow, the bus, the queues and the notify function, until the execution has ended and the queues are empty.

How each billed quantity is counted (per lifecycle):
- API Gateway REST: one request per HTTP request above.
- Lambda: one invocation per handler call (API requests, SQS batches to notify); duration is the wall time of the
  call on this machine, minus this benchmark's own counting, rounded up to 1 ms and billed at the function's
  memory (infra/constructs/functions.py) on arm64. Local time is an estimate: moto answers in-process instead of
  over the network, and this machine is not a Graviton core.
- DynamoDB on demand: computed from item sizes, not taken from moto. moto answers ReturnConsumedCapacity with
  constants (1 per write, 2 per transaction item, 0.5 per get) that ignore item size and indexes, so every call is
  sized from moto's stored items instead: a write is ceil(max(old, new item) / 1 KB) WRU, doubled in a
  transaction (ConditionCheck items too), plus one write per global secondary index whose key the old or the new
  item carries (two when the index key changes); a read is ceil(size / 4 KB) RRU per item read (a Query: the
  items it returned, at least one unit), halved when eventually consistent, doubled in a transaction.
- Step Functions Standard: state transitions = states entered in the execution's history.
- EventBridge: entries in PutEvents calls (the functions' and the workflow's); events from AWS services are free.
- SQS: three requests per message delivered to a function (EventBridge's send, Lambda's receive and delete; each
  message is under 64 KB), plus any SQS call the functions make themselves. Lambda's idle long polling is a fixed
  monthly cost (docs/deploy.md), not a per-cancellation one.
- SES: one e-mail per recipient of each SendRawEmail/SendEmail.
- KMS: calls our code makes (none today). The tables' and queues' customer-managed keys are called by DynamoDB and
  SQS themselves, which cache data keys (DynamoDB per table, SQS for the 5-minute reuse period): that is a few
  calls per key per busy 5 minutes whatever the volume, so it is left out of the per-cancellation figure.
- X-Ray: one trace per API request, per other invocation and per execution (an upper bound: the default sampling
  rule records the first request each second and 5% of the rest).
- Secrets Manager: calls counted; the link-signing secret comes from the environment in this harness; in the cloud
  a function instance reads it at its first link and again after its key ring's TTL (functions/integration/links.py),
  not per request.
Not counted: CloudWatch Logs ingestion (function, access and workflow logs), storage and PITR (docs/deploy.md).

    .venv/bin/python benchmarks/cost.py --lifecycles 5

Prints the counts per lifecycle kind, the dollars per 1,000 cancellations per kind and blended (weights below),
and asserts nothing.
"""

from __future__ import annotations

import argparse
import copy
import math
import re
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import tests.conftest  # noqa: E402,F401 - the in-process environment (tables, bus, signing key) before functions/
from tests.conftest import PREFIX  # noqa: E402

# List prices, us-east-1, on demand, without free tier, as on the AWS price pages named (aws.amazon.com/<service>/
# pricing/), the figures docs/deploy.md used; read 2026-12-01, not re-fetched from this machine (no network to them).
PRICES = {
    "api_requests": 3.50 / 1e6,          # API Gateway REST API, first 333 million requests a month
    "lambda_requests": 0.20 / 1e6,       # AWS Lambda, requests
    "lambda_gb_seconds": 0.0000133334,   # AWS Lambda, arm64 duration, first 7.5 billion GB-s a month
    "dynamodb_wru": 0.625 / 1e6,         # Amazon DynamoDB on-demand, write request units
    "dynamodb_rru": 0.125 / 1e6,         # Amazon DynamoDB on-demand, read request units
    "state_transitions": 0.025 / 1000,   # AWS Step Functions, Standard workflows
    "events_put": 1.00 / 1e6,            # Amazon EventBridge, custom events put
    "sqs_requests": 0.40 / 1e6,          # Amazon SQS, standard queue requests (each 64 KB chunk)
    "kms_requests": 0.03 / 10_000,       # AWS KMS, API requests
    "secrets_calls": 0.05 / 10_000,      # AWS Secrets Manager, API calls
    "xray_traces": 5.00 / 1e6,           # AWS X-Ray, traces recorded
    "emails": 0.10 / 1000,               # Amazon SES, outbound e-mail
}
LABELS = {
    "api_requests": "API Gateway REST requests", "lambda_requests": "Lambda invocations",
    "lambda_gb_seconds": "Lambda GB-s (arm64)", "dynamodb_wru": "DynamoDB write units",
    "dynamodb_rru": "DynamoDB read units", "state_transitions": "Step Functions transitions",
    "events_put": "EventBridge events put", "sqs_requests": "SQS requests", "kms_requests": "KMS requests",
    "secrets_calls": "Secrets Manager calls", "xray_traces": "X-Ray traces", "emails": "SES e-mails",
}
KINDS = ("approved", "auto", "rejected", "escalated")
# The blend: cancellations are ~65% candidate-initiated (DESIGN.md); of those we assume a quarter are schedule
# conflicts with notice (auto), and of the rest that an approver answers 80%, approves 85% of those, and 20% escalate.
BLEND = {"auto": 0.25, "approved": 0.51, "rejected": 0.09, "escalated": 0.15}
KB = 1024


# --- counting ------------------------------------------------------------------------------------------------------

@dataclass
class Usage:
    """What AWS bills for one stretch of work; `add` sums lifecycles."""

    counts: Counter = field(default_factory=Counter)
    calls: Counter = field(default_factory=Counter)  # "service.Operation" -> calls, for the breakdown
    invocations: Counter = field(default_factory=Counter)  # function -> invocations
    billed_ms: Counter = field(default_factory=Counter)  # function -> billed milliseconds

    def add(self, other: "Usage") -> None:
        for mine, theirs in ((self.counts, other.counts), (self.calls, other.calls),
                             (self.invocations, other.invocations), (self.billed_ms, other.billed_ms)):
            mine.update(theirs)

    def dollars(self) -> dict[str, float]:
        return {name: self.counts[name] * price for name, price in PRICES.items()}


class AwsMeter:
    """Counts every botocore call made in this process (handlers, moto's workflow threads), except the benchmark's
    own bookkeeping (inside `harness()`), and sizes DynamoDB calls from moto's stored items."""

    def __init__(self):
        self.usage = Usage()
        self.lock = threading.RLock()
        self.local = threading.local()
        self.overhead = threading.local()
        self.original = None

    # the benchmark's own calls (polling queues, reading histories) are not the system's
    @contextmanager
    def harness(self):
        previous = getattr(self.local, "harness", False)
        self.local.harness = True
        try:
            yield
        finally:
            self.local.harness = previous

    @contextmanager
    def system_work(self):
        previous = getattr(self.local, "harness", False)
        self.local.harness = False
        try:
            yield
        finally:
            self.local.harness = previous

    def take(self) -> Usage:
        with self.lock:
            usage, self.usage = self.usage, Usage()
            return usage

    def install(self) -> None:
        from botocore.client import BaseClient

        meter, original = self, BaseClient._make_api_call
        self.original = original

        def counted(client, operation_name, api_params):
            if getattr(meter.local, "harness", False):
                return original(client, operation_name, api_params)
            started = time.perf_counter()
            service = client.meta.service_model.service_name
            before = meter._before(service, operation_name, api_params)
            spent = time.perf_counter() - started
            response = original(client, operation_name, api_params)
            started = time.perf_counter()
            meter._record(service, operation_name, api_params, response, before)
            spent += time.perf_counter() - started
            meter.overhead.seconds = getattr(meter.overhead, "seconds", 0.0) + spent
            return response

        BaseClient._make_api_call = counted

    def uninstall(self) -> None:
        from botocore.client import BaseClient

        if self.original is not None:
            BaseClient._make_api_call = self.original

    # --- per service ---
    def _before(self, service: str, operation: str, params: dict):
        if service != "dynamodb":
            return None
        return [(table, key, _stored(table, key)) for kind, table, key, _ in _write_targets(operation, params)
                if kind != "read"] if operation in WRITE_OPERATIONS else None

    def _record(self, service: str, operation: str, params: dict, response: dict, before) -> None:
        with self.lock:
            counts = self.usage.counts
            self.usage.calls[f"{service}.{operation}"] += 1
            if service == "dynamodb":
                if operation in WRITE_OPERATIONS:
                    counts["dynamodb_wru"] += _write_units(operation, params, before)
                else:
                    counts["dynamodb_rru"] += _read_units(operation, params, response)
            elif service == "events" and operation == "PutEvents":
                counts["events_put"] += len(params.get("Entries", []))
            elif service == "sqs":
                counts["sqs_requests"] += 1
            elif service in ("ses", "sesv2") and operation in ("SendRawEmail", "SendEmail"):
                destination = params.get("Destinations") or [
                    *params.get("Destination", {}).get("ToAddresses", []),
                    *params.get("Destination", {}).get("CcAddresses", []),
                    *params.get("Destination", {}).get("BccAddresses", [])]
                counts["emails"] += max(1, len(destination))
            elif service == "kms":
                counts["kms_requests"] += 1
            elif service == "secretsmanager":
                counts["secrets_calls"] += 1

    def invocation(self, function: str, seconds: float, records: int, from_api: bool) -> None:
        from infra.constructs.functions import SIZING, Sizing

        memory_gb = SIZING.get(function, Sizing()).memory_mb / 1024
        billed_ms = max(1, math.ceil(seconds * 1000))
        with self.lock:
            counts = self.usage.counts
            counts["lambda_requests"] += 1
            counts["lambda_gb_seconds"] += billed_ms / 1000 * memory_gb
            counts["xray_traces"] += 1
            counts["api_requests"] += 1 if from_api else 0
            counts["sqs_requests"] += 3 * records
            self.usage.invocations[function] += 1
            self.usage.billed_ms[function] += billed_ms

    def execution(self, transitions: int) -> None:
        with self.lock:
            self.usage.counts["state_transitions"] += transitions
            self.usage.counts["xray_traces"] += 1


# --- DynamoDB sizing from moto's stored items ----------------------------------------------------------------------

WRITE_OPERATIONS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def _table(name: str):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(name)


def _key_of(table, item: dict) -> dict:
    names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
    return {n: item[n] for n in names if n in item}


def _stored(table_name: str, key: dict):
    """A copy of the stored item's attributes (JSON form) and its size, or None."""
    try:
        table = _table(table_name)
    except Exception:  # noqa: BLE001 - a table moto does not know: the call itself will fail
        return None
    for item in table.all_items():
        attrs = item.to_json()["Attributes"]
        if all(attrs.get(name) == value for name, value in key.items()):
            return {"attrs": attrs, "size": item.size()}
    return None


def _write_targets(operation: str, params: dict):
    """(kind, table, key, item-or-None) per item a write touches; kind is put/update/delete/check."""
    if operation == "PutItem":
        table = params["TableName"]
        yield "put", table, _key_of(_table(table), params["Item"]), params["Item"]
    elif operation in ("UpdateItem", "DeleteItem"):
        yield operation[:6].lower(), params["TableName"], params["Key"], None
    elif operation == "BatchWriteItem":
        for table, requests in params.get("RequestItems", {}).items():
            for request in requests:
                if "PutRequest" in request:
                    item = request["PutRequest"]["Item"]
                    yield "put", table, _key_of(_table(table), item), item
                else:
                    yield "delete", table, request["DeleteRequest"]["Key"], None
    elif operation == "TransactWriteItems":
        for entry in params.get("TransactItems", []):
            (action, body), = entry.items()
            table = body["TableName"]
            if action == "Put":
                yield "put", table, _key_of(_table(table), body["Item"]), body["Item"]
            else:
                yield {"Update": "update", "Delete": "delete", "ConditionCheck": "check"}[action], table, \
                    body["Key"], None


def _write_units(operation: str, params: dict, before) -> float:
    """WRU of a write that has happened: sizes before (given) and after (read now)."""
    units = 0.0
    factor = 2 if operation == "TransactWriteItems" else 1
    targets = list(_write_targets(operation, params))
    for (kind, table_name, key, _), (_, _, old) in zip(targets, before or [(None, None, None)] * len(targets)):
        new = None if kind == "delete" else _stored(table_name, key)
        sizes = [s["size"] for s in (old, new) if s]
        size = max(sizes) if sizes else 1
        units += factor * max(1, math.ceil(size / KB))
        if kind == "check":
            continue
        for index in _table(table_name).global_indexes:
            names = index.schema_key_attrs
            old_key = [old["attrs"].get(n) for n in names] if old else None
            new_key = [new["attrs"].get(n) for n in names] if new else None
            had, has = bool(old_key and all(old_key)), bool(new_key and all(new_key))
            index_units = max(1, math.ceil(size / KB))
            if had and has:
                units += index_units * (2 if old_key != new_key else 1)
            elif had or has:
                units += index_units
    return units


def _item_size(attrs: dict) -> int:
    from moto.dynamodb.models.dynamo_type import Item

    return Item(None, None, attrs).size() if attrs else 0


def _read_units(operation: str, params: dict, response: dict) -> float:
    def units(sizes, consistent, transactional=False):
        raw = max(1, math.ceil(sum(sizes) / (4 * KB)))
        return raw * (2 if transactional else 1) * (1 if consistent else 0.5)

    if operation == "GetItem":
        return units([_item_size(response.get("Item", {}))], params.get("ConsistentRead", False))
    if operation in ("Query", "Scan"):
        return units([_item_size(i) for i in response.get("Items", [])], params.get("ConsistentRead", False))
    if operation == "BatchGetItem":
        total = 0.0
        for table, items in response.get("Responses", {}).items():
            consistent = params["RequestItems"].get(table, {}).get("ConsistentRead", False)
            total += sum(units([_item_size(i)], consistent) for i in items)
        requested = sum(len(r.get("Keys", [])) for r in params.get("RequestItems", {}).values())
        found = sum(len(items) for items in response.get("Responses", {}).values())
        return total + 0.5 * max(0, requested - found)  # a key not found still costs the minimum
    if operation == "TransactGetItems":
        return sum(units([_item_size(r.get("Item", {}))], True, True) for r in response.get("Responses", []))
    return 0.0  # DescribeTable and the like are not billed as request units


# --- the lifecycles ------------------------------------------------------------------------------------------------

class MeteredSystem:
    """The integration tests' in-process system (tests/integration/conftest.py), with every invocation timed and
    the benchmark's own calls kept out of the counts."""

    def __init__(self, meter: AwsMeter):
        from tests.integration.conftest import InProcessSystem

        self.meter = meter
        meter_ = meter

        class Metered(InProcessSystem):
            def invoke(self, function: str, event: dict) -> dict:
                records = len(event.get("Records", [])) if isinstance(event, dict) else 0
                from_api = isinstance(event, dict) and "httpMethod" in event
                meter_.overhead.seconds = 0.0
                with meter_.system_work():
                    started = time.perf_counter()
                    try:
                        return super().invoke(function, event)
                    finally:
                        seconds = time.perf_counter() - started - meter_.overhead.seconds
                        meter_.invocation(function, seconds, records, from_api)

            def drain(self, *args, **kwargs) -> None:
                with meter_.harness():
                    super().drain(*args, **kwargs)

        self.Metered = Metered
        self.system = None

    @contextmanager
    def running(self):
        from moto import mock_aws

        from local_runtime import moto_dynamodb, resources

        moto_dynamodb.serialise_operations()
        with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
            with self.meter.harness():
                self.system = self.Metered(resources.create(prefix=PREFIX))
            self.meter.install()
            try:
                yield self
            finally:
                self.meter.uninstall()

    def register(self, interview_id: str, candidate_id: str, starts_in) -> None:
        from functions.notify import events
        from tests.integration.conftest import interview_event

        event = interview_event(interview_id=interview_id, candidate_id=candidate_id, starts_in=starts_in)
        with self.meter.system_work():
            events.handle("InterviewScheduled", copy.deepcopy(event))
        self.system.drain()

    def http(self, method: str, path: str, *, function: str = "cancel", resource: str | None = None,
             body=None, headers: dict | None = None) -> dict:
        return self.system.http(method, path, function=function, resource=resource, body=body, headers=headers)

    def wait_for_end(self, request_id: str, timeout: float = 60.0) -> dict:
        import boto3

        arn = self.system.resources.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{request_id}"
        deadline = time.time() + timeout
        with self.meter.harness():
            sfn = boto3.client("stepfunctions")
            while True:
                self.system.drain(rounds=2, quiet_rounds=1)
                described = sfn.describe_execution(executionArn=arn)
                if described["status"] != "RUNNING" or time.time() > deadline:
                    break
                time.sleep(0.1)
            self.system.drain()
            history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        self.meter.execution(sum(1 for e in history if e["type"].endswith("StateEntered")))
        return described

    def approval_link(self, request_id: str, level: int = 0, timeout: float = 40.0) -> str:
        from functions.core.errors import DomainError
        from functions.integration import links

        deadline = time.time() + timeout
        while time.time() < deadline:
            self.system.drain(rounds=3, quiet_rounds=1)
            with self.meter.harness():
                for message in reversed(self.system.sent_mail()):
                    found = re.search(r"/approvals/(\S+)", message["text"])
                    if not found:
                        continue
                    try:
                        link = links.approver_link_of(found.group(1))
                    except DomainError:
                        continue
                    if (link.request_id, link.level) == (request_id, level):
                        return found.group(1)
            time.sleep(0.1)
        raise RuntimeError(f"no approval e-mail for {request_id}")


@contextmanager
def _short_sla(seconds: int):
    """Every approver's SLA `seconds` long, as the workflow tests do, so that an unanswered request escalates."""
    from functions.domain import cancellations as module

    original = module.get_settings
    short = original().model_copy(update={"approval_sla_seconds": seconds})
    module.get_settings = lambda: short
    try:
        yield
    finally:
        module.get_settings = original


def run_lifecycle(metered: MeteredSystem, kind: str, n: int) -> tuple[Usage, dict]:
    """One lifecycle of `kind`; its usage and facts to check it by (status, mails to whom)."""
    from datetime import timedelta

    from functions.domain.cancellations import request_id_for
    from functions.integration import links

    interview_id, candidate_id = f"cost-{kind}-{n}-{uuid.uuid4().hex[:6]}", f"cand-{kind}-{n}"
    metered.register(interview_id, candidate_id, timedelta(days=3))
    with metered.meter.harness():
        mails_before = len(metered.system.sent_mail())
    metered.meter.take()  # registration is not part of the cancellation

    token = links.candidate_token(candidate_id)
    auth = {"Authorization": f"Bearer {token}"}
    key = f"key-{uuid.uuid4()}"
    reason = "schedule_conflict" if kind == "auto" else "illness"
    metered.http("GET", f"/portal/{token}", resource="/portal/{token}")
    metered.http("GET", "/api/candidate/interviews", headers=auth)
    with (_short_sla(1) if kind == "escalated" else _null()):
        submitted = metered.http("POST", f"/api/candidate/interviews/{interview_id}/cancellations",
                                 resource="/api/candidate/interviews/{interview_id}/cancellations",
                                 headers={**auth, "Idempotency-Key": key}, body={"reason_code": reason})
    if submitted["statusCode"] != 202:
        raise RuntimeError(f"cancellation refused: {submitted['statusCode']} {submitted.get('body')}")
    request_id = request_id_for(f"candidate:{candidate_id}", interview_id, key)
    if kind in ("approved", "rejected"):
        link = metered.approval_link(request_id)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        metered.http("GET", f"/approvals/{link}", function="approve", resource="/approvals/{token}")
        decision = "approve" if kind == "approved" else "reject"
        metered.http("POST", f"/approvals/{link}", function="approve", resource="/approvals/{token}",
                     body=f"decision={decision}", headers=form)
    described = metered.wait_for_end(request_id, timeout=90 if kind == "escalated" else 60)
    metered.http("GET", f"/api/candidate/requests/{request_id}",
                 resource="/api/candidate/requests/{request_id}", headers=auth)
    metered.system.drain()
    with metered.meter.harness():
        mails = metered.system.sent_mail()[mails_before:]
    facts = {"status": described["status"], "mail_to": [m["to"] for m in mails]}
    return metered.meter.take(), facts


@contextmanager
def _null():
    yield


def measure(lifecycles: int) -> tuple[dict[str, Usage], dict[str, list[dict]]]:
    """Run `lifecycles` lifecycles of each kind; their summed usage and facts, per kind."""
    import logging

    logging.getLogger("moto.stepfunctions").setLevel(logging.CRITICAL)
    meter = AwsMeter()
    usage = {kind: Usage() for kind in KINDS}
    facts: dict[str, list[dict]] = defaultdict(list)
    with MeteredSystem(meter).running() as metered:
        for n in range(lifecycles):
            for kind in KINDS:
                used, fact = run_lifecycle(metered, kind, n)
                usage[kind].add(used)
                facts[kind].append(fact)
    return usage, facts


# --- the report ----------------------------------------------------------------------------------------------------

def per_thousand(usage: Usage, lifecycles: int) -> dict[str, float]:
    return {name: dollars * 1000 / lifecycles for name, dollars in usage.dollars().items()}


def table(usage: dict[str, Usage], lifecycles: int) -> str:
    """The Markdown table docs/deploy.md carries: counts per cancellation and $ per 1,000, per kind and blended."""
    blended_counts = {name: sum(BLEND[k] * usage[k].counts[name] / lifecycles for k in KINDS) for name in PRICES}
    cost = {k: per_thousand(usage[k], lifecycles) for k in KINDS}
    blended_cost = {name: sum(BLEND[k] * cost[k][name] for k in KINDS) for name in PRICES}
    head = ["per cancellation"] + [f"{k}" for k in KINDS] + ["blended"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in PRICES:
        values = [usage[k].counts[name] / lifecycles for k in KINDS] + [blended_counts[name]]
        lines.append(f"| {LABELS[name]} | " + " | ".join(_count(v) for v in values) + " |")
    lines.append("| **$ per 1,000 cancellations** | | | | | |")
    for name in PRICES:
        values = [cost[k][name] for k in KINDS] + [blended_cost[name]]
        lines.append(f"| {LABELS[name]} | " + " | ".join(f"${v:.4f}" for v in values) + " |")
    totals = [sum(cost[k].values()) for k in KINDS] + [sum(blended_cost.values())]
    without_mail = [t - c["emails"] for t, c in zip(totals, [cost[k] for k in KINDS] + [blended_cost])]
    lines.append("| **total** | " + " | ".join(f"**${v:.3f}**" for v in totals) + " |")
    lines.append("| **total without e-mail** | " + " | ".join(f"**${v:.3f}**" for v in without_mail) + " |")
    return "\n".join(lines)


def _count(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lifecycles", type=int, default=5, help="lifecycles of each kind (default 5)")
    args = parser.parse_args()
    started = time.time()
    usage, facts = measure(args.lifecycles)
    print(f"Cost per 1,000 cancellations, measured over {args.lifecycles} lifecycles of each kind "
          f"(in-process moto, {time.time() - started:.0f} s; blend {BLEND})\n")
    print(table(usage, args.lifecycles))
    print("\nLambda per cancellation (invocations, mean billed ms)")
    for kind in KINDS:
        cells = ", ".join(f"{f} {usage[kind].invocations[f] / args.lifecycles:.1f} x "
                          f"{usage[kind].billed_ms[f] / max(1, usage[kind].invocations[f]):.0f} ms"
                          for f in sorted(usage[kind].invocations))
        print(f"  {kind:10s} {cells}")
    print("\nAWS calls per cancellation")
    for kind in KINDS:
        cells = ", ".join(f"{op} {n / args.lifecycles:g}" for op, n in sorted(usage[kind].calls.items()))
        print(f"  {kind:10s} {cells}")
    print("\nOutcomes")
    for kind in KINDS:
        statuses = Counter(f["status"] for f in facts[kind])
        print(f"  {kind:10s} executions {dict(statuses)}; mails per lifecycle "
              f"{sum(len(f['mail_to']) for f in facts[kind]) / args.lifecycles:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
