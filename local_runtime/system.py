"""The whole system on one machine: moto's server, our resources, the functions as Lambda instances, the
gateway, the queue pollers and the schedules. Used by `interviews local` and by the end-to-end tests."""

from __future__ import annotations

import html
import json
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

import boto3
import requests
from moto.server import ThreadedMotoServer

from infra import topology
from local_runtime import calendars, demo, gateway, moto_dynamodb, resources, staff_auth, staff_sign_in
from local_runtime.delivery import Poller
from local_runtime.instances import Instances
from local_runtime.lambda_events import scheduled_event

# The person ids of the local staff, as the ATS names them in job data (tests/events/interview_scheduled.json and
# local_runtime/demo.py): what scopes each local staff token (functions/domain/scopes.py). The admin needs none.
LOCAL_PERSON_IDS = {"recruiter": "rec-1", "department_manager": "mgr-1"}
# Who can sign in to the console on the local sign-in page (the same people staff_token() and the info file's
# tokens stand for): each role's local person, and a recruiter and a manager of other jobs and departments.
LOCAL_STAFF = [("recruiter", "recruiter-1", "rec-1"), ("department_manager", "department_manager-1", "mgr-1"),
               ("admin", "admin-1", None), ("recruiter", "recruiter-2", "rec-2"),
               ("department_manager", "department_manager-2", "mgr-2")]

AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": "local",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
}

POLLERS_PER_QUEUE = 3  # Lambda starts five; the worker pool here has four processes


@dataclass
class LocalSystem:
    host: str = "127.0.0.1"
    port: int = 8000
    sla_seconds: int = 24 * 3600
    workers: int = 4
    log_level: str = "INFO"
    report_dir: str = ".local/reports"
    with_calendars: bool = True  # Radicale on loopback with the demo interviewers' calendars
    _stops: list = field(default_factory=list)

    def start(self) -> LocalSystem:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server would log every AWS call
        moto_dynamodb.serialise_operations()
        self._moto = ThreadedMotoServer(ip_address=self.host, port=0, verbose=False)
        self._moto.start()
        self._stops.append(self._moto.stop)
        moto_host, moto_port = self._moto.get_host_and_port()
        moto_url = f"http://{moto_host}:{moto_port}"
        # The Step Functions interpreter reaches other services on localhost:$MOTO_PORT.
        os.environ.update({**AWS_ENVIRONMENT, "AWS_ENDPOINT_URL": moto_url, "MOTO_PORT": str(moto_port)})
        requests.post(f"{moto_url}/moto-api/config", json={"stepfunctions": {"execute_state_machine": True}},
                      timeout=10).raise_for_status()
        self.resources = resources.create()
        self.calendars = calendars.LocalCalendars(None)
        if self.with_calendars and calendars.available():
            self.calendars = calendars.start(demo.INTERVIEWERS)
            self._stops.append(self.calendars.stop)
        self.staff_key = secrets.token_urlsafe(32)
        # The console's callback and sign-out URL is known once the server has its port (below).
        self.sign_in = staff_sign_in.LocalSignIn(self.staff_key, "", [
            staff_sign_in.Account(f"{subject}@example.com", subject, role, person_id)
            for role, subject, person_id in LOCAL_STAFF])

        self._server = gateway.make_server(self.host, self.port, self._invoke, self.staff_key,
                                           {"/": self._index_page}, self._actions(), sign_in=self.sign_in)
        self.port = self._server.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self.sign_in.console_url = f"{self.base_url}/staff"
        self.environment = {
            **AWS_ENVIRONMENT, "AWS_ENDPOINT_URL": moto_url, "MOTO_PORT": str(moto_port),
            **self.resources.environment(),
            "STAGE": "local", "LINK_SIGNING_KEY": secrets.token_urlsafe(32), "PUBLIC_BASE_URL": self.base_url,
            "MAIL_SENDER": resources.SENDER, "HR_EMAIL": "hr@interviews.example.com",
            "APPROVAL_SLA_SECONDS": str(self.sla_seconds), "REPORT_DIR": self.report_dir,
            # The console's sign-in, as the CDK sets it to the user pool domain and the staff app client.
            "STAFF_AUTH_DOMAIN_URL": f"{self.base_url}/_local", "STAFF_CLIENT_ID": staff_sign_in.CLIENT_ID,
            "STAFF_SIGN_IN_URL": f"{self.base_url}/_local/oauth2/authorize",
            "POWERTOOLS_SERVICE_NAME": "interview-cancellations", "POWERTOOLS_LOG_LEVEL": self.log_level,
            "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_NAMESPACE": "InterviewCancellations",
            # The retention period, as a deployment would set it (`RETENTION_DAYS=180 interviews local`).
            **({"RETENTION_DAYS": os.environ["RETENTION_DAYS"]} if os.environ.get("RETENTION_DAYS") else {}),
        }
        if self.calendars.calendars:  # the same configuration a deployment has (infra/stack.py)
            self.environment["CALENDAR_CONNECTIONS"] = json.dumps(self.calendars.connections())
        os.environ.update(self.environment)
        self.instances = Instances(self.environment, size=self.workers)
        self._stops.append(self.instances.close)
        gateway.serve_in_background(self._server)
        self._stops.append(self._server.server_close)  # after shutdown (stops run in reverse): its workers end
        self._stops.append(self._server.shutdown)
        # Like Lambda's event source mapping, several batches of a queue are handled at once (SQS keeps no order
        # either way): one poller alone fell a minute behind when many requests escalated together.
        for queue in self.resources.queues:
            for lane in range(POLLERS_PER_QUEUE):
                poller = Poller(queue, self._invoke, lane)
                poller.start()
                self._stops.append(poller.stop)
        clock = Scheduler(self.run_schedule)
        clock.start()
        self._stops.append(clock.stop)
        return self

    def stop(self) -> None:
        for stop in reversed(self._stops):
            started = time.monotonic()
            try:
                stop()
            except Exception:  # noqa: BLE001 - stop everything we can
                pass
            if time.monotonic() - started > 2:  # say what makes Ctrl-C slow, if anything does
                print(f"stopping {getattr(stop, '__qualname__', stop)} took {time.monotonic() - started:.1f} s",
                      flush=True)
        self._stops.clear()

    def __enter__(self) -> LocalSystem:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- what people and tests use ------------------------------------------------------------------------------

    def _invoke(self, function_name: str, event: dict) -> dict:
        return self.instances.invoke(function_name, event)

    def run_schedule(self, name: str) -> dict:
        schedule = next(s for s in topology.SCHEDULES if s.name == name)
        return self._invoke(schedule.function, scheduled_event(schedule.detail))

    def _actions(self) -> dict:
        return {s.name: (lambda n=s.name: self.run_schedule(n)) for s in topology.SCHEDULES}

    def staff_token(self, role: str, subject: str | None = None, person_id: str | None = None) -> str:
        """A staff member's ID token. By default the role's local person (LOCAL_PERSON_IDS): the recruiter and
        department manager of the demo's and the tests' jobs."""
        subject = subject or f"{role}-1"
        return staff_auth.issue(self.staff_key, subject=subject, email=f"{subject}@example.com", groups=[role],
                                person_id=person_id or LOCAL_PERSON_IDS.get(role))

    def ats_token(self) -> str:
        """The ATS's access token (client credentials with the registration scope): what registers interviews."""
        return staff_auth.issue_machine(self.staff_key, scopes=[topology.ATS_REGISTER_SCOPE])

    def expired_tokens(self) -> dict[str, str]:
        """A staff token, the ATS's token, a candidate link token, a rating link token and a waitlist offer link token
        that have expired (refusals)."""
        from functions.integration import links  # after start(): this process's environment is the functions' own

        staff = staff_auth.issue(self.staff_key, subject="admin-1", email="admin-1@example.com", groups=["admin"],
                                 ttl_seconds=-60)
        ats = staff_auth.issue_machine(self.staff_key, scopes=[topology.ATS_REGISTER_SCOPE], ttl_seconds=-60)
        return {"staff": staff, "ats": ats, "candidate": links.candidate_token("expired-candidate", ttl_seconds=-60),
                "rating": links.rating_url("expired-request", ttl_seconds=-60).rsplit("/", 1)[1],
                "offer": links.offer_url("expired-slot", "expired-candidate", "expired-release",
                                         "2020-01-01T00:00:00Z").rsplit("/", 1)[1]}

    def put_event(self, detail_type: str, detail: dict, source: str = "interviews.ats") -> None:
        response = boto3.client("events").put_events(Entries=[{
            "Source": source, "DetailType": detail_type, "Detail": json.dumps(detail),
            "EventBusName": self.resources.bus_name}])
        assert response["FailedEntryCount"] == 0, response

    def _index_page(self) -> str:
        return ("<!doctype html><meta charset=utf-8><title>Local system</title><h1>Interview cancellations "
                "(local)</h1><ul><li><a href='/_local/outbox'>Mail outbox</a> (candidate links arrive here)</li>"
                "<li><a href='/staff'>Staff console</a> (sign in as one of the local staff)</li>"
                "<li><a href='/docs'>API (Swagger UI)</a></li><li><a href='/openapi.json'>OpenAPI</a></li></ul>"
                + self._calendars_section()
                + "".join(f"<form method=post action='/_local/run/{s.name}'><button>Run {s.name}</button></form>"
                          for s in topology.SCHEDULES))

    def _calendars_section(self) -> str:
        """Links to the interviewers' calendars on the local CalDAV server, with their logins (loopback only)."""
        if not self.calendars.calendars:
            return "<p>No interviewer calendars (Radicale is not installed, or --no-calendars).</p>"
        rows = "".join(
            f"<li>{html.escape(c.name)}: <a class=calendar href='{html.escape(c.url)}'>{html.escape(c.url)}</a> "
            f"(CalDAV; user <code>{html.escape(c.username)}</code>, password <code>{html.escape(c.password)}</code>; "
            f"<a href='{html.escape(self.calendars.server.base)}/.web/'>Radicale's web page</a>)</li>"
            for c in self.calendars.calendars)
        return ("<h2>Interviewers' calendars</h2><p>Subscribe to one in a calendar app, or open it here (the whole "
                f"calendar as .ics). Delete or decline an interview there, then run calendar-sync.</p><ul>{rows}</ul>")


class Scheduler(threading.Thread):
    """Fires topology.SCHEDULES at their cron minute and hour (UTC here), like EventBridge Scheduler."""

    def __init__(self, run: callable):
        super().__init__(name="scheduler", daemon=True)
        self.run_schedule, self.stopping, self.fired = run, threading.Event(), set()

    @staticmethod
    def due(cron: str, moment: datetime) -> bool:
        minute, hour = cron.removeprefix("cron(").split()[:2]
        return Scheduler._matches(minute, moment.minute) and Scheduler._matches(hour, moment.hour)

    @staticmethod
    def _matches(field: str, value: int) -> bool:
        """"*", a number, or "start/step" (every step from start, as EventBridge's "0/5")."""
        if field == "*":
            return True
        if "/" in field:
            start, step = field.split("/")
            start = 0 if start == "*" else int(start)
            return value >= start and (value - start) % int(step) == 0
        return field == str(value)

    def run(self) -> None:
        while not self.stopping.wait(20):
            now = datetime.now(timezone.utc)
            for schedule in topology.SCHEDULES:
                key = (schedule.name, now.strftime("%Y%m%d%H%M"))
                if key not in self.fired and self.due(schedule.cron, now):
                    self.fired.add(key)
                    try:
                        self.run_schedule(schedule.name)
                    except Exception:  # noqa: BLE001 - a failed run is logged by the function; try next time
                        logging.getLogger(__name__).exception("schedule %s failed", schedule.name)

    def stop(self) -> None:
        self.stopping.set()


def wait_forever() -> None:
    # Wakes every second rather than blocking for good: Python runs a signal's handler in the main thread, and
    # only when that thread next runs, so a Ctrl-C that Linux hands to another thread was acted on never.
    while True:
        time.sleep(1)
