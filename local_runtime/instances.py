"""Lambda instances on one machine: a pool of worker processes, each importing our handlers once.

Like Lambda, concurrent invocations never share a process, so module-level state (Powertools' resolver,
boto3 clients) behaves as in the cloud; and like a warm Lambda, a worker serves many invocations in turn.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

from infra import topology
from local_runtime.lambda_events import LambdaContext

_handlers: dict = {}


def _start_worker(environment: dict[str, str]) -> None:
    os.environ.update(environment)
    for function in topology.FUNCTIONS:
        module_name, _, attribute = function.handler.rpartition(".")
        _handlers[function.name] = getattr(importlib.import_module(module_name), attribute)


def _invoke(function_name: str, event: dict) -> dict:
    return _handlers[function_name](event, LambdaContext(function_name=function_name))


class Instances:
    def __init__(self, environment: dict[str, str], size: int = 4):
        # spawn, not fork: the parent runs the moto server's threads, which must not be copied mid-flight.
        self._pool = ProcessPoolExecutor(max_workers=size, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start_worker, initargs=(environment,))
        # Start every worker now so the first requests don't pay for the imports.
        for future in [self._pool.submit(os.getpid) for _ in range(size)]:
            future.result()

    def invoke(self, function_name: str, event: dict) -> dict:
        return self._pool.submit(_invoke, function_name, event).result(timeout=60)

    def close(self, timeout: float = 20) -> None:
        """Let running invocations finish for up to `timeout` seconds, then end the workers."""
        processes = list((self._pool._processes or {}).values())  # noqa: SLF001 - the pool has no public handle
        self._pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + timeout
        for process in processes:
            process.join(timeout=max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.terminate()
