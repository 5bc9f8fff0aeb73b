"""The CDK app builds exactly topology.py, as the local runtime does: routes, rules, schedules, functions,
tables, the environment the code reads, and the state machine from the same ASL file."""

from __future__ import annotations

import json
import re
from pathlib import Path

from infra_helpers import ROOT, api_targets_by_name, functions_by_name, refs

from infra import topology


def _resource_paths(synth) -> dict[str, str]:
    """logical id of each AWS::ApiGateway::Resource -> its full path."""
    resources = synth.of_type("AWS::ApiGateway::Resource")
    paths: dict[str, str] = {}

    def path_of(logical_id: str) -> str:
        if logical_id not in paths:
            props = resources[logical_id]["Properties"]
            parent = props["ParentId"]
            prefix = path_of(parent["Ref"]) if "Ref" in parent else ""
            paths[logical_id] = f"{prefix}/{props['PathPart']}"
        return paths[logical_id]

    for logical_id in resources:
        path_of(logical_id)
    return paths


def _api_routes(synth) -> set[tuple[str, str, str, str]]:
    """(method, path, function, auth) of every API method in the template (a SnapStart function's by its alias)."""
    paths = _resource_paths(synth)
    function_names = {v: k for k, v in api_targets_by_name(synth).items()}
    routes = set()
    for method in synth.of_type("AWS::ApiGateway::Method").values():
        props = method["Properties"]
        path = paths[props["ResourceId"]["Ref"]]
        (function_id,) = refs(props["Integration"]["Uri"]) & set(function_names)
        auth = "open"
        if props["AuthorizationType"] == "COGNITO_USER_POOLS":
            auth = f"scopes {sorted(props['AuthorizationScopes'])}" if props.get("AuthorizationScopes") else "staff"
        routes.add((props["HttpMethod"], path, function_names[function_id], auth))
    return routes


def test_api_methods_are_exactly_topologys_routes(synth):
    # Given the API methods in the template
    routes = _api_routes(synth)
    # Then they are topology's routes, one method each, to the same function, with the same kind of auth
    kinds = {"staff": lambda r: "staff", "ats": lambda r: f"scopes {sorted(r.scopes)}"}
    expected = {
        (r.method, r.path, r.function, kinds.get(r.auth, lambda r: "open")(r)) for r in topology.ROUTES
    }
    assert routes == expected
    assert len(synth.of_type("AWS::ApiGateway::Method")) == len(topology.ROUTES)


def test_the_local_gateway_serves_the_same_routes(synth):
    # Given the local runtime's gateway, which serves HTTP on loopback
    from local_runtime import gateway

    local = {(route.method, route.path, route.function) for route, _ in gateway.ROUTES}
    # Then it serves exactly what the API Gateway of the CDK app serves
    assert local == {(m, p, f) for m, p, f, _ in _api_routes(synth)}
    # And every path parameter the handlers receive is declared required on the API method
    for route in topology.ROUTES:
        for name in re.findall(r"\{(\w+)\}", route.path):
            assert gateway.match(route.method, route.path.replace("{" + name + "}", "x")) is not None


def test_path_parameters_are_required_on_every_method(synth):
    # Given each method and its route
    for route, method in synth.stack.api.methods:
        props = synth.resources[synth.stack.get_logical_id(method.node.default_child)]["Properties"]
        expected = {f"method.request.path.{p}": True for p in re.findall(r"\{(\w+)\}", route.path)}
        # Then the method requires exactly the route's path parameters
        assert props.get("RequestParameters", {}) == expected, route


def test_event_rules_are_exactly_topologys_rules_into_the_right_function(synth):
    # Given the rules on the service's bus, their queues and the event source mappings
    bus_id = synth.logical_id(synth.stack.events.bus)
    rules = [
        r["Properties"]
        for r in synth.of_type("AWS::Events::Rule").values()
        if refs(r["Properties"].get("EventBusName", {})) == {bus_id}
    ]
    mappings = synth.of_type("AWS::Lambda::EventSourceMapping").values()
    function_names = {v: k for k, v in functions_by_name(synth).items()}
    built = set()
    for rule in rules:
        (target,) = rule["Targets"]
        (queue_id,) = refs(target["Arn"])
        (mapping,) = [m for m in mappings if refs(m["Properties"]["EventSourceArn"]) == {queue_id}]
        (function_id,) = refs(mapping["Properties"]["FunctionName"])
        built.add((json.dumps(rule["EventPattern"], sort_keys=True), function_names[function_id]))
    # Then they are topology's rules: same pattern (detail-types and their sources), consumed by the same function
    ats_sources = synth.stack.config.ats_sources
    assert built == {(json.dumps(r.pattern(ats_sources), sort_keys=True), r.function) for r in topology.RULES}
    assert len(rules) == len(topology.RULES)


def test_each_rule_takes_a_detail_type_only_from_the_source_that_may_send_it(synth):
    # Given the rules on the service's bus
    bus_id = synth.logical_id(synth.stack.events.bus)
    patterns = [
        r["Properties"]["EventPattern"]
        for r in synth.of_type("AWS::Events::Rule").values()
        if refs(r["Properties"].get("EventBusName", {})) == {bus_id}
    ]
    allowed = {}
    for pattern in patterns:
        for part in pattern.get("$or", [pattern]):
            # Then every part of every pattern names its sources: no rule matches on the detail-type alone
            assert part["source"], pattern
            for detail_type in part["detail-type"]:
                allowed.setdefault(detail_type, set()).update(part["source"])
    # And this service's events come only from its own source, the ATS's from the configured ATS sources
    # (registrations also from us: the registration API announces what the ATS registered through it)
    ats = set(synth.stack.config.ats_sources)
    assert allowed["CancellationApproved"] == allowed["ApprovalRequested"] == {topology.EVENT_SOURCE}
    assert allowed["InterviewMoved"] == allowed["SlotClaimed"] == {topology.EVENT_SOURCE}
    assert allowed["CandidateWaitlisted"] == ats
    assert allowed["InterviewScheduled"] == ats | {topology.EVENT_SOURCE}
    assert allowed["Email Bounced"] == {"aws.ses"}
    assert set(allowed) == {t for r in topology.RULES for t in r.detail_types}


def test_the_local_runtime_builds_the_same_rules(synth, monkeypatch):
    # Given the local runtime's resources, created on moto in-process (never on a server another test started)
    import os

    import boto3
    from moto import mock_aws

    from local_runtime import resources

    bus_id = synth.logical_id(synth.stack.events.bus)
    cloud = sorted(
        json.dumps(r["Properties"]["EventPattern"], sort_keys=True)
        for r in synth.of_type("AWS::Events::Rule").values()
        if refs(r["Properties"].get("EventBusName", {})) == {bus_id}
    )
    for name in [n for n in os.environ if n.startswith("AWS_ENDPOINT_URL")]:
        monkeypatch.delenv(name)
    for name, value in (
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ):
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    with mock_aws():
        created = resources.create(prefix="parity")
        events = boto3.client("events")
        local = sorted(
            json.dumps(json.loads(r["EventPattern"]), sort_keys=True)
            for r in events.list_rules(EventBusName=created.bus_name)["Rules"]
        )
        local_queues = {(q.rule, q.function) for q in created.queues}
    # Then the event patterns and the rule -> function wiring are the same as in the CDK app
    assert local == cloud
    assert (
        local_queues
        == {(r.name, r.function) for r in topology.RULES}
        == {
            (name, next(f for f, fn in synth.stack.functions.functions.items() if fn is s.function))
            for name, s in synth.stack.events.subscriptions.items()
        }
    )


def test_schedules_are_exactly_topologys_in_the_configured_timezone(synth):
    # Given the Scheduler schedules
    schedules = [s["Properties"] for s in synth.of_type("AWS::Scheduler::Schedule").values()]
    function_names = {v: k for k, v in functions_by_name(synth).items()}
    built = set()
    for schedule in schedules:
        (function_id,) = refs(schedule["Target"]["Arn"])
        payload = json.loads(_render(schedule["Target"]["Input"]))
        built.add(
            (schedule["ScheduleExpression"], function_names[function_id], json.dumps(payload["detail"]))
        )
        # Then each runs in the deployment's timezone (context scheduleTimezone)
        assert schedule["ScheduleExpressionTimezone"] == synth.context["scheduleTimezone"]
        assert schedule["State"] == "ENABLED"
    # And they are topology's schedules: same cron, same function, same detail
    assert built == {(s.cron, s.function, json.dumps(s.detail)) for s in topology.SCHEDULES}


def test_a_scheduled_invocation_looks_like_the_local_runtimes(synth):
    # Given the event the local runtime hands a scheduled function, and the input of the cloud schedule
    from local_runtime.lambda_events import scheduled_event

    (schedule,) = [s["Properties"] for s in synth.of_type("AWS::Scheduler::Schedule").values()][:1]
    cloud = json.loads(_render(schedule["Target"]["Input"]))
    local = scheduled_event({"job": "x"})
    # Then both have the same shape: an EventBridge-style envelope with the same source and detail-type
    assert set(cloud) == set(local)
    assert (cloud["source"], cloud["detail-type"]) == (local["source"], local["detail-type"])


def test_functions_are_exactly_topologys_with_their_handlers(synth):
    # Given the functions in the template
    handlers = sorted(f["Properties"]["Handler"] for f in synth.of_type("AWS::Lambda::Function").values())
    # Then there is one per topology function, with its handler
    assert handlers == sorted(f.handler for f in topology.FUNCTIONS)


def test_the_stack_outputs_what_the_command_line_tool_reads_to_use_it(synth):
    # Given the stack's outputs (`interviews history import --stack` finds the tables through them)
    from cli import deployed

    # When the tool turns them into the functions' environment
    environment = deployed.environment_of({key: key for key in synth.outputs})
    # Then every table's variable is there, each from the table's own output
    assert {t.env_var for t in topology.TABLES} <= set(environment)
    tables = {logical_id for logical_id, resource in synth.resources.items()
              if resource["Type"] in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")}
    for table in topology.TABLES:
        assert refs(synth.outputs[environment[table.env_var]]["Value"]) & tables, table.name


def test_the_access_declarations_name_exactly_topologys_functions_and_tables():
    # Given the per-function declarations of what each function may touch
    from infra.constructs import functions

    names = {f.name for f in topology.FUNCTIONS}
    tables = {t.name for t in topology.TABLES}
    # Then they cover every function, and name only real tables and no write to an append-only one
    assert set(functions.TABLE_ACCESS) == names == set(functions.CAPABILITIES)
    for function, access in functions.TABLE_ACCESS.items():
        assert set(access) <= tables, function
        for table, kind in access.items():
            assert kind in (functions.READ, functions.WRITE, functions.APPEND), (function, table)
            assert not (topology.table(table).append_only and kind == functions.WRITE), (function, table)


def _reachable_modules(module: str) -> set[str]:
    """The functions.* modules a module imports, directly or not (static: `import` and `from ... import`)."""
    import ast

    def file_of(name: str) -> Path | None:
        for candidate in (
            ROOT / (name.replace(".", "/") + ".py"),
            ROOT / name.replace(".", "/") / "__init__.py",
        ):
            if candidate.is_file():
                return candidate
        return None

    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        path = file_of(name)
        if name in seen or path is None:
            continue
        seen.add(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("functions"):
                todo.append(node.module)
                todo.extend(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                todo.extend(a.name for a in node.names if a.name.startswith("functions"))
    return seen


def test_each_function_can_do_what_its_code_does_and_no_more():
    # Given what each handler's code can reach (its import graph) and the capabilities granted to it
    from infra.constructs import functions

    for spec in topology.FUNCTIONS:
        handler_module = spec.handler.rsplit(".", 1)[0]
        if not (ROOT / (handler_module.replace(".", "/") + ".py")).is_file():
            continue  # not written yet
        reachable = _reachable_modules(handler_module)
        granted = functions.CAPABILITIES[spec.name]
        for capability, module in functions.CAPABILITY_MODULES.items():
            # Then a capability is granted only when the code that needs it is reachable
            if capability in granted:
                assert module in reachable, (spec.name, capability, module)
            # And code that sends mail or texts, publishes events or signs links has the permission to
            # (reaching the workflow modules is not enough: a page may import them for their types)
            elif capability not in (functions.START_WORKFLOW, functions.DECIDE):
                assert module not in reachable, (spec.name, "needs", capability, "for", module)


def test_a_function_may_write_the_idempotency_table_exactly_when_its_code_sends_at_most_once():
    # Given each handler's import graph and its table access
    from infra.constructs import functions

    for spec in topology.FUNCTIONS:
        reachable = _reachable_modules(spec.handler.rsplit(".", 1)[0])
        # Then the idempotency table is writable where the at-most-once module is reachable, and only there
        sends_once = "functions.integration.once" in reachable
        assert (functions.TABLE_ACCESS[spec.name].get("idempotency") == functions.WRITE) == sends_once, spec.name


def test_every_table_is_reachable_by_some_function():
    # Given the tables each function may use
    from infra.constructs import functions

    used = {table for access in functions.TABLE_ACCESS.values() for table in access}
    # Then no topology table is left out (a new table needs an entry in TABLE_ACCESS)
    assert {t.name for t in topology.TABLES} - used == set()


def test_tables_are_exactly_topologys(synth):
    # Given the tables in the template, keyed by their partition key and indexes
    built = set()
    for table in synth.of_type("AWS::DynamoDB::GlobalTable").values():
        props = table["Properties"]
        keys = {k["KeyType"]: k["AttributeName"] for k in props["KeySchema"]}
        indexes = tuple(
            sorted(
                (
                    i["IndexName"],
                    tuple((k["KeyType"], k["AttributeName"]) for k in i["KeySchema"]),
                    i["Projection"]["ProjectionType"],
                )
                for i in props.get("GlobalSecondaryIndexes", [])
            )
        )
        ttl = props.get("TimeToLiveSpecification", {})
        built.add(
            (
                keys["HASH"],
                keys.get("RANGE"),
                indexes,
                ttl.get("AttributeName") if ttl.get("Enabled") else None,
            )
        )
    # Then they are topology's tables: keys, indexes (ALL projection) and TTL attribute
    expected = {
        (
            t.partition_key,
            t.sort_key,
            tuple(
                sorted(
                    (
                        i.name,
                        (("HASH", i.partition_key),) + ((("RANGE", i.sort_key),) if i.sort_key else ()),
                        "ALL",
                    )
                    for i in t.indexes
                )
            ),
            t.ttl_attribute,
        )
        for t in topology.TABLES
    }
    assert built == expected


def test_every_function_gets_the_environment_the_settings_model_reads(synth):
    # Given the settings model the code parses its environment with
    from functions.core.settings import Settings

    aliases = {f.alias for f in Settings.model_fields.values()}
    required = {f.alias for f in Settings.model_fields.values() if f.is_required()}
    expected_table_vars = {t.env_var for t in topology.TABLES}
    extra_allowed = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "LOG_LEVEL",
                     "POWERTOOLS_TRACER_CAPTURE_RESPONSE", "POWERTOOLS_TRACER_CAPTURE_ERROR"}
    for logical_id, function in synth.of_type("AWS::Lambda::Function").items():
        variables = set(function["Properties"]["Environment"]["Variables"])
        # Then every required setting is set, every table's variable is there, and nothing unknown is
        assert required <= variables, (logical_id, required - variables)
        assert expected_table_vars <= variables
        assert variables - aliases - expected_table_vars <= extra_allowed, (
            logical_id,
            variables - aliases - expected_table_vars - extra_allowed,
        )
        # and tracing captures neither responses nor exception texts
        tracing = {k: v for k, v in function["Properties"]["Environment"]["Variables"].items()
                   if k.startswith("POWERTOOLS_TRACER_CAPTURE_")}
        assert tracing == {"POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
                           "POWERTOOLS_TRACER_CAPTURE_ERROR": "false"}, logical_id
        # And the signing key comes from Secrets Manager, never as a plain variable
        assert "LINK_SIGNING_KEY" not in variables and "LINK_SIGNING_SECRET_ARN" in variables


def test_the_state_machine_definition_is_the_asl_file_with_the_substitutions(synth):
    # Given the ASL file the integration tests execute, and the state machine in the template
    from infra.constructs.workflow import TABLE_SUBSTITUTIONS

    asl_file = ROOT / topology.STATE_MACHINE_ASL
    (machine,) = synth.of_type("AWS::StepFunctions::StateMachine").values()
    props = machine["Properties"]
    # Then the substitutions are exactly the agreed keys, each bound to the right table (or the bus)
    tables = synth.stack.data.tables
    expected = {
        "EventBusName": synth.logical_id(synth.stack.events.bus),
        **{k: synth.logical_id(tables[v]) for k, v in TABLE_SUBSTITUTIONS.items()},
    }
    assert set(TABLE_SUBSTITUTIONS) | {"EventBusName"} == {
        "EventBusName",
        "InterviewsTable",
        "RequestsTable",
        "SlotsTable",
        "AuditTable",
        "ApprovalsTable",
    }
    assert {k: refs(v) for k, v in props["DefinitionSubstitutions"].items()} == {
        k: {v} for k, v in expected.items()
    }
    # And the definition is the file itself, uploaded as an asset, every ${...} in it one of those keys
    text = asl_file.read_text(encoding="utf-8")
    assert set(re.findall(r"\$\{(\w+)\}", text)) <= set(expected)
    assert "DefinitionString" not in props
    staged = synth.template_file.parent / f"asset.{props['DefinitionS3Location']['Key']}"
    assert staged.read_bytes() == asl_file.read_bytes()


def _render(value) -> str:
    """A template string value with its intrinsic functions replaced by placeholders, as plain text."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_render(p) for p in parts)
    return "TOKEN"


def test_a_deployment_names_its_own_ats_sources():
    # Given the context of a deployment whose ATS and AI-interview platform put events with their own sources
    from infra.stack import DeploymentConfig

    context = {"atsSources": "acme.ats, acme.ai-interviews"}
    config = DeploymentConfig.from_context(context.get)
    # When the notify rule's pattern is built for it
    (notify,) = [r for r in topology.RULES if r.name == "notify"]
    pattern = notify.pattern(config.ats_sources)
    # Then the ATS's detail-types come from those sources only, and this service's own events from its own
    by_type = {t: part["source"] for part in pattern["$or"] for t in part["detail-type"]}
    assert config.ats_sources == ("acme.ats", "acme.ai-interviews")
    assert by_type["InterviewScheduled"] == ["acme.ai-interviews", "acme.ats", topology.EVENT_SOURCE]
    assert by_type["CancellationApproved"] == [topology.EVENT_SOURCE]
    # And without the context value the default ATS source applies
    assert DeploymentConfig.from_context({}.get).ats_sources == topology.ATS_SOURCES
