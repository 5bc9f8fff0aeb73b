"""The interviewers' calendars of the local system: a real CalDAV server (Radicale, on loopback) with one calendar
per demo interviewer, connected exactly as a deployment connects them: CALENDAR_CONNECTIONS names each
interviewer's calendar URL and a Secrets Manager secret (here in moto) with the login. So `make run` shows the
interview appear in, move within and vanish from a calendar that a calendar app can subscribe to, and the
two-way sync reads what the interviewer did there.

Everything lives in a fresh folder per run, like the rest of the local system (moto keeps its state in memory).
"""

from __future__ import annotations

import importlib.util
import json
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import boto3

from local_runtime.radicale import Radicale

CALENDAR_NAME = "interviews"


@dataclass(frozen=True)
class Calendar:
    email: str
    name: str
    url: str
    username: str
    password: str
    secret_arn: str


@dataclass
class LocalCalendars:
    server: Radicale | None
    calendars: list[Calendar] = field(default_factory=list)

    def connections(self) -> dict:
        """CALENDAR_CONNECTIONS: one entry per interviewer address, as docs/calendars.md describes."""
        return {c.email: {"url": c.url, "secret_arn": c.secret_arn} for c in self.calendars}

    def info(self) -> dict:
        """What tests and benchmarks need to look at the calendars as their owners would."""
        return {c.email: {"url": c.url, "username": c.username, "password": c.password} for c in self.calendars}

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            shutil.rmtree(self.server.folder, ignore_errors=True)


def available() -> bool:
    return importlib.util.find_spec("radicale") is not None


def start(interviewers: list[dict], prefix: str = "local") -> LocalCalendars:
    """Radicale on a free loopback port with a calendar per interviewer ({"name", "email"}), each connected
    through a secret in Secrets Manager (boto3 follows AWS_ENDPOINT_URL: moto's server)."""
    users = {i["email"].split("@", 1)[0]: secrets.token_urlsafe(12) for i in interviewers}
    server = Radicale(Path(tempfile.mkdtemp(prefix="interviews-radicale-")), users).start()
    secretsmanager = boto3.client("secretsmanager")
    calendars = []
    for interviewer in interviewers:
        user = interviewer["email"].split("@", 1)[0]
        url = server.make_calendar(user, name=CALENDAR_NAME)
        arn = secretsmanager.create_secret(
            Name=f"{prefix}-calendar-{user}",
            SecretString=json.dumps({"username": user, "password": users[user]}))["ARN"]
        calendars.append(Calendar(email=interviewer["email"], name=interviewer["name"], url=url, username=user,
                                  password=users[user], secret_arn=arn))
    return LocalCalendars(server, calendars)
