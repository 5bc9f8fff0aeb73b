"""boto3 clients, made once per process. botocore's standard retry mode gives backoff with jitter on throttling."""

from __future__ import annotations

from functools import lru_cache

import boto3
from botocore.config import Config

_RETRYING = Config(retries={"mode": "standard", "max_attempts": 5})


@lru_cache(maxsize=None)
def client(service: str):
    return boto3.client(service, config=_RETRYING)
