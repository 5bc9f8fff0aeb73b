"""A real CalDAV server on this machine: Radicale (from PyPI) on loopback, in its own process and folder, with
password logins (htpasswd, plain) and one calendar per user made over CalDAV (MKCALENDAR).

`interviews local` starts one with a calendar for each demo interviewer (local_runtime/calendars.py); the tests
start their own."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import caldav


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Radicale:
    folder: Path
    users: dict[str, str]
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Radicale:
        self.port = self.port or _free_port()
        (self.folder / "users").write_text("".join(f"{u}:{p}\n" for u, p in self.users.items()))
        (self.folder / "config").write_text(f"""
[server]
hosts = 127.0.0.1:{self.port}
[auth]
type = htpasswd
htpasswd_filename = {self.folder / "users"}
htpasswd_encryption = plain
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = {self.folder / "collections"}
[logging]
level = warning
""")
        self.process = subprocess.Popen([sys.executable, "-m", "radicale", "--config", str(self.folder / "config")],
                                        stdout=subprocess.DEVNULL, stderr=(self.folder / "log").open("w"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # readiness, not an assertion: wait until it accepts connections
            if self.process.poll() is not None:
                raise RuntimeError(f"radicale exited: {(self.folder / 'log').read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("radicale did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    def make_calendar(self, user: str, name: str = "interviews") -> str:
        """A new calendar collection of `user`; its URL."""
        client = caldav.DAVClient(url=f"{self.base}/{user}/", username=user, password=self.users[user])
        calendar = client.principal().make_calendar(name=name, cal_id=name)
        return str(calendar.url)

    def events(self, user: str, calendar_url: str) -> list:
        """What the user's own calendar client sees: every event in the calendar."""
        client = caldav.DAVClient(url=calendar_url, username=user, password=self.users[user])
        return client.calendar(url=calendar_url).events()
