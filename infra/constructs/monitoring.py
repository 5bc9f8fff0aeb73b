"""Monitoring: alarms to an SNS topic, and a CloudWatch dashboard.

Alarms (docs/deploy.md says what each means and what to do):
- every dead-letter queue: ApproximateNumberOfMessagesVisible > 0 (something was given up on);
- the state machine: ExecutionsFailed > 0 and ExecutionsTimedOut > 0;
- the API: 5XXError > 0;
- every function: Errors > 0 and Throttles > 0.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

PERIOD = Duration.minutes(5)


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key: kms.IKey,
        alarm_email: str | None,
        functions: dict[str, lambda_.IFunction],
        state_machine: sfn.StateMachine,
        api: apigw.RestApi,
        queues: dict[str, sqs.IQueue],
        dead_letter_queues: dict[str, sqs.IQueue],
        dashboard_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self, "Alarms", display_name="Interview cancellations alarms", master_key=key, enforce_ssl=True
        )
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        action = cw_actions.SnsAction(self.topic)
        self.alarms: dict[str, cloudwatch.Alarm] = {}

        def alarm(alarm_id: str, metric: cloudwatch.IMetric, description: str) -> None:
            created = cloudwatch.Alarm(
                self,
                alarm_id,
                metric=metric,
                threshold=0,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=description,
            )
            created.add_alarm_action(action)
            created.add_ok_action(action)
            self.alarms[alarm_id] = created

        for name, dlq in dead_letter_queues.items():
            alarm(
                f"DeadLetters{_camel(name)}",
                dlq.metric_approximate_number_of_messages_visible(
                    period=Duration.minutes(1), statistic="Maximum"
                ),
                f"Messages in the {name} dead-letter queue: they failed every retry. "
                "Inspect them, fix the cause, "
                "then redrive (docs/deploy.md).",
            )
        alarm(
            "WorkflowFailed",
            state_machine.metric_failed(period=PERIOD, statistic="Sum"),
            "A cancellation workflow execution failed: its request needs attention "
            "(see the execution history).",
        )
        alarm(
            "WorkflowTimedOut",
            state_machine.metric_timed_out(period=PERIOD, statistic="Sum"),
            "A cancellation workflow execution hit its overall timeout.",
        )
        alarm(
            "Api5xx",
            api.metric_server_error(period=PERIOD, statistic="Sum"),
            "The API answered with 5xx: a function failed or timed out, or API Gateway itself erred.",
        )
        for name, function in functions.items():
            alarm(
                f"{_camel(name)}Errors",
                function.metric_errors(period=PERIOD, statistic="Sum"),
                f"The {name} function raised errors (see its log group).",
            )
            alarm(
                f"{_camel(name)}Throttles",
                function.metric_throttles(period=PERIOD, statistic="Sum"),
                f"The {name} function was throttled: the account's concurrency is exhausted.",
            )

        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=dashboard_name)
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="API requests and errors",
                width=12,
                left=[
                    api.metric_count(period=PERIOD),
                    api.metric_client_error(period=PERIOD),
                    api.metric_server_error(period=PERIOD),
                ],
            ),
            cloudwatch.GraphWidget(
                title="API latency (p50, p99)",
                width=12,
                left=[
                    api.metric_latency(period=PERIOD, statistic="p50"),
                    api.metric_latency(period=PERIOD, statistic="p99"),
                ],
            ),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Workflow executions",
                width=12,
                left=[
                    state_machine.metric_started(period=PERIOD),
                    state_machine.metric_succeeded(period=PERIOD),
                    state_machine.metric_failed(period=PERIOD),
                    state_machine.metric_timed_out(period=PERIOD),
                ],
            ),
            cloudwatch.GraphWidget(
                title="Queues: visible messages and oldest age",
                width=12,
                left=[
                    q.metric_approximate_number_of_messages_visible(period=PERIOD)
                    for q in [*queues.values(), *dead_letter_queues.values()]
                ],
                right=[q.metric_approximate_age_of_oldest_message(period=PERIOD) for q in queues.values()],
            ),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Function invocations and errors",
                width=12,
                left=[f.metric_invocations(period=PERIOD) for f in functions.values()],
                right=[f.metric_errors(period=PERIOD) for f in functions.values()],
            ),
            cloudwatch.GraphWidget(
                title="Function duration (p99)",
                width=12,
                left=[f.metric_duration(period=PERIOD, statistic="p99") for f in functions.values()],
            ),
        )
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(
                title="Alarms",
                width=24,
                alarms=list(self.alarms.values()),
            )
        )


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))
