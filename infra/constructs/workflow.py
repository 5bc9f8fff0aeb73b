"""Workflow: the cancellation state machine, from the same ASL file the integration tests execute on moto.

Standard type, logging ALL to CloudWatch Logs, X-Ray tracing on. Its role gets exactly what the ASL's tasks
use:
- `events:putEvents` (and `.waitForTaskToken`): events:PutEvents on our bus;
- `aws-sdk:dynamodb:transactWriteItems`: UpdateItem, PutItem and ConditionCheckItem on the interviews,
  requests, slots and approvals tables; PutItem and ConditionCheckItem only on the append-only audit table;
- `aws-sdk:dynamodb:query`: Query on the audit table (the latest entry of a trail, which the workflow's own audit
  entry follows in the hash chain, docs/audit.md);
  and the tables' KMS key to encrypt and decrypt those items.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from infra import topology

ROOT = Path(__file__).resolve().parents[2]
ASL_FILE = ROOT / topology.STATE_MACHINE_ASL

# ${Name} in the ASL -> the logical table name in topology.TABLES ("EventBusName" is the bus).
TABLE_SUBSTITUTIONS = {
    "InterviewsTable": "interviews",
    "RequestsTable": "requests",
    "SlotsTable": "slots",
    "AuditTable": "audit",
    "ApprovalsTable": "approvals",
}
TRANSACT_WRITE_ACTIONS = ("dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem")
APPEND_ONLY_ACTIONS = ("dynamodb:PutItem", "dynamodb:ConditionCheckItem")


class Workflow(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        tables: dict[str, dynamodb.ITableV2],
        tables_key: kms.IKey,
        bus: events.IEventBus,
        retain: bool,
        log_retention: logs.RetentionDays,
        definition_file: Path = ASL_FILE,
    ) -> None:
        super().__init__(scope, construct_id)
        if not definition_file.is_file():
            raise FileNotFoundError(f"the state machine's ASL file is missing: {definition_file}")
        self.definition_file = definition_file
        removal = RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY

        self.log_group = logs.LogGroup(self, "Logs", retention=log_retention, removal_policy=removal)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description="Cancellation workflow: put events on the bus, transactional writes to the tables",
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_file(str(definition_file)),
            definition_substitutions={
                "EventBusName": bus.event_bus_name,
                **{key: tables[name].table_name for key, name in TABLE_SUBSTITUTIONS.items()},
            },
            role=self.role,
            logs=sfn.LogOptions(
                destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=False
            ),
            tracing_enabled=True,
            # The ASL bounds every wait by the approval SLA; this only stops a run that never ends.
            timeout=Duration.days(30),
        )

        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="PutEventsOnTheBus",
                actions=["events:PutEvents"],
                resources=[bus.event_bus_arn],
            )
        )
        append_only = {t.name for t in topology.TABLES if t.append_only}
        for name in TABLE_SUBSTITUTIONS.values():
            actions = APPEND_ONLY_ACTIONS if name in append_only else TRANSACT_WRITE_ACTIONS
            self.role.add_to_principal_policy(
                iam.PolicyStatement(
                    sid=f"TransactWrite{name.capitalize()}",
                    actions=list(actions),
                    resources=[tables[name].table_arn],
                )
            )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ReadAuditHead",
                actions=["dynamodb:Query"],
                resources=[tables["audit"].table_arn],
            )
        )
        tables_key.grant_encrypt_decrypt(self.role)

        NagSuppressions.add_resource_suppressions(
            self.role,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="Added by CDK for logging and tracing: CloudWatch Logs delivery "
                    "(logs:*LogDelivery*, logs:Describe*) and X-Ray (PutTraceSegments, PutTelemetryRecords, "
                    "GetSampling*) accept no resource narrower than '*'; "
                    "the KMS wildcards (kms:GenerateDataKey*, kms:ReEncrypt*) are "
                    "on the tables' key only.",
                    applies_to=[
                        "Resource::*",
                        "Action::kms:GenerateDataKey*",
                        "Action::kms:ReEncrypt*",
                    ],
                )
            ],
            apply_to_children=True,
        )
