"""Child of benchmarks/handlers.py: a cold process that imports ONE function's handler, as one Lambda instance
would, serves the HTTP requests it is given, counts every AWS API call each makes, and reports its peak memory.

    python benchmarks/_serve_requests.py cancel '[{"name": ..., "method": ..., "path": ..., ...}]'
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import botocore.client  # noqa: E402

calls: list[str] = []
_original = botocore.client.BaseClient._make_api_call


def _counting(self, operation, params):
    calls.append(operation)
    return _original(self, operation, params)


botocore.client.BaseClient._make_api_call = _counting

from local_runtime.lambda_events import LambdaContext, api_gateway_event  # noqa: E402


def _high_water_mark_mb() -> float:
    """This process's peak resident memory. (getrusage's ru_maxrss would include the parent's at fork time.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(function: str, requests: list[dict]) -> None:
    handler = importlib.import_module(f"functions.{function}.handler").lambda_handler
    counted, operations = {}, {}
    for request in requests:
        event = api_gateway_event(method=request["method"], path=request["path"], resource=request["path"],
                                  path_parameters={}, query={}, headers=request.get("headers", {}),
                                  body=request.get("body", "").encode(), claims=None, source_ip="127.0.0.1")
        before = len(calls)
        response = handler(event, LambdaContext(function_name=function))
        assert response["statusCode"] < 400, (request["name"], response)
        counted[request["name"]] = len(calls) - before
        operations[request["name"]] = calls[before:]
    peak_mb = _high_water_mark_mb()
    print(json.dumps({"calls": counted, "operations": operations, "peak_rss_mb": peak_mb}))


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]))
