"""boto3 clients, made once per process, over one botocore session per thread. botocore's standard retry mode
gives backoff with jitter on throttling.

The session is shared with PynamoDB (tables.py hands it this module's session) and Powertools' idempotency
store: a botocore session reads each service's model and the endpoint data from disk once, so every client
after the first costs little. PynamoDB alone would start a session, and read them all again, per table.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import boto3
import botocore.session
from botocore.config import Config

_RETRYING = Config(retries={"mode": "standard", "max_attempts": 5})
_threads = threading.local()  # botocore sessions are not safe to share between threads; their clients are


def botocore_session() -> botocore.session.Session:
    """This thread's botocore session."""
    current = getattr(_threads, "botocore", None)
    if current is None:
        current = _threads.botocore = botocore.session.get_session()
    return current


def session() -> boto3.session.Session:
    """This thread's boto3 session, over its botocore session."""
    current = getattr(_threads, "boto3", None)
    if current is None:
        current = _threads.boto3 = boto3.session.Session(botocore_session=botocore_session())
    return current


@lru_cache(maxsize=None)
def client(service: str):
    return session().client(service, config=_RETRYING)


def renew() -> None:
    """Forget every client and this thread's sessions (their credentials and pooled connections); the next ones
    resolve credentials again but keep the service models already read (the session's data loader)."""
    client.cache_clear()
    old = getattr(_threads, "botocore", None)
    _threads.botocore = _threads.boto3 = None
    if old is not None:
        botocore_session().register_component("data_loader", old.get_component("data_loader"))
