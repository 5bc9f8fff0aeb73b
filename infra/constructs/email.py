"""E-mail: the SES identity mail is sent from, and a configuration set whose feedback becomes events.

The identity is the sender address (context `senderAddress`, SES mails a verification link to it) or, with
context `mailDomain`, the whole domain (Easy DKIM: publish the three CNAME records from the stack outputs).
The configuration set is the identity's default, so every message from it is covered without code changes.
Bounces, complaints, rejections, rendering failures and delays go to the account's default EventBridge bus
(the only bus SES delivers to), and a rule there forwards ours to the service's bus, where they are archived
with every other event and can be subscribed to like any other.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_ses as ses
from constructs import Construct

FEEDBACK_EVENTS = (
    ses.EmailSendingEvent.BOUNCE,
    ses.EmailSendingEvent.COMPLAINT,
    ses.EmailSendingEvent.REJECT,
    ses.EmailSendingEvent.RENDERING_FAILURE,
    ses.EmailSendingEvent.DELIVERY_DELAY,
)


class Email(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        sender: str,
        mail_domain: str | None,
        bus: events.IEventBus,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        if mail_domain and not sender.lower().endswith("@" + mail_domain.lower()):
            raise ValueError(f"senderAddress {sender} is not in mailDomain {mail_domain}")
        self.sender = sender
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            reputation_metrics=True,
            sending_enabled=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
            tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,
        )
        self.identity = ses.EmailIdentity(
            self,
            "Identity",
            identity=ses.Identity.domain(mail_domain) if mail_domain else ses.Identity.email(sender),
            configuration_set=self.configuration_set,
        )
        default_bus_arn = stack.format_arn(service="events", resource="event-bus", resource_name="default")
        ses.CfnConfigurationSetEventDestination(
            self,
            "Feedback",
            configuration_set_name=self.configuration_set.configuration_set_name,
            event_destination=ses.CfnConfigurationSetEventDestination.EventDestinationProperty(
                enabled=True,
                matching_event_types=[e.value for e in FEEDBACK_EVENTS],
                event_bridge_destination=ses.CfnConfigurationSetEventDestination.EventBridgeDestinationProperty(
                    event_bus_arn=default_bus_arn,
                ),
            ),
        )
        default_bus = events.EventBus.from_event_bus_arn(self, "DefaultBus", default_bus_arn)
        self.forward_rule = events.Rule(
            self,
            "FeedbackToServiceBus",
            event_bus=default_bus,
            description="SES feedback for this stack's configuration set -> the service's bus",
            event_pattern=events.EventPattern(
                source=["aws.ses"],
                detail={
                    "mail": {
                        "tags": {"ses:configuration-set": [self.configuration_set.configuration_set_name]}
                    }
                },
            ),
            targets=[targets.EventBus(bus)],
        )
        self.identity_arn = self.identity.email_identity_arn
        self.configuration_set_arn = stack.format_arn(
            service="ses",
            resource="configuration-set",
            resource_name=self.configuration_set.configuration_set_name,
        )
