"""Schedule: one EventBridge Scheduler schedule per topology.SCHEDULES entry, in the deployment's timezone.

The function receives an EventBridge-shaped event, as the local runtime delivers it:
{"version": "0", "id": <execution id>, "detail-type": "Scheduled Event", "source": "aws.scheduler",
 "account": ..., "time": <scheduled time>, "region": ..., "resources": [<schedule ARN>],
 "detail": <the topology entry's detail>}.
An invocation that still fails after the retries lands in the schedule's dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_cdk import Duration, Stack, TimeZone
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import Construct

from infra import topology


class Schedules(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: dict[str, lambda_.IFunction],
        timezone: str,
        key: kms.IKey,
        dead_letter_queue: Callable[[str], sqs.Queue],
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.schedules: dict[str, scheduler.Schedule] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        for spec in topology.SCHEDULES:
            name = "".join(part.capitalize() for part in spec.name.split("-"))
            dlq = dead_letter_queue(f"{name}ScheduleDeadLetters")
            NagSuppressions.add_resource_suppressions(
                dlq,
                [
                    NagPackSuppression(
                        id="AwsSolutions-SQS3",
                        reason=f"This queue is itself the dead-letter queue of the {spec.name} schedule "
                        "(Scheduler's DeadLetterConfig, which cdk-nag does not follow).",
                    )
                ],
            )
            role = iam.Role(
                self,
                f"{name}Role",
                assumed_by=iam.ServicePrincipal(
                    "scheduler.amazonaws.com",
                    conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
                ),
                description=f"Scheduler: invoke {spec.function} for {spec.name}, dead-letter what fails",
            )
            key.grant(
                role, "kms:GenerateDataKey", "kms:Decrypt"
            )  # to write to the encrypted dead-letter queue
            NagSuppressions.add_resource_suppressions(
                role,
                [
                    NagPackSuppression(
                        id="AwsSolutions-IAM5",
                        reason=f"CDK's Scheduler target lets the role invoke the {spec.function} function "
                        "and its own "
                        "versions and aliases ('<function ARN>:*'), nothing else.",
                        applies_to=[RegexAppliesTo(regex=r"/^Resource::<.+Function[0-9A-F]+\.Arn>:\*$/g")],
                    )
                ],
                apply_to_children=True,
            )
            target = scheduler_targets.LambdaInvoke(
                functions[spec.function],
                role=role,
                dead_letter_queue=dlq,
                retry_attempts=3,
                max_event_age=Duration.hours(6),
                input=scheduler.ScheduleTargetInput.from_object(
                    {
                        "version": "0",
                        "id": scheduler.ContextAttribute.execution_id,
                        "detail-type": "Scheduled Event",
                        "source": "aws.scheduler",
                        "account": stack.account,
                        "time": scheduler.ContextAttribute.scheduled_time,
                        "region": stack.region,
                        "resources": [scheduler.ContextAttribute.schedule_arn],
                        "detail": spec.detail,
                    }
                ),
            )
            self.schedules[spec.name] = scheduler.Schedule(
                self,
                name,
                schedule=scheduler.ScheduleExpression.expression(spec.cron, TimeZone.of(timezone)),
                target=target,
                description=f"{spec.name}: {spec.cron} in {timezone} -> {spec.function}",
            )
            self.dead_letter_queues[spec.name] = dlq
