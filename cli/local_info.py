"""Point this process at a running `interviews local` (the file its --info-file wrote), as a function there is."""

from __future__ import annotations

import json
import os


def use(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        info = json.load(handle)
    os.environ.update({**info["tables"], "AWS_ENDPOINT_URL": info["aws_endpoint"],
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "local",
                       "AWS_SECRET_ACCESS_KEY": "local", "EVENT_BUS_NAME": "unused",
                       "PUBLIC_BASE_URL": info["base_url"]})
    return info
