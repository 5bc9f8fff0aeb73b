"""What the benchmarks share: moto's server on loopback with our resources, seeded interviews, an approval
reached through the real workflow, and the environment a deployed function runs with.

Not a benchmark itself; benchmarks/handlers.py and benchmarks/cold_start.py import it.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EVENT = json.loads((REPO / "tests/events/interview_scheduled.json").read_text())


@dataclass
class LocalSystem:
    server: object  # moto.server.ThreadedMotoServer
    endpoint: str
    created: object  # local_runtime.resources.Resources
    env: dict  # for a child process: AWS on the server, our resources, tracing off (the local runtime's)

    def link_secret_arn(self) -> str:
        """The signing key as the cloud keeps it: a Secrets Manager secret (created on first use)."""
        import boto3

        if not getattr(self, "_secret_arn", None):
            self._secret_arn = boto3.client("secretsmanager").create_secret(
                Name="bench-link-signing", SecretString=json.dumps({"current": self.env["LINK_SIGNING_KEY"]}))["ARN"]
        return self._secret_arn

    def stop(self) -> None:
        self.server.stop()


def start(prefix: str = "bench") -> LocalSystem:
    """moto's server with our tables, bus, queues and state machine; this process's AWS calls go to it."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    aws = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": endpoint, "MOTO_PORT": str(port)}
    os.environ.update(aws)
    import requests

    # Before the state machine is created: moto keeps executed state machines in another backend.
    requests.post(f"{endpoint}/moto-api/config", json={"stepfunctions": {"execute_state_machine": True}},
                  timeout=10)
    from local_runtime import resources

    created = resources.create(prefix=prefix)
    env = {**os.environ, **aws, **created.environment(), "LINK_SIGNING_KEY": "bench-key",
           "PUBLIC_BASE_URL": "http://bench", "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR",
           "POWERTOOLS_METRICS_NAMESPACE": "Bench", "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "0"}
    os.environ.update({k: v for k, v in env.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")})
    return LocalSystem(server, endpoint, created, env)


def production_env(system: LocalSystem, function: str) -> dict:
    """The environment of a deployed function (infra/constructs/functions.py), on the local system: tracing on
    (Powertools traces only inside Lambda, which LAMBDA_TASK_ROOT says), logs at INFO, a sampled trace header,
    and the link-signing key read from Secrets Manager (the same key this process signs with)."""
    drop = ("POWERTOOLS_TRACE_DISABLED", "POWERTOOLS_LOG_LEVEL", "LINK_SIGNING_KEY")
    env = {k: v for k, v in system.env.items() if k not in drop}
    return {**env, "LINK_SIGNING_SECRET_ARN": system.link_secret_arn(), "POWERTOOLS_SERVICE_NAME": "interview-cancellations",
            "POWERTOOLS_METRICS_NAMESPACE": "InterviewCancellations",
            "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false", "POWERTOOLS_TRACER_CAPTURE_ERROR": "false",
            "LOG_LEVEL": "INFO", "LAMBDA_TASK_ROOT": str(REPO), "AWS_LAMBDA_FUNCTION_NAME": function,
            "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000", "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"}


def seed_interviews(*interview_ids: str) -> None:
    """Interviews of candidate cand-1, registered as the ATS's InterviewScheduled would (by this process)."""
    from functions.integration import once
    from functions.notify import events
    from local_runtime.lambda_events import LambdaContext

    once.register_lambda_context(LambdaContext(function_name="notify"))  # as notify's handler does
    for interview_id in interview_ids:
        events.handle("InterviewScheduled", {**EVENT, "interview_id": interview_id, "slot_id": f"slot-{interview_id}"})


def candidate_auth() -> dict:
    from functions.integration import links

    return {"Authorization": f"Bearer {links.candidate_token('cand-1')}", "Content-Type": "application/json"}


def cancellation(interview_id: str, reason: str) -> dict:
    """The candidate's POST of a cancellation, as the request the benchmarks serve."""
    return {"name": f"POST cancellation ({reason})", "method": "POST",
            "path": f"/api/candidate/interviews/{interview_id}/cancellations",
            "headers": {**candidate_auth(), "Idempotency-Key": f"bench-{interview_id}"},
            "body": json.dumps({"reason_code": reason})}


def approval_token(system: LocalSystem, request_id: str) -> str:
    """Run the workflow and the queues' functions (in this process) until the request awaits its approver; the
    approver's link token."""
    from functions.integration import links
    from functions.integration.data import approval_store
    from local_runtime.delivery import deliver_once
    from local_runtime.lambda_events import LambdaContext

    def invoke(function: str, event: dict) -> dict:
        handler = importlib.import_module(f"functions.{function}.handler").lambda_handler
        return handler(event, LambdaContext(function_name=function))

    for _ in range(200):
        for queue in system.created.queues:
            deliver_once(queue, invoke)
        approval = approval_store.get_approval(request_id)
        if approval:
            return links.approver_token(request_id, 0, approval.approver_id, 3600)
        time.sleep(0.1)
    raise RuntimeError(f"no approval opened for {request_id}")
