"""Child of benchmarks/cold_start.py: one cold interpreter. It either imports a function's handler and serves the
one event it is given (as a Lambda instance's first invocation would), or imports boto3 and makes one call (the
baseline). It prints how long the import took and how long the import plus the first answer took.

    python benchmarks/_cold_child.py cancel '<event JSON>'
    python benchmarks/_cold_child.py boto3 '{"table": ..., "key": {...}}'
    python benchmarks/_cold_child.py modules-of cancel     # prints the modules other than ours the handler imports
    python benchmarks/_cold_child.py libraries '["botocore", ...]'  # imports just those, in that order
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


def _modules_of(function: str) -> None:
    """The modules besides ours that importing the handler loads, in the order it loads them."""
    importlib.import_module(f"functions.{function}.handler")
    ours = ("functions", "__main__", "__mp_main__")
    print(json.dumps([name for name in sys.modules if name.split(".")[0] not in ours]))


def _libraries(modules: list[str]) -> None:
    """The handler's libraries alone: what its import would cost if our code were free (the collector paused and
    the result frozen, as the handler imports)."""
    from functions.core.collector import imports_uncollected

    with imports_uncollected():
        for name in modules:
            if name not in sys.modules:
                try:
                    importlib.import_module(name)
                except ImportError:  # made by another module under this name (six.moves), or needs a __main__
                    pass
    imported = time.perf_counter()
    _report(imported, imported)


def _report(imported: float, answered: float) -> None:
    print(json.dumps({"import": imported - _started, "first": answered - _started}))


if __name__ == "__main__":
    sys.path.insert(0, __file__.rsplit("/benchmarks/", 1)[0])
    kind, payload = sys.argv[1], sys.argv[2]
    if kind == "modules-of":
        _modules_of(payload)
    elif kind == "libraries":
        _libraries(json.loads(payload))
    elif kind == "boto3":
        _baseline(json.loads(payload))
    else:
        _answer(kind, json.loads(payload))
