"""Security and operability properties of the synthesized stack (one in-process synth per session)."""

from __future__ import annotations

import json

from infra_helpers import as_list, functions_by_name, iam_statements, refs

from infra import topology

DATA_SERVICES = ("dynamodb:", "sqs:", "kms:")


def _actions(statement: dict) -> list[str]:
    return as_list(statement.get("Action", []))


def test_no_iam_statement_allows_every_action(synth):
    # Given every identity policy statement in the stack
    statements = iam_statements(synth.resources)
    assert statements, "the stack has no IAM policies: the synth is not what this test expects"
    # When we look for wildcard actions ("*" or "service:*")
    wildcard = [
        (lid, a)
        for lid, s in statements
        for a in _actions(s)
        if s.get("Effect") == "Allow" and (a == "*" or a.endswith(":*"))
    ]
    # Then there are none
    assert wildcard == []


def test_no_data_action_is_allowed_on_every_resource(synth):
    # Given the statements that allow DynamoDB, SQS or KMS actions
    offending = []
    for logical_id, statement in iam_statements(synth.resources):
        data_actions = [a for a in _actions(statement) if a.lower().startswith(DATA_SERVICES)]
        # When such a statement names "*" as a resource
        if statement.get("Effect") == "Allow" and data_actions and "*" in as_list(statement.get("Resource")):
            offending.append((logical_id, data_actions))
    # Then there is none: data is always granted on named tables, queues and keys
    assert offending == []


def test_the_append_only_audit_table_can_never_be_updated_or_deleted(synth):
    # Given the audit table (topology append_only=True) and every identity policy
    audit = [t.name for t in topology.TABLES if t.append_only]
    assert audit == ["audit"]
    audit_id = synth.logical_id(synth.stack.data.tables["audit"])
    forbidden = {
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:PartiQLUpdate",
        "dynamodb:PartiQLDelete",
    }
    granted, putters = [], set()
    for logical_id, statement in iam_statements(synth.resources):
        if audit_id in refs(statement.get("Resource")):
            actions = set(_actions(statement))
            # When a statement reaches the audit table
            granted.extend((logical_id, a) for a in actions & forbidden)
            if "dynamodb:PutItem" in actions:
                putters.add(logical_id)
    # Then none allows an update or delete, and the writers (three functions, the workflow) may put items
    assert granted == []
    assert len(putters) == 4, putters


def test_every_action_any_identity_may_take_on_the_audit_table_adds_or_reads(synth):
    # Given an allow-list: adding an entry (PutItem, the condition check of a transaction) and reading
    allowed = {
        "dynamodb:PutItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:DescribeTable",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
    }
    audit_id = synth.logical_id(synth.stack.data.tables["audit"])
    # When we collect every action of every statement that reaches the audit table (or its indexes)
    reaching = {
        (logical_id, action)
        for logical_id, statement in iam_statements(synth.resources)
        if statement.get("Effect") == "Allow" and audit_id in refs(statement.get("Resource"))
        for action in _actions(statement)
    }
    # Then each is on the list: a new write action (PartiQLInsert, RestoreTable..., a wildcard) is caught too
    assert reaching, "no statement reaches the audit table: this test no longer checks anything"
    assert {(lid, a) for lid, a in reaching if a not in allowed} == set()


def test_every_queue_has_a_dead_letter_queue_except_the_dead_letter_queues(synth):
    # Given every queue, and the queues named as dead-letter targets (redrive policies, rules, schedules)
    queues = synth.of_type("AWS::SQS::Queue")
    dead_letter = set()
    for resource in synth.resources.values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::SQS::Queue" and "RedrivePolicy" in props:
            dead_letter |= refs(props["RedrivePolicy"]["deadLetterTargetArn"])
        for target in props.get("Targets", []) if resource["Type"] == "AWS::Events::Rule" else []:
            dead_letter |= refs(target.get("DeadLetterConfig", {}))
        if resource["Type"] == "AWS::Scheduler::Schedule":
            dead_letter |= refs(props["Target"].get("DeadLetterConfig", {}))
    # When we check each queue that is not a dead-letter queue
    without = [
        lid for lid, q in queues.items() if lid not in dead_letter and "RedrivePolicy" not in q["Properties"]
    ]
    # Then each has a redrive policy (after 5 receives), and there is a DLQ per rule and per schedule
    assert without == []
    assert {
        q["Properties"]["RedrivePolicy"]["maxReceiveCount"]
        for q in queues.values()
        if "RedrivePolicy" in q["Properties"]
    } == {5}
    assert len(dead_letter & set(queues)) == len(topology.RULES) + len(topology.SCHEDULES)


def test_every_queue_is_kms_encrypted_and_refuses_plain_http(synth):
    # Given every queue and every queue policy
    queues = synth.of_type("AWS::SQS::Queue")
    policies = synth.of_type("AWS::SQS::QueuePolicy").values()
    for logical_id, queue in queues.items():
        # Then it is encrypted with our key
        assert "KmsMasterKeyId" in queue["Properties"], logical_id
        # And a policy denies any access without TLS
        denies_http = any(
            s["Effect"] == "Deny"
            and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
            for p in policies
            if logical_id in refs(p["Properties"]["Queues"])
            for s in p["Properties"]["PolicyDocument"]["Statement"]
        )
        assert denies_http, logical_id


def test_sqs_event_sources_report_partial_batch_failures(synth):
    # Given the event source mappings
    mappings = synth.of_type("AWS::Lambda::EventSourceMapping").values()
    # Then there is one per rule, each reporting batch item failures
    assert len(mappings) == len(topology.RULES)
    assert all(m["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for m in mappings)


def test_every_table_is_kms_encrypted_with_point_in_time_recovery(synth):
    # Given every DynamoDB table
    tables = synth.of_type("AWS::DynamoDB::GlobalTable")
    assert len(tables) == len(topology.TABLES)
    key_id = synth.logical_id(synth.stack.data.key)
    for logical_id, table in tables.items():
        props = table["Properties"]
        # Then it is on-demand, encrypted with our customer-managed key, and point-in-time recoverable
        assert props["BillingMode"] == "PAY_PER_REQUEST", logical_id
        assert props["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}, logical_id
        for replica in props["Replicas"]:
            assert key_id in refs(replica["SSESpecification"]["KMSMasterKeyId"]), logical_id
            assert replica["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, (
                logical_id
            )
    # And the key rotates
    assert synth.resources[key_id]["Properties"]["EnableKeyRotation"] is True


def test_dev_tables_can_be_deleted_and_prod_tables_cannot(synth):
    # Given the dev synth and the configuration of a prod one
    from infra.stack import DeploymentConfig

    # Then dev tables are deleted with the stack (side-by-side dev stacks come and go)
    for logical_id, table in synth.of_type("AWS::DynamoDB::GlobalTable").items():
        assert table["DeletionPolicy"] == "Delete", logical_id
        assert not any(r.get("DeletionProtectionEnabled") for r in table["Properties"]["Replicas"]), (
            logical_id
        )
    # And prod keeps its data (the CLI synth test checks the prod template itself)
    assert DeploymentConfig(stage="prod").retain and not DeploymentConfig(stage="dev").retain


def test_the_state_machine_logs_everything_and_traces(synth):
    # Given the state machine
    (machine,) = synth.of_type("AWS::StepFunctions::StateMachine").values()
    props = machine["Properties"]
    # Then it is a Standard workflow logging ALL to a CloudWatch log group, with X-Ray tracing
    assert props["StateMachineType"] == "STANDARD"
    assert props["LoggingConfiguration"]["Level"] == "ALL"
    (destination,) = props["LoggingConfiguration"]["Destinations"]
    assert refs(destination) <= set(synth.of_type("AWS::Logs::LogGroup"))
    assert props["TracingConfiguration"] == {"Enabled": True}


def test_the_state_machine_role_allows_exactly_what_the_asl_uses(synth):
    # Given the ASL's task resources and the state machine role's statements
    from infra.constructs.workflow import TABLE_SUBSTITUTIONS

    asl = json.loads(synth.stack.workflow.definition_file.read_text())
    resources = {s["Resource"] for s in asl["States"].values() if s["Type"] == "Task"}
    assert resources <= {
        "arn:aws:states:::events:putEvents",
        "arn:aws:states:::events:putEvents.waitForTaskToken",
        "arn:aws:states:::aws-sdk:dynamodb:transactWriteItems",
        "arn:aws:states:::aws-sdk:dynamodb:query",
    }, "the ASL uses an integration the state machine role does not grant"
    role_id = synth.logical_id(synth.stack.workflow.role)
    data = {}
    for _, statement in iam_statements(
        {
            k: v
            for k, v in synth.resources.items()
            if role_id in refs(v.get("Properties", {}).get("Roles", []))
        }
    ):
        for target in refs(statement["Resource"]):
            data.setdefault(target, set()).update(_actions(statement))
    # Then the bus may receive events, each substituted table gets transactional writes (append-only audit),
    # and nothing else in the stack's data is reachable
    bus_id = synth.logical_id(synth.stack.events.bus)
    assert data.pop(bus_id) == {"events:PutEvents"}
    tables = synth.stack.data.tables
    for name in TABLE_SUBSTITUTIONS.values():
        expected = {"dynamodb:PutItem", "dynamodb:ConditionCheckItem"}
        if not topology.table(name).append_only:
            expected.add("dynamodb:UpdateItem")
        if name == "audit":
            expected.add("dynamodb:Query")  # the trail's latest entry, which the workflow's entry follows
        assert data.pop(synth.logical_id(tables[name])) == expected, name
    key_id = synth.logical_id(synth.stack.data.key)
    assert data.pop(key_id) == {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"}
    assert data == {}, "the workflow role reaches more than the ASL needs"


def test_staff_routes_need_the_cognito_authorizer_and_link_routes_do_not(synth):
    # Given every API method, with its route in topology
    (authorizer_id,) = synth.of_type("AWS::ApiGateway::Authorizer")
    authorizer = synth.resources[authorizer_id]["Properties"]
    assert authorizer["Type"] == "COGNITO_USER_POOLS"
    for route, method in synth.stack.api.methods:
        props = synth.resources[synth.stack.get_logical_id(method.node.default_child)]["Properties"]
        # Then staff routes use the Cognito authorizer (ID tokens: no scopes), the ATS's route the same
        # authorizer with the ATS scope (access tokens of the ATS client only), and link and public routes none
        if route.auth in ("staff", "ats"):
            assert props["AuthorizationType"] == "COGNITO_USER_POOLS", route
            assert props["AuthorizerId"] == {"Ref": authorizer_id}, route
            expected_scopes = [topology.ATS_REGISTER_SCOPE] if route.auth == "ats" else None
            assert props.get("AuthorizationScopes") == expected_scopes, route
        else:
            assert props["AuthorizationType"] == "NONE", route
            assert "AuthorizerId" not in props, route
        # And every method validates its request
        assert "RequestValidatorId" in props, route


def test_only_the_ats_machine_client_can_get_the_registration_scope(synth):
    # Given the user pool's app clients and resource servers
    clients = list(synth.of_type("AWS::Cognito::UserPoolClient").values())
    ((server_id, server),) = synth.of_type("AWS::Cognito::UserPoolResourceServer").items()
    # Then the resource server defines the registration scope
    assert server["Properties"]["Identifier"] == topology.ATS_RESOURCE_SERVER
    assert [s["ScopeName"] for s in server["Properties"]["Scopes"]] == [topology.ATS_REGISTER_SCOPE_NAME]
    # And exactly one client may ask for it (<resource server>/<scope name>): with a secret, by the client
    # credentials grant only
    register_scope = {"Fn::Join": ["", [{"Ref": server_id}, f"/{topology.ATS_REGISTER_SCOPE_NAME}"]]}
    granted = [c["Properties"] for c in clients if register_scope in c["Properties"].get("AllowedOAuthScopes", [])]
    assert len(granted) == 1
    assert granted[0]["GenerateSecret"] is True and granted[0]["AllowedOAuthFlows"] == ["client_credentials"]
    # And the staff client (people) cannot write the attribute that scopes them
    staff = [c["Properties"] for c in clients if not c["Properties"].get("GenerateSecret")]
    assert len(staff) == 1 and "custom:person_id" not in staff[0]["WriteAttributes"]
    assert synth.of_type("AWS::Cognito::UserPoolDomain"), "the ATS needs the token endpoint"


def test_the_user_pool_has_the_staff_groups_and_requires_mfa(synth):
    # Given the user pool and its groups
    (pool,) = synth.of_type("AWS::Cognito::UserPool").values()
    groups = {g["Properties"]["GroupName"] for g in synth.of_type("AWS::Cognito::UserPoolGroup").values()}
    # Then the three staff groups exist, nobody signs up alone, and MFA is required
    assert groups == {"recruiter", "department_manager", "admin"}
    assert pool["Properties"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["Properties"]["MfaConfiguration"] == "ON"


def test_the_api_stage_throttles_logs_and_traces(synth):
    # Given the API stage
    (stage,) = synth.of_type("AWS::ApiGateway::Stage").values()
    props = stage["Properties"]
    # Then it writes access logs, traces with X-Ray, and throttles every method
    assert "DestinationArn" in props["AccessLogSetting"]
    assert props["TracingEnabled"] is True
    (settings,) = props["MethodSettings"]
    assert settings["ThrottlingRateLimit"] > 0 and settings["ThrottlingBurstLimit"] > 0
    assert settings["LoggingLevel"] == "INFO" and settings["DataTraceEnabled"] is False


def test_the_alarms_exist(synth):
    # Given the alarms, by the metric they watch
    alarms = [a["Properties"] for a in synth.of_type("AWS::CloudWatch::Alarm").values()]
    watched = [
        (a["Namespace"], a["MetricName"], json.dumps(a.get("Dimensions", []), sort_keys=True)) for a in alarms
    ]
    namespaces = [(ns, metric) for ns, metric, _ in watched]
    # Then there is one per dead-letter queue, two for the workflow, one for API 5xx,
    # and Errors and Throttles for every function
    assert namespaces.count(("AWS/SQS", "ApproximateNumberOfMessagesVisible")) == len(topology.RULES) + len(
        topology.SCHEDULES
    )
    assert namespaces.count(("AWS/States", "ExecutionsFailed")) == 1
    assert namespaces.count(("AWS/States", "ExecutionsTimedOut")) == 1
    assert namespaces.count(("AWS/ApiGateway", "5XXError")) == 1
    functions = functions_by_name(synth)
    for name, logical_id in functions.items():
        for metric in ("Errors", "Throttles"):
            assert any(ns == "AWS/Lambda" and m == metric and logical_id in d for ns, m, d in watched), (
                name,
                metric,
            )
    # And each alarm notifies the alarm topic, and triggers on the first occurrence
    topic_id = synth.logical_id(synth.stack.monitoring.topic)
    assert all(refs(a["AlarmActions"]) == {topic_id} and a["Threshold"] == 0 for a in alarms)
    assert len(alarms) == len(topology.RULES) + len(topology.SCHEDULES) + 3 + 2 * len(topology.FUNCTIONS)


def test_every_function_is_arm64_on_a_current_python_with_tracing_and_log_retention(synth):
    # Given every function
    functions = synth.of_type("AWS::Lambda::Function")
    assert len(functions) == len(topology.FUNCTIONS)
    for logical_id, function in functions.items():
        props = function["Properties"]
        # Then it runs python3.12 or newer on arm64, traced, logging to a group with a retention
        major, minor = props["Runtime"].removeprefix("python").split(".")
        assert (int(major), int(minor)) >= (3, 12), props["Runtime"]
        assert props["Architectures"] == ["arm64"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        (group,) = refs(props["LoggingConfig"]["LogGroup"])
        assert synth.resources[group]["Properties"]["RetentionInDays"] > 0


def test_the_event_bus_is_archived_for_replay(synth):
    # Given the archive
    (archive,) = synth.of_type("AWS::Events::Archive").values()
    # Then it archives our bus, for a bounded time
    assert refs(archive["Properties"]["SourceArn"]) == {synth.logical_id(synth.stack.events.bus)}
    assert archive["Properties"]["RetentionDays"] > 0


def test_ses_feedback_reaches_the_service_bus(synth):
    # Given the configuration set's event destination and the forwarding rule
    (destination,) = synth.of_type("AWS::SES::ConfigurationSetEventDestination").values()
    event_destination = destination["Properties"]["EventDestination"]
    # Then bounces and complaints go to EventBridge, and a rule forwards them to the service's bus
    assert {"BOUNCE", "COMPLAINT"} <= set(event_destination["MatchingEventTypes"])
    assert "EventBridgeDestination" in event_destination
    bus_id = synth.logical_id(synth.stack.events.bus)
    forwarding = [
        r
        for r in synth.of_type("AWS::Events::Rule").values()
        if r["Properties"]["EventPattern"].get("source") == ["aws.ses"]
        and refs(r["Properties"].get("EventBusName", {})) != {bus_id}  # not the service bus's own mail-feedback rule
    ]
    assert len(forwarding) == 1 and bus_id in refs(forwarding[0]["Properties"]["Targets"])
    (identity,) = synth.of_type("AWS::SES::EmailIdentity").values()
    assert identity["Properties"]["EmailIdentity"] == synth.context["senderAddress"]


def test_only_the_functions_that_sign_links_can_read_the_signing_key(synth):
    # Given the link-signing secret and the function roles
    secret_id = synth.logical_id(synth.stack.secrets.link_signing_key)
    readers = set()
    for name, role in synth.stack.functions.roles.items():
        role_id = synth.logical_id(role)
        policies = {
            k: v
            for k, v in synth.resources.items()
            if role_id in refs(v.get("Properties", {}).get("Roles", []))
        }
        if any(
            secret_id in refs(s["Resource"]) and "secretsmanager:GetSecretValue" in _actions(s)
            for _, s in iam_statements(policies)
        ):
            readers.add(name)
    # Then exactly cancel, approve and notify can
    assert readers == {"cancel", "approve", "notify"}


def test_cdk_nag_aws_solutions_finds_nothing_unsuppressed(synth):
    # Given the app synthesized with the AwsSolutions pack
    # When we collect its unsuppressed errors and warnings
    findings = synth.nag_findings
    # Then there are none: a new finding must be fixed, or suppressed with a written reason
    assert findings == [], "\n".join(f"{level} {path}: {data[:300]}" for level, path, data in findings)


def test_every_cdk_nag_suppression_gives_a_reason(synth):
    # Given every cdk-nag suppression recorded in the template's metadata
    suppressions = [
        (logical_id, rule)
        for logical_id, resource in synth.resources.items()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    assert suppressions, "no suppressions found: the metadata layout changed"
    # Then every one of them carries a reason of substance
    assert [(lid, r["id"]) for lid, r in suppressions if len(r.get("reason", "")) < 40] == []
