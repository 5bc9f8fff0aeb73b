"""`interviews local` in a child process, as the README starts it: for the end-to-end tests and the load script.

Empty (no demo data), on a free loopback port; its output goes to a file beside the info file (a pipe nobody
reads would fill up and stall the system under load). Stopped with Ctrl-C (SIGINT) at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@contextmanager
def running(directory: Path, *, sla_seconds: int, log_level: str = "WARNING", start_timeout: float = 120,
            stop_timeout: float = 30, strict_stop: bool = True, calendars: bool = True,
            policy_file: Path | None = None):
    """Yields the info file (base URL, staff tokens, AWS endpoint, tables) once the system serves.

    At the end it sends Ctrl-C (SIGINT). If the system has not stopped after `stop_timeout` seconds, it is asked
    for every thread's stack (SIGUSR1: faulthandler writes them to the log), killed, and, with `strict_stop`,
    that is an error. `calendars=False` starts no Radicale (no interviewer calendar is written); `policy_file`
    is the cancellation policy in force (POLICY_FILE) instead of the shipped one."""
    info_file, log_file = directory / "info.json", directory / "local.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TABLE_", "MOTO", "POLICY_"))}
    if policy_file is not None:
        env["POLICY_FILE"] = str(policy_file)
    with open(log_file, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "local", "--port", "0", "--no-demo", "--sla-seconds",
             str(sla_seconds), "--info-file", str(info_file), "--log-level", log_level,
             *([] if calendars else ["--no-calendars"])],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + start_timeout
        while not (info_file.exists() and info_file.stat().st_size) and process.poll() is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the local system did not start within {start_timeout:.0f} s")
            time.sleep(0.3)
        if process.poll() is not None:
            raise RuntimeError(f"the local system exited at start:\n{log_file.read_text()[-4000:]}")
        yield info_file
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGUSR1)
            time.sleep(2)
            process.kill()
            message = f"the local system did not stop on Ctrl-C within {stop_timeout:.0f} s; stacks in {log_file}"
            if strict_stop and sys.exc_info()[0] is None:  # never hide why the run failed (e.g. a slow start)
                raise RuntimeError(message) from None
            warnings.warn(message, stacklevel=2)
