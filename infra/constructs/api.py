"""API: the REST API built from topology.ROUTES, and the Cognito user pool for staff.

- "staff" routes: Cognito authorizer on the staff user pool (groups recruiter, department_manager, admin;
  the code checks the group).
- "link" routes: no authorizer; the code verifies a signed, expiring link (candidates and approvers never log
  in). "public" routes (the API's own docs) are open. Both carry an explicit cdk-nag suppression saying so.
- Every method validates its request (required path parameters, body/parameter validator); the stage
  throttles, writes JSON access logs and execution logs (errors and info, never bodies), and traces with
  X-Ray.
- No CORS: the pages are served by the same API (same origin).
"""

from __future__ import annotations

import re

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from infra import topology

STAFF_GROUPS = ("recruiter", "department_manager", "admin")
_PATH_PARAMETER = re.compile(r"\{([A-Za-z0-9_]+)\}")


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        functions: dict[str, lambda_.IFunction],
        retain: bool,
        log_retention: logs.RetentionDays,
        rate_limit: int,
        burst_limit: int,
        domain_name: str | None = None,
        certificate_arn: str | None = None,
        api_name: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        removal = RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY

        self.user_pool = cognito.UserPool(
            self,
            "StaffUsers",
            self_sign_up_enabled=False,  # staff accounts are created by an admin
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_digits=True,
                require_lowercase=True,
                require_uppercase=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=retain,
            removal_policy=removal,
        )
        self.groups = {
            group: cognito.CfnUserPoolGroup(
                self,
                f"Group{''.join(p.capitalize() for p in group.split('_'))}",
                user_pool_id=self.user_pool.user_pool_id,
                group_name=group,
                description=f"Interview cancellations: {group.replace('_', ' ')}",
            )
            for group in STAFF_GROUPS
        }
        self.client = self.user_pool.add_client(
            "StaffClient",
            auth_flows=cognito.AuthFlow(user_srp=True),
            prevent_user_existence_errors=True,
            generate_secret=False,
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(1),
        )

        self.access_logs = logs.LogGroup(self, "AccessLogs", retention=log_retention, removal_policy=removal)
        self.rest_api = apigw.RestApi(
            self,
            "Api",
            # Metrics are keyed by API name: unique per stack, so side-by-side stacks don't mix.
            rest_api_name=api_name,
            description="Interview cancellations: candidate, approver and staff API and pages",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=True,  # execution logs need the account-level API Gateway logging role
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,  # shared by every API of the account/region
            deploy_options=apigw.StageOptions(
                stage_name=stage,
                throttling_rate_limit=rate_limit,
                throttling_burst_limit=burst_limit,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                logging_level=apigw.MethodLoggingLevel.INFO,
                data_trace_enabled=False,  # never log request or response bodies: they hold personal data
                metrics_enabled=True,
                tracing_enabled=True,
            ),
            disable_execute_api_endpoint=bool(domain_name),
        )
        self.stage_name = stage
        self.authorizer = apigw.CognitoUserPoolsAuthorizer(
            self,
            "StaffAuthorizer",
            cognito_user_pools=[self.user_pool],
        )
        self.validator = apigw.RequestValidator(
            self,
            "Validator",
            rest_api=self.rest_api,
            validate_request_body=True,
            validate_request_parameters=True,
        )

        integrations = {
            name: apigw.LambdaIntegration(function, proxy=True, allow_test_invoke=False)
            for name, function in functions.items()
        }
        self.methods: list[tuple[topology.Route, apigw.Method]] = []
        for route in topology.ROUTES:
            resource = self.rest_api.root.resource_for_path(route.path)
            parameters = {f"method.request.path.{p}": True for p in _PATH_PARAMETER.findall(route.path)}
            staff = route.auth == "staff"
            if route.auth not in ("staff", "link", "public"):
                raise ValueError(f"unknown auth {route.auth!r} on {route.method} {route.path}")
            method = resource.add_method(
                route.method,
                integrations[route.function],
                authorizer=self.authorizer if staff else None,
                authorization_type=apigw.AuthorizationType.COGNITO if staff else apigw.AuthorizationType.NONE,
                request_validator=self.validator,
                request_parameters=parameters or None,
            )
            self.methods.append((route, method))
            if not staff:
                why = (
                    "candidates and approvers never log in: the handler verifies the signed, expiring, "
                    "approver-bound link in the URL before reading or changing anything"
                    if route.auth == "link"
                    else "public by design: the API's own OpenAPI document and docs page, no data"
                )
                NagSuppressions.add_resource_suppressions(
                    method,
                    [
                        NagPackSuppression(
                            id="AwsSolutions-APIG4", reason=f"{route.method} {route.path}: {why}"
                        ),
                        NagPackSuppression(
                            id="AwsSolutions-COG4", reason=f"{route.method} {route.path}: {why}"
                        ),
                    ],
                )

        if domain_name:
            if not certificate_arn:
                raise ValueError(
                    "context domainName needs certificateArn (an ACM certificate in this region)"
                )
            self.domain = self.rest_api.add_domain_name(
                "Domain",
                domain_name=domain_name,
                certificate=acm.Certificate.from_certificate_arn(self, "Certificate", certificate_arn),
                endpoint_type=apigw.EndpointType.REGIONAL,
                security_policy=apigw.SecurityPolicy.TLS_1_2,
            )
            self.public_base_url = f"https://{domain_name}"
        else:
            self.domain = None
            # Built from the API's id, not from rest_api.url: that would make every function depend on the
            # deployment stage, which depends on the methods, which depend on the functions.
            self.public_base_url = (
                f"https://{self.rest_api.rest_api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}/{stage}"
            )

        NagSuppressions.add_resource_suppressions(
            self.rest_api,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM4",
                    reason="The account-level API Gateway logging role uses the AWS-managed "
                    "AmazonAPIGatewayPushToCloudWatchLogs policy, the documented policy for that role.",
                    applies_to=[
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
                    ],
                )
            ],
            apply_to_children=True,
        )
        NagSuppressions.add_resource_suppressions(
            self.rest_api.deployment_stage,
            [
                NagPackSuppression(
                    id="AwsSolutions-APIG3",
                    reason="No WAF web ACL by default (from $5/month + $1/rule): the stage throttles, "
                    "staff routes need "
                    "Cognito, link routes need a signed link. docs/deploy.md shows how to attach one.",
                )
            ],
        )
