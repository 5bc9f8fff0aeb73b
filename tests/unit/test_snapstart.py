"""SnapStart hooks: inert without Lambda's runtime; with it, the before-snapshot hook prepares what a first
request would otherwise build, and the after-restore hook leaves no client, connection or key from the snapshot."""

from __future__ import annotations

import importlib
import os
import random
import subprocess
import sys
import types

from functions.core import models, snapstart
from functions.integration import aws, links, snapshot, tables
from functions.integration.data import transactions
from functions.web import rendering
from functions.web import snapshot as web_snapshot


def test_without_lambdas_runtime_registering_a_hook_only_returns_it():
    def hook():
        raise AssertionError("never run locally")

    assert snapstart.AVAILABLE is False
    assert snapstart.before_snapshot(hook) is hook
    assert snapstart.after_restore(hook) is hook


def test_with_lambdas_runtime_hooks_are_registered_with_it_and_random_is_reseeded_after_restore(monkeypatch):
    registered = {"before": [], "after": []}
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_before_snapshot = lambda func, *a, **k: registered["before"].append(func) or func
    runtime.register_after_restore = lambda func, *a, **k: registered["after"].append(func) or func
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)
    try:
        reloaded = importlib.reload(snapstart)
        assert reloaded.AVAILABLE is True
        assert registered["after"] == [reloaded.reseed_random]
        random.seed(7)
        snapshotted = random.random()
        random.seed(7)
        reloaded.reseed_random()
        assert random.random() != snapshotted
    finally:
        monkeypatch.delitem(sys.modules, "snapshot_restore_py")
        importlib.reload(snapstart)


def test_before_the_snapshot_templates_are_compiled_and_every_tables_client_is_built():
    aws.client.cache_clear()
    web_snapshot.prepare("stepfunctions")
    assert aws.client.cache_info().currsize == 1
    assert transactions.connection._client is not None
    assert all(model._connection.connection._client is not None for model in snapshot._models())
    assert {m.__name__ for m in snapshot._models()} >= {"InterviewItem", "RequestItem", "AuditItem"}
    assert rendering._environment().cache  # compiled templates, kept by Jinja2
    assert models.InterviewScheduled.__pydantic_complete__ and models.MoveReceipt.__pydantic_complete__


def test_after_a_restore_no_client_connection_or_signing_key_survives_from_the_snapshot():
    snapshot.build_clients("events")
    links.keyring.keys()
    assert links.keyring._keys is not None
    snapshotted = aws.botocore_session()

    snapshot.forget_connections_and_keys()

    assert aws.client.cache_info().currsize == 0
    assert transactions.connection._client is None
    assert all(model._connection.connection._client is None for model in snapshot._models())
    renewed = aws.botocore_session()
    assert renewed is not snapshotted  # credentials are resolved again...
    assert renewed.get_component("data_loader") is snapshotted.get_component("data_loader")  # ...models are not
    assert aws.client("events")._endpoint.http_session is not None
    assert tables.InterviewItem._get_connection().connection.session is renewed
    assert links.keyring._keys is None
    links.keyring.keys()
    assert links.keyring._keys is not None  # read again at the next use
    assert tables.InterviewItem._get_connection().connection.client is not None  # rebuilt on demand


def test_the_api_functions_register_hooks_that_run_and_leave_them_serving(tmp_path):
    # Given Lambda's runtime module (a stand-in that records the hooks), the handlers register their hooks on import
    runtime = tmp_path / "snapshot_restore_py.py"
    runtime.write_text("before, after = [], []\n"
                       "def register_before_snapshot(f, *a, **k): before.append((f, a, k)); return f\n"
                       "def register_after_restore(f, *a, **k): after.append((f, a, k)); return f\n")
    code = (
        "import snapshot_restore_py as rt, functions.cancel.handler as cancel, functions.approve.handler as approve\n"
        "from local_runtime.lambda_events import api_gateway_event, LambdaContext\n"
        "for f, a, k in reversed(rt.before): f(*a, **k)\n"  # Lambda runs these in reverse order of registration
        "for f, a, k in rt.after: f(*a, **k)\n"
        "event = api_gateway_event(method='GET', path='/docs', resource='/docs', path_parameters={}, query={},\n"
        "                          headers={}, body=b'', claims=None, source_ip='1.1.1.1')\n"
        "print(len(rt.before), len(rt.after), cancel.lambda_handler(event, LambdaContext('cancel'))['statusCode'])\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert child.returncode == 0, child.stderr[-3000:]
    # Then each function's prepare ran before the snapshot, the restore hooks after it, and a request is served
    before, after, status = child.stdout.strip().splitlines()[-1].split()
    assert (int(before), int(after), status) == (2, 3, "200")  # 2 prepares; reseed + 2 forgets


def test_what_the_snapshot_keeps_is_frozen_out_of_the_collectors_reach():
    import gc

    gc.unfreeze()
    web_snapshot.prepare("stepfunctions")
    try:
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
