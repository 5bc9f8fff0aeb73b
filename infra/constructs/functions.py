"""Functions: one Lambda per topology.FUNCTIONS entry, arm64, the newest Python runtime, X-Ray active.

Each function has its own role and log group, the environment that functions/core/settings.py reads (the
same names for every function, so one typed settings model serves them all), and only the permissions its
code needs, given with CDK's grant methods. The audit table is append-only (topology `append_only=True`):
no function may update or delete its items, so it gets an explicit statement with read actions and
PutItem instead of a read-write grant.

What each function touches is declared below in TABLE_ACCESS and CAPABILITIES; tests/infra check that they
name exactly topology's functions and tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from aws_cdk import Annotations, AssetHashType, Aws, Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_stepfunctions as sfn
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import Construct

from infra import assets, topology

READ, WRITE, APPEND = "read", "write", "append"

# Per function, per table: what the code does there. WRITE is read + write (put, update, delete); APPEND is
# read + put, the only kind of write an append-only table allows. A table not named is not reachable.
TABLE_ACCESS: dict[str, dict[str, str]] = {
    # API: candidate and staff submissions, "My interviews", status, staff registering interviews (intake), and
    # data rights: an erasure strips approvals' comments, removes waitlist places and offers, and keeps a suppressed
    # address by its hash (functions/domain/privacy.py).
    "cancel": {
        "interviews": WRITE,
        "candidates": WRITE,
        "requests": WRITE,
        "approvals": WRITE,
        "audit": APPEND,
        "slots": WRITE,
        "links": WRITE,
        "suppressions": WRITE,
        "waitlist": WRITE,
        "offers": WRITE,
        "policies": WRITE,  # the policy editor publishes versions (functions/domain/workplace/policy_editor.py)
        # The staff console's risk view reads the nightly scores; "remind now" writes its mark, once a day.
        "analytics": WRITE,
    },
    # API: approval pages and decisions; a waitlist offer's claim page.
    "approve": {
        "interviews": READ,
        "candidates": READ,
        "requests": WRITE,
        "approvals": WRITE,
        "audit": APPEND,
        "slots": WRITE,  # a claim books the offered slot (functions/approve/offers.py)
        "links": WRITE,
        "analytics": WRITE,  # satisfaction ratings (functions/approve/ratings.py)
        "waitlist": WRITE,  # the winner of a claim leaves the waitlist
        "offers": WRITE,
        "policies": READ,  # the published policy (rebooking after a cancellation)
    },
    # Events: notifications (mail, SMS, calendar), opening approvals, slot backfill, reminders, mail feedback, and
    # the nightly retention run (the same erasure as the cancel function's data-rights route).
    "notify": {
        "interviews": WRITE,
        "candidates": WRITE,
        "requests": WRITE,
        "approvals": WRITE,
        "audit": APPEND,
        "slots": WRITE,
        "links": WRITE,
        "idempotency": WRITE,
        "suppressions": WRITE,
        "waitlist": WRITE,
        "offers": WRITE,
        "calendars": WRITE,  # sync tokens and what we wrote in interviewers' calendars
        "analytics": READ,  # the risk model's scores, for the reminders
        "policies": READ,  # the published policy (company requests, rebooking offers)
    },
    # Per-day counters from the bus's events; the nightly report (mailed to HR) and the risk model.
    "analytics": {
        "interviews": READ,
        "candidates": READ,
        "requests": READ,
        "approvals": READ,
        "audit": READ,
        "slots": READ,
        "analytics": WRITE,
        "idempotency": WRITE,  # the report's e-mail is sent once
        "suppressions": READ,
    },
}

START_WORKFLOW = (
    "start-workflow"  # states:StartExecution on our state machine (functions.domain.cancellations)
)
DECIDE = (
    "decide"  # states:SendTask* on our state machine (functions.domain.approvals hands the decision over)
)
# states:StopExecution on our state machine's executions: a candidate's move closes an interviewer_unavailable
# request, whose approver then has nothing to decide (functions.domain.moves).
STOP_WORKFLOW = "stop-workflow"
PUBLISH = "publish"  # events:PutEvents on our bus (functions.integration.events)
LINK_KEY = "link-key"  # read the link-signing secret (functions.integration.links)
SEND_MAIL = "send-mail"  # ses:SendEmail/SendRawEmail from our identity (functions.integration.mail)
SEND_SMS = "send-sms"  # sns:Publish to phone numbers, never to a topic (functions.integration.sms)
WRITE_REPORTS = "write-reports"  # put the nightly report in the report bucket (functions.analytics)
READ_REPORTS = "read-reports"  # read the stored reports for the staff console (functions.integration.report_files)
# Interviewers' calendars: CALENDAR_CONNECTIONS and read access to exactly the secrets it names
# (functions.domain.calendar.interviewer_calendars); nothing when no calendar is connected.
CALENDARS = "calendars"

# The module whose use needs each capability: tests/infra check that a function has the capability exactly
# when its handler can reach that module (for the workflow ones: only that the module is reachable).
CAPABILITY_MODULES = {
    START_WORKFLOW: "functions.domain.cancellations",
    DECIDE: "functions.domain.approvals",
    STOP_WORKFLOW: "functions.domain.moves",
    PUBLISH: "functions.integration.events",
    LINK_KEY: "functions.integration.links",
    SEND_MAIL: "functions.integration.mail",
    SEND_SMS: "functions.integration.sms",
    WRITE_REPORTS: "functions.analytics.handler",
    READ_REPORTS: "functions.integration.report_files",
    CALENDARS: "functions.domain.calendar.interviewer_calendars",
}

CAPABILITIES: dict[str, frozenset[str]] = {
    # cancel publishes InterviewMoved, InterviewScheduled and InterviewRebooked (rebooking) and CandidateActed;
    # approve RetentionMessageSent and SlotClaimed (a waitlist claim).
    # cancel also reads the stored nightly reports (the staff console's reports page).
    "cancel": frozenset({START_WORKFLOW, LINK_KEY, PUBLISH, STOP_WORKFLOW, READ_REPORTS}),
    "approve": frozenset({DECIDE, LINK_KEY, PUBLISH}),
    # notify also opens company requests (interviewer_unavailable, from the calendar sync): it starts their workflow.
    "notify": frozenset({PUBLISH, LINK_KEY, SEND_MAIL, SEND_SMS, CALENDARS, START_WORKFLOW}),
    "analytics": frozenset({WRITE_REPORTS, SEND_MAIL}),
}


# SnapStart (Python 3.12 and later; published versions only): the functions a person waits on, behind the API.
# API Gateway invokes their alias, which points at the version published from this deployment's code and
# configuration; the queue-driven functions (notify, analytics) keep $LATEST: nobody waits on their cold start.
SNAPSTART = frozenset({"cancel", "approve"})
LIVE_ALIAS = "live"


@dataclass(frozen=True)
class Sizing:
    memory_mb: int = 256
    timeout_seconds: int = 29  # API Gateway gives up after 29 s


SIZING: dict[str, Sizing] = {
    "notify": Sizing(memory_mb=256, timeout_seconds=60),
    "analytics": Sizing(memory_mb=1024, timeout_seconds=300),
}

SERVICE_NAME = "interview-cancellations"
METRICS_NAMESPACE = "InterviewCancellations"
APPEND_ONLY_TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:PutItem",
)


def lambda_runtime() -> lambda_.Runtime:
    return getattr(lambda_.Runtime, "PYTHON_" + assets.LAMBDA_PYTHON_VERSION.replace(".", "_"))


@dataclass(frozen=True)
class Mail:
    sender: str
    hr_address: str
    identity_arn: str
    configuration_set_arn: str


class Functions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        tables: dict[str, dynamodb.TableV2],
        tables_key: kms.IKey,
        bus: events.IEventBus,
        state_machine: sfn.IStateMachine,
        link_secret: secretsmanager.ISecret,
        report_bucket: s3.IBucket,
        mail: Mail,
        approval_sla_seconds: int,
        retention_days: int | None = None,
        log_level: str,
        log_retention: logs.RetentionDays,
        retain: bool,
        skip_asset_build: bool,
        calendar_connections: dict[str, dict[str, str]] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.functions: dict[str, lambda_.Function] = {}
        self.roles: dict[str, iam.Role] = {}
        # What API Gateway invokes per function: the live alias of a SnapStart function, else the function.
        self.api_targets: dict[str, lambda_.IFunction] = {}
        environment = {
            **{t.env_var: tables[t.name].table_name for t in topology.TABLES},
            "STAGE": stage,
            "EVENT_BUS_NAME": bus.event_bus_name,
            "STATE_MACHINE_ARN": state_machine.state_machine_arn,
            "LINK_SIGNING_SECRET_ARN": link_secret.secret_arn,
            "MAIL_SENDER": mail.sender,
            "HR_EMAIL": mail.hr_address,
            "APPROVAL_SLA_SECONDS": str(approval_sla_seconds),
            # Personal data of finished interviews is erased this many days after they ended (docs/privacy.md).
            **({"RETENTION_DAYS": str(retention_days)} if retention_days else {}),
            "REPORT_BUCKET": report_bucket.bucket_name,
            "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            # Traces never hold a response (pages and links carry tokens and names) nor an exception's text.
            "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
            "POWERTOOLS_TRACER_CAPTURE_ERROR": "false",
            "LOG_LEVEL": log_level,
        }
        append_only = {t.name for t in topology.TABLES if t.append_only}
        folders = (
            {} if skip_asset_build else assets.build_function_assets([f.name for f in topology.FUNCTIONS])
        )

        for spec in topology.FUNCTIONS:
            name = spec.name.capitalize()
            sizing = SIZING.get(spec.name, Sizing())
            log_group = logs.LogGroup(
                self,
                f"{name}Logs",
                retention=log_retention,
                removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
            )
            role = iam.Role(
                self,
                f"{name}Role",
                assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                description=f"The {spec.name} function: only what its code uses",
            )
            log_group.grant_write(role)
            function = lambda_.Function(
                self,
                f"{name}Function",
                description=f"Interview cancellations: {spec.name}",
                runtime=lambda_runtime(),
                architecture=lambda_.Architecture.ARM_64,
                handler=spec.handler,
                code=_code(folders.get(spec.name)),
                memory_size=sizing.memory_mb,
                timeout=Duration.seconds(sizing.timeout_seconds),
                environment=environment,
                role=role,
                log_group=log_group,
                tracing=lambda_.Tracing.ACTIVE,
                snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if spec.name in SNAPSTART else None,
            )
            self.functions[spec.name] = function
            if spec.name in SNAPSTART:
                # CDK warns on every SnapStart function that only published versions are snapshotted; ours is.
                Annotations.of(function).acknowledge_warning(
                    "@aws-cdk/aws-lambda:snapStartRequirePublish",
                    "the live alias below points at current_version, a version published on every code change")
            self.api_targets[spec.name] = (
                lambda_.Alias(self, f"{name}Live", alias_name=LIVE_ALIAS, version=function.current_version)
                if spec.name in SNAPSTART
                else function
            )
            self.roles[spec.name] = role

            for table_name, access in TABLE_ACCESS[spec.name].items():
                table = tables[table_name]
                if table_name in append_only and access == WRITE:
                    raise ValueError(f"{table_name} is append-only: {spec.name} may append to it, not write")
                if access == READ:
                    table.grant_read_data(role)
                elif access == APPEND:
                    role.add_to_principal_policy(
                        iam.PolicyStatement(
                            sid=f"AppendOnly{table_name.capitalize()}",
                            actions=list(APPEND_ONLY_TABLE_ACTIONS),
                            resources=[table.table_arn],
                        )
                    )
                    tables_key.grant_encrypt_decrypt(role)
                else:
                    table.grant_read_write_data(role)

            capabilities = CAPABILITIES[spec.name]
            if START_WORKFLOW in capabilities:
                state_machine.grant_start_execution(role)
            if DECIDE in capabilities:
                state_machine.grant_task_response(role)
            if STOP_WORKFLOW in capabilities:
                state_machine.grant_execution(role, "states:StopExecution")
            if PUBLISH in capabilities:
                bus.grant_put_events_to(role)
            if LINK_KEY in capabilities:
                link_secret.grant_read(role)
            if SEND_MAIL in capabilities:
                role.add_to_principal_policy(
                    iam.PolicyStatement(
                        sid="SendMailFromOurIdentity",
                        actions=["ses:SendEmail", "ses:SendRawEmail"],
                        resources=[mail.identity_arn, mail.configuration_set_arn],
                        conditions={"StringEquals": {"ses:FromAddress": mail.sender}},
                    )
                )
            if SEND_SMS in capabilities:
                # Texts go to phone numbers, which have no ARN: IAM takes only "*" here. The deny keeps the
                # function from publishing to any topic with it.
                role.add_to_principal_policy(
                    iam.PolicyStatement(
                        sid="SendTextsToPhoneNumbers", actions=["sns:Publish"], resources=["*"]
                    )
                )
                role.add_to_principal_policy(
                    iam.PolicyStatement(
                        sid="ButNeverToATopic",
                        effect=iam.Effect.DENY,
                        actions=["sns:Publish"],
                        resources=[f"arn:{Aws.PARTITION}:sns:*:*:*"],
                    )
                )
            if WRITE_REPORTS in capabilities:
                report_bucket.grant_put(role)
            if READ_REPORTS in capabilities:
                # Only the reports (report-<period>.*), not the models stored beside them; no wildcard actions.
                role.add_to_principal_policy(iam.PolicyStatement(
                    sid="ReadTheStoredReports", actions=["s3:GetObject"],
                    resources=[report_bucket.arn_for_objects("report-*")]))
                role.add_to_principal_policy(iam.PolicyStatement(
                    sid="ListTheStoredReports", actions=["s3:ListBucket"], resources=[report_bucket.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": ["report-*"]}}))
            if CALENDARS in capabilities and calendar_connections:
                self._connect_calendars(name, function, role, calendar_connections)

            NagSuppressions.add_resource_suppressions(
                role,
                [
                    NagPackSuppression(
                        id="AwsSolutions-IAM5",
                        reason=(
                            "Wildcards here are the narrowest IAM allows: X-Ray PutTraceSegments/"
                            "PutTelemetryRecords and sns:Publish to a phone number (texts; publishing to any "
                            "topic is denied) accept only '*'; '<table>/index/*' is the table's own indexes "
                            "(Query on a GSI); kms:GenerateDataKey*/kms:ReEncrypt* are on our own keys only; "
                            "the report bucket's '/*' and s3:Abort* are objects of that one bucket, its "
                            "'/report-*' the stored reports the staff console reads; "
                            "'execution:<our state machine>:*' is StopExecution on our own workflow's executions "
                            "(named after requests, unknown at deploy time)."
                        ),
                        applies_to=[
                            "Resource::*",
                            "Action::kms:GenerateDataKey*",
                            "Action::kms:ReEncrypt*",
                            "Action::s3:Abort*",
                            RegexAppliesTo(regex=r"/^Resource::<.+Table[0-9A-F]+\.Arn>\/index\/\*$/g"),
                            RegexAppliesTo(regex=r"/^Resource::<.+Reports[0-9A-F]+\.Arn>\/\*$/g"),
                            RegexAppliesTo(regex=r"/^Resource::<.+Reports[0-9A-F]+\.Arn>\/report-\*$/g"),
                            RegexAppliesTo(regex=r"/^Resource::arn:aws:states:.+:execution:.+:\*$/g"),
                        ],
                    )
                ],
                apply_to_children=True,
            )

    def _connect_calendars(self, name: str, function: lambda_.Function, role: iam.Role,
                           connections: dict[str, dict[str, str]]) -> None:
        """The connections as the code reads them, and GetSecretValue on each secret they name (complete ARNs:
        a partial one would need a '-??????' wildcard)."""
        function.add_environment("CALENDAR_CONNECTIONS", json.dumps(connections, sort_keys=True))
        for number, arn in enumerate(sorted({c["secret_arn"] for c in connections.values()})):
            secretsmanager.Secret.from_secret_complete_arn(self, f"{name}CalendarSecret{number}", arn).grant_read(role)

    def set_public_base_url(self, url: str) -> None:
        for function in self.functions.values():
            function.add_environment("PUBLIC_BASE_URL", url)

    def set_staff_sign_in(self, *, sign_in_url: str, domain_url: str, client_id: str) -> None:
        """The console pages' sign-in (functions/core/settings.py: staff_auth), on the functions serving them."""
        pages = {route.function for route in topology.ROUTES
                 if route.path == "/staff" or (route.path.startswith("/staff/") and route.method == "GET")}
        for name in sorted(pages):
            function = self.functions[name]
            function.add_environment("STAFF_SIGN_IN_URL", sign_in_url)
            function.add_environment("STAFF_AUTH_DOMAIN_URL", domain_url)
            function.add_environment("STAFF_CLIENT_ID", client_id)


def _code(folder) -> lambda_.Code:
    if folder is None:  # skipAssetBuild: synth-only
        return lambda_.Code.from_asset(str(assets.placeholder_asset()))
    return lambda_.Code.from_asset(
        str(folder),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=assets.asset_hash(folder),
        exclude=[".asset-stamp"],
    )
