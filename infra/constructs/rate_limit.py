"""A per-client rate limit in front of the API: an AWS WAF web ACL with one rate-based rule, on the API stage.

Why: the stage's throttle (apiRateLimit/apiBurstLimit) is one budget for everybody, so a single client looping on
a portal or approval link could spend it and every candidate and approver would get 429s. The rate-based rule
counts each client (source IP) over a 5-minute window and blocks only the one over its limit, with the same
answer API Gateway's throttle gives (429, `{"message": "Too Many Requests"}`); everyone else is let through.

On by default in prod, off in dev (context `apiClientRateLimit`, see infra/stack.py): a web ACL costs about
$5/month + $1/rule + $0.60 per million requests at list price.
"""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

WINDOW_SECONDS = 300  # WAF counts each client's requests over this sliding window
MINIMUM_LIMIT = 10  # the smallest limit WAF accepts per window
TOO_MANY_REQUESTS = "TooManyRequests"


class ClientRateLimit(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: apigw.Stage, limit: int,
                 metric_prefix: str) -> None:
        super().__init__(scope, construct_id)
        if limit < MINIMUM_LIMIT:
            raise ValueError(f"a per-client rate limit is at least {MINIMUM_LIMIT} requests per "
                             f"{WINDOW_SECONDS} s, not {limit}")
        self.limit = limit

        def visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, sampled_requests_enabled=True,
                metric_name=f"{metric_prefix}-{metric}")

        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            description=f"Per-client rate limit: {limit} requests per {WINDOW_SECONDS} s per source IP",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=visibility("api"),
            custom_response_bodies={
                TOO_MANY_REQUESTS: wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content='{"message": "Too Many Requests"}', content_type="APPLICATION_JSON")
            },
            rules=[
                wafv2.CfnWebACL.RuleProperty(
                    name="PerClientRateLimit",
                    priority=0,
                    statement=wafv2.CfnWebACL.StatementProperty(
                        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                            aggregate_key_type="IP", limit=limit, evaluation_window_sec=WINDOW_SECONDS)
                    ),
                    action=wafv2.CfnWebACL.RuleActionProperty(
                        block=wafv2.CfnWebACL.BlockActionProperty(
                            custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                                response_code=429, custom_response_body_key=TOO_MANY_REQUESTS)
                        )
                    ),
                    visibility_config=visibility("per-client-rate-limit"),
                )
            ],
        )
        self.association = wafv2.CfnWebACLAssociation(
            self, "Association", resource_arn=stage.stage_arn, web_acl_arn=self.web_acl.attr_arn)
