"""Child of benchmarks/cold_start.py: one cold interpreter. It either imports a function's handler and serves the
one event it is given (as a Lambda instance's first invocation would), or imports boto3 and makes one call (the
baseline). It prints how long the import took and how long the import plus the first answer took.

    python benchmarks/_cold_child.py cancel '<event JSON>'
    python benchmarks/_cold_child.py boto3 '{"table": ..., "key": {...}}'
"""

import time

_started = time.perf_counter()

import importlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402


def _answer(function: str, event: dict) -> None:
    handler = importlib.import_module(f"functions.{function}.handler").lambda_handler
    imported = time.perf_counter()
    from local_runtime.lambda_events import LambdaContext

    response = handler(event, LambdaContext(function_name=function))
    answered = time.perf_counter()
    status = response.get("statusCode", 200) if isinstance(response, dict) else 200
    failures = response.get("batchItemFailures", []) if isinstance(response, dict) else []
    if status >= 400 or failures:
        raise SystemExit(f"{function}: the first request failed: {str(response)[:400]}")
    _report(imported, answered)


def _baseline(call: dict) -> None:
    import boto3

    imported = time.perf_counter()
    boto3.client("dynamodb").get_item(TableName=call["table"], Key=call["key"])
    _report(imported, time.perf_counter())


def _report(imported: float, answered: float) -> None:
    print(json.dumps({"import": imported - _started, "first": answered - _started}))


if __name__ == "__main__":
    sys.path.insert(0, __file__.rsplit("/benchmarks/", 1)[0])
    kind, payload = sys.argv[1], json.loads(sys.argv[2])
    _baseline(payload) if kind == "boto3" else _answer(kind, payload)
