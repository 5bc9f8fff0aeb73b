"""The stack: a thin composition of one construct per capability, configured from CDK context.

Context (cdk.json holds the defaults; override with `-c key=value`):
  stage             dev | prod. Outside dev: deletion protection, RETAIN on data, longer log retention.
  owner             who deploys: part of the stack name, so two people deploy side by side (default: $USER).
  senderAddress     the From address of every e-mail (an SES identity is created for it).
  mailDomain        optional: verify the whole domain (Easy DKIM) instead of the single address.
  hrAddress         HR's mailbox, the last escalation step.
  alarmEmail        optional: subscribe this address to the alarm topic.
  domainName, certificateArn   optional custom domain for the API (ACM certificate in the stack's region).
  publicBaseUrl     optional: the base URL links point at, when something else (a CDN) fronts the API.
  region            the stack's region; else CDK_DEFAULT_REGION (the CLI sets it from the AWS profile); else
                    SYNTH_ONLY_REGION, so a synth without AWS configuration works (KMS-encrypted TableV2 needs
                    a concrete region). The account comes from CDK_DEFAULT_ACCOUNT, or stays a token.
  replicaRegions    optional list: make the tables global tables with replicas there.
  replicaKeyArns    {region: KMS key ARN} for each replica region.
  scheduleTimezone  IANA timezone of topology's schedules (default Asia/Shanghai).
  approvalSlaSeconds, logLevel, apiRateLimit, apiBurstLimit, archiveRetentionDays
  retentionDays     optional: days after a candidate's last interview ended until the nightly retention run erases
                    their personal data (docs/privacy.md); unset: kept until erased on request.
  atsSources        list: the EventBridge sources the ATS (and the AI-interview platform) put events with;
                    default topology.ATS_SOURCES. Rules accept their events from these sources only.
  apiClientRateLimit requests per client (source IP) per 5 minutes, enforced by a WAF web ACL on the API stage;
                    0 turns it off. Default: 2000 in prod, 0 (no web ACL) in dev.
  calendarConnections  optional JSON: interviewers' calendars, {"<address>" or "@<domain>": {"url": ...,
                    "secret_arn": <complete secret ARN>}} (docs/calendars.md); the notify function gets it as
                    CALENDAR_CONNECTIONS and may read exactly those secrets.
  skipAssetBuild    true: placeholder Lambda code (synth-only checks); never deploy that.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field

from aws_cdk import Aws, CfnOutput, Environment, Fn, Stack, Tags
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import topology
from infra.constructs.api import Api
from infra.constructs.data import Data
from infra.constructs.email import Email
from infra.constructs.events import Events
from infra.constructs.functions import Functions, Mail
from infra.constructs.monitoring import Monitoring
from infra.constructs.schedule import Schedules
from infra.constructs.secrets import Secrets
from infra.constructs.workflow import Workflow

STAGES = ("dev", "prod")
# Per source IP per 5 minutes: well above one person's use (a portal following a request's status polls every
# 2 s: 150), with room for an office behind one NAT address; low enough that one looping client cannot spend
# the whole stage's throttle (50/s: 15,000 per 5 minutes).
PROD_CLIENT_RATE_LIMIT = 2000
STACK_PREFIX = "InterviewCancellations"
SYNTH_ONLY_REGION = "us-east-1"


@dataclass(frozen=True)
class DeploymentConfig:
    stage: str = "dev"
    owner: str = "local"
    sender_address: str = "no-reply@interviews.example.com"
    mail_domain: str | None = None
    hr_address: str = "hr@interviews.example.com"
    alarm_email: str | None = None
    domain_name: str | None = None
    certificate_arn: str | None = None
    public_base_url: str | None = None
    region: str = SYNTH_ONLY_REGION
    replica_regions: tuple[str, ...] = ()
    replica_key_arns: dict[str, str] = field(default_factory=dict)
    schedule_timezone: str = "Asia/Shanghai"
    approval_sla_seconds: int = 24 * 3600
    retention_days: int | None = None
    log_level: str = "INFO"
    api_rate_limit: int = 50
    api_burst_limit: int = 100
    api_client_rate_limit: int = 0  # from_context: PROD_CLIENT_RATE_LIMIT in prod
    archive_retention_days: int = 90
    ats_sources: tuple[str, ...] = topology.ATS_SOURCES
    calendar_connections: dict[str, dict[str, str]] = field(default_factory=dict)
    skip_asset_build: bool = False

    @property
    def retain(self) -> bool:
        """Outside dev, data outlives the stack and cannot be deleted by accident."""
        return self.stage != "dev"

    @property
    def stack_name(self) -> str:
        return f"{STACK_PREFIX}-{self.stage}-{self.owner}"

    @property
    def log_retention(self) -> logs.RetentionDays:
        return logs.RetentionDays.ONE_YEAR if self.retain else logs.RetentionDays.TWO_WEEKS

    @classmethod
    def from_context(cls, get) -> DeploymentConfig:
        """Build from a context getter (app.node.try_get_context); validates every value."""

        def text(key: str, default: str | None = None) -> str | None:
            value = get(key)
            return default if value in (None, "") else str(value)

        def flag(key: str) -> bool:
            value = get(key)
            return value is True or str(value).lower() in ("true", "1", "yes")

        def listing(key: str) -> tuple[str, ...]:
            value = get(key)
            if value in (None, "", []):
                return ()
            if isinstance(value, str):
                value = json.loads(value) if value.strip().startswith("[") else value.split(",")
            return tuple(v.strip() for v in value if v.strip())

        def mapping(key: str) -> dict[str, str]:
            value = get(key)
            if value in (None, "", {}):
                return {}
            return dict(json.loads(value) if isinstance(value, str) else value)

        stage = text("stage", "dev")
        if stage not in STAGES:
            raise ValueError(f"context stage must be one of {STAGES}, not {stage!r}")
        owner = _owner(text("owner") or os.environ.get("USER") or "local")
        sender = text("senderAddress", cls.sender_address)
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", sender):
            raise ValueError(f"context senderAddress is not an e-mail address: {sender!r}")
        return cls(
            stage=stage,
            owner=owner,
            sender_address=sender,
            mail_domain=text("mailDomain"),
            hr_address=text("hrAddress", cls.hr_address),
            alarm_email=text("alarmEmail"),
            domain_name=text("domainName"),
            certificate_arn=text("certificateArn"),
            public_base_url=text("publicBaseUrl"),
            region=text("region") or os.environ.get("CDK_DEFAULT_REGION") or SYNTH_ONLY_REGION,
            replica_regions=listing("replicaRegions"),
            replica_key_arns=mapping("replicaKeyArns"),
            schedule_timezone=text("scheduleTimezone", cls.schedule_timezone),
            approval_sla_seconds=int(text("approvalSlaSeconds", str(cls.approval_sla_seconds))),
            retention_days=_positive_days(text("retentionDays")),
            log_level=text("logLevel", cls.log_level).upper(),
            api_rate_limit=int(text("apiRateLimit", str(cls.api_rate_limit))),
            api_burst_limit=int(text("apiBurstLimit", str(cls.api_burst_limit))),
            api_client_rate_limit=int(text("apiClientRateLimit",
                                           str(PROD_CLIENT_RATE_LIMIT if stage == "prod" else 0))),
            archive_retention_days=int(text("archiveRetentionDays", str(cls.archive_retention_days))),
            ats_sources=listing("atsSources") or cls.ats_sources,
            calendar_connections=_calendar_connections(mapping("calendarConnections")),
            skip_asset_build=flag("skipAssetBuild"),
        )


def _positive_days(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"context retentionDays must be a whole number of days, at least 1, not {raw!r}")
    return int(raw)


# A secret's complete ARN ends with the six characters Secrets Manager adds to its name.
_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$")


def _calendar_connections(raw: dict) -> dict[str, dict[str, str]]:
    """calendarConnections checked at synth: an http(s) URL and a complete secret ARN per entry."""
    checked = {}
    for key, entry in raw.items():
        if not isinstance(entry, dict) or not str(entry.get("url", "")).startswith(("https://", "http://")):
            raise ValueError(f"context calendarConnections[{key!r}] needs an http(s) url")
        if not _SECRET_ARN.match(str(entry.get("secret_arn", ""))):
            raise ValueError(f"context calendarConnections[{key!r}] needs secret_arn, a secret's complete ARN")
        checked[str(key)] = {k: str(v) for k, v in entry.items() if k in ("url", "secret_arn", "kind")}
    return checked


def _owner(raw: str) -> str:
    owner = re.sub(r"[^A-Za-z0-9-]+", "-", raw).strip("-")[:32]
    return owner or "local"


class InterviewCancellationsStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeploymentConfig) -> None:
        super().__init__(
            scope,
            construct_id,
            stack_name=config.stack_name,
            description=f"Interview cancellations ({config.stage}, {config.owner})",
            env=Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=config.region),
            termination_protection=config.retain,
        )
        self.config = config
        for key, value in (
            ("Project", "interview-cancellations"),
            ("Stage", config.stage),
            ("Owner", config.owner),
        ):
            Tags.of(self).add(key, value)

        self.data = Data(
            self,
            "Data",
            retain=config.retain,
            replica_regions=config.replica_regions,
            replica_key_arns=config.replica_key_arns,
        )
        self.secrets = Secrets(self, "Secrets", key=self.data.key, retain=config.retain)
        self.events = Events(self, "Events", retain=config.retain, archive_days=config.archive_retention_days,
                             ats_sources=config.ats_sources)
        self.workflow = Workflow(
            self,
            "Workflow",
            tables=self.data.tables,
            tables_key=self.data.key,
            bus=self.events.bus,
            retain=config.retain,
            log_retention=config.log_retention,
        )
        self.email = Email(
            self, "Email", sender=config.sender_address, mail_domain=config.mail_domain, bus=self.events.bus
        )
        self.functions = Functions(
            self,
            "Functions",
            stage=config.stage,
            tables=self.data.tables,
            tables_key=self.data.key,
            bus=self.events.bus,
            state_machine=self.workflow.state_machine,
            link_secret=self.secrets.link_signing_key,
            report_bucket=self.data.reports,
            mail=Mail(
                sender=config.sender_address,
                hr_address=config.hr_address,
                identity_arn=self.email.identity_arn,
                configuration_set_arn=self.email.configuration_set_arn,
            ),
            approval_sla_seconds=config.approval_sla_seconds,
            retention_days=config.retention_days,
            log_level=config.log_level,
            log_retention=config.log_retention,
            retain=config.retain,
            skip_asset_build=config.skip_asset_build,
            calendar_connections=config.calendar_connections,
        )
        fns = self.functions.functions
        self.api = Api(
            self,
            "Api",
            stage=config.stage,
            functions=self.functions.api_targets,  # SnapStart functions through their live alias
            retain=config.retain,
            log_retention=config.log_retention,
            rate_limit=config.api_rate_limit,
            burst_limit=config.api_burst_limit,
            client_rate_limit=config.api_client_rate_limit,
            domain_name=config.domain_name,
            certificate_arn=config.certificate_arn,
            api_name=config.stack_name,
            # Unique per stack and account (the ATS's token endpoint is <prefix>.auth.<region>.amazoncognito.com).
            token_domain_prefix=re.sub(r"[^a-z0-9-]+", "-", config.stack_name.lower()) + f"-{Aws.ACCOUNT_ID}",
            public_base_url=config.public_base_url,
        )
        self.functions.set_public_base_url(config.public_base_url or self.api.public_base_url)
        self.functions.set_staff_sign_in(sign_in_url=self.api.sign_in_url, domain_url=self.api.sign_in_domain_url,
                                         client_id=self.api.client.user_pool_client_id)
        self.events.subscribe(fns)
        self.schedules = Schedules(
            self,
            "Schedules",
            functions=fns,
            timezone=config.schedule_timezone,
            key=self.events.key,
            dead_letter_queue=self.events.dead_letter_queue,
        )
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            key=self.events.key,
            alarm_email=config.alarm_email,
            functions=fns,
            state_machine=self.workflow.state_machine,
            api=self.api.rest_api,
            queues={name: s.queue for name, s in self.events.subscriptions.items()},
            dead_letter_queues={
                **{f"rule-{name}": s.dead_letter_queue for name, s in self.events.subscriptions.items()},
                **{f"schedule-{name}": q for name, q in self.schedules.dead_letter_queues.items()},
            },
            dashboard_name=config.stack_name,
        )

        outputs = {
            "ApiUrl": self.api.public_base_url,
            "PublicBaseUrl": config.public_base_url or self.api.public_base_url,
            "UserPoolId": self.api.user_pool.user_pool_id,
            "UserPoolClientId": self.api.client.user_pool_client_id,
            # Staff open the console and sign in there (managed login on this domain).
            "StaffConsoleUrl": f"{config.public_base_url or self.api.public_base_url}/staff",
            "StaffSignInDomain": self.api.sign_in_domain_url,
            # The ATS registers interviews with this app client (client credentials; its secret is read from
            # Cognito) at this token endpoint, asking for the registration scope.
            "AtsClientId": self.api.ats_client.user_pool_client_id,
            "AtsTokenUrl": f"{self.api.token_domain.base_url()}/oauth2/token",
            "AtsScope": topology.ATS_REGISTER_SCOPE,
            "EventBusName": self.events.bus.event_bus_name,
            "StateMachineArn": self.workflow.state_machine.state_machine_arn,
            "AlarmTopicArn": self.monitoring.topic.topic_arn,
            "ReportBucket": self.data.reports.bucket_name,
            "DashboardName": config.stack_name,
        }
        # The tables' names, for the command-line tool run against this stack (`interviews history import --stack`).
        for table in topology.TABLES:
            outputs[f"Table{_camel(table.name)}"] = self.data.tables[table.name].table_name
        for name, subscription in self.events.subscriptions.items():
            outputs[f"DeadLetterQueueUrl{_camel(name)}"] = subscription.dead_letter_queue.queue_url
            outputs[f"QueueArn{_camel(name)}"] = subscription.queue.queue_arn
        for name, queue in self.schedules.dead_letter_queues.items():
            outputs[f"ScheduleDeadLetterQueueUrl{_camel(name)}"] = queue.queue_url
        if config.mail_domain:
            identity = self.email.identity
            for n in (1, 2, 3):
                name = getattr(identity, f"dkim_dns_token_name{n}")
                value = getattr(identity, f"dkim_dns_token_value{n}")
                outputs[f"DkimCname{n}"] = Fn.join(" ", [name, "CNAME", value])
        if self.api.domain is not None:
            outputs["ApiDomainTarget"] = self.api.domain.domain_name_alias_domain_name
        for key, value in outputs.items():
            CfnOutput(self, key, value=value)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))
