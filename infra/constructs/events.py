"""Events: the custom EventBridge bus, its archive, and one subscription per topology.RULES entry.

A subscription is rule (detail-type in the rule's list, from the source allowed to send it: topology.EventRule.pattern)
-> SQS queue -> the rule's Lambda through an event
source mapping with partial batch responses. The queue's messages that fail five times, and the events
EventBridge could not deliver to the queue at all, land in the rule's dead-letter queue, from which an
operator redrives them (docs/deploy.md). Queues are encrypted with a customer-managed key and refuse non-TLS
access.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import topology

MAX_RECEIVE_COUNT = 5


@dataclass(frozen=True)
class Subscription:
    rule: events.Rule
    queue: sqs.Queue
    dead_letter_queue: sqs.Queue
    function: lambda_.IFunction


class Events(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, retain: bool, archive_days: int,
                 ats_sources: tuple[str, ...] = topology.ATS_SOURCES) -> None:
        super().__init__(scope, construct_id)
        self._retain = retain
        self.ats_sources = tuple(ats_sources)
        stack = Stack.of(self)
        # Encrypts the queues, the dead-letter queues and the alarm topic.
        self.key = kms.Key(
            self,
            "MessagesKey",
            description="Encrypts the interview-cancellation queues and notification topics",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
            pending_window=Duration.days(30 if retain else 7),
        )
        # CloudWatch publishes alarm notifications to the encrypted alarm topic: it needs the key, for this
        # account only. (EventBridge gets its grant from CDK when a rule targets one of the queues.)
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsToUseTheKey",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy "*" means this key
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )

        self.bus = events.EventBus(self, "Bus", description="Interview cancellation events, in and out")
        self.archive = events.Archive(
            self,
            "Archive",
            source_event_bus=self.bus,
            event_pattern=events.EventPattern(account=[stack.account]),
            retention=Duration.days(archive_days),
            description="Every event on the bus, for replay",
        )
        self.subscriptions: dict[str, Subscription] = {}

    def dead_letter_queue(self, construct_id: str) -> sqs.Queue:
        return sqs.Queue(
            self,
            construct_id,
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self.key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
            removal_policy=RemovalPolicy.RETAIN if self._retain else RemovalPolicy.DESTROY,
        )

    def subscribe(self, functions: dict[str, lambda_.Function]) -> None:
        """One rule -> queue (+DLQ) -> Lambda per topology.RULES entry."""
        for spec in topology.RULES:
            function = functions[spec.function]
            name = "".join(part.capitalize() for part in spec.name.split("-"))
            dlq = self.dead_letter_queue(f"{name}DeadLetters")
            timeout = function.timeout.to_seconds() if function.timeout else 3
            queue = sqs.Queue(
                self,
                f"{name}Queue",
                encryption=sqs.QueueEncryption.KMS,
                encryption_master_key=self.key,
                enforce_ssl=True,
                # AWS's advice for SQS event sources: at least six times the function's timeout.
                visibility_timeout=Duration.seconds(6 * timeout),
                retention_period=Duration.days(4),
                dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=MAX_RECEIVE_COUNT),
                removal_policy=RemovalPolicy.RETAIN if self._retain else RemovalPolicy.DESTROY,
            )
            rule = events.Rule(
                self,
                f"{name}Rule",
                event_bus=self.bus,
                description=f"{', '.join(spec.detail_types)} -> {spec.function}",
                # Replaced below by the full pattern: CDK's EventPattern cannot say `$or`.
                event_pattern=events.EventPattern(detail_type=list(spec.detail_types)),
                targets=[
                    targets.SqsQueue(
                        queue,
                        dead_letter_queue=dlq,
                        retry_attempts=185,
                        max_event_age=Duration.hours(24),
                    )
                ],
            )
            rule.node.default_child.event_pattern = spec.pattern(self.ats_sources)
            function.add_event_source(
                sources.SqsEventSource(
                    queue,
                    batch_size=10,
                    max_batching_window=Duration.seconds(1),
                    report_batch_item_failures=True,
                )
            )
            self.subscriptions[spec.name] = Subscription(rule, queue, dlq, function)
