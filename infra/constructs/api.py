"""API: the REST API built from topology.ROUTES, and the Cognito user pool for staff.

- Staff sign in to the console (/staff) with Cognito managed login on the user pool domain: an app client with the
  authorization code flow (PKCE; no implicit flow) whose callback and sign-out URL is the console's own URL.

- "staff" routes: Cognito authorizer on the staff user pool (groups recruiter, department_manager, admin;
  the code checks the group, and scopes what each reaches by the `custom:person_id` attribute, which only an
  administrator sets: the staff app client may not write it).
- "ats" routes (registering interviews): the same authorizer with the OAuth scope of the ATS resource server, so
  only an access token from the ATS app client (client credentials grant, a secret only the ATS holds) passes;
  no person's token holds that scope.
- "link" routes: no authorizer; the code verifies a signed, expiring link (candidates and approvers never log
  in). "public" routes (the API's own docs) are open. Both carry an explicit cdk-nag suppression saying so.
- Every method validates its request (required path parameters, body/parameter validator); the stage
  throttles, writes JSON access logs and execution logs (errors and info, never bodies), and traces with
  X-Ray.
- No CORS: the pages are served by the same API (same origin).
- Optionally (`client_rate_limit`, on by default in prod) a WAF web ACL limits each client (rate_limit.py).
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
from infra.constructs.rate_limit import ClientRateLimit

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
        client_rate_limit: int = 0,
        domain_name: str | None = None,
        certificate_arn: str | None = None,
        api_name: str | None = None,
        token_domain_prefix: str | None = None,
        public_base_url: str | None = None,
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
            # The person id the ATS uses in job data (recruiter, department manager): what scopes a staff member.
            custom_attributes={"person_id": cognito.StringAttribute(min_len=1, max_len=64, mutable=True)},
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
        # The ATS: a machine identity. Its app client has a secret and only the client credentials grant, and gets
        # an access token with the registration scope from the user pool's token endpoint (the domain below).
        self.ats_register_scope = cognito.ResourceServerScope(
            scope_name=topology.ATS_REGISTER_SCOPE_NAME,
            scope_description="Register scheduled interviews (the ATS)",
        )
        self.ats_resource_server = self.user_pool.add_resource_server(
            "AtsResourceServer",
            identifier=topology.ATS_RESOURCE_SERVER,
            scopes=[self.ats_register_scope],
        )
        self.ats_client = self.user_pool.add_client(
            "AtsClient",
            generate_secret=True,
            prevent_user_existence_errors=True,
            access_token_validity=Duration.hours(1),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(client_credentials=True),
                scopes=[
                    cognito.OAuthScope.resource_server(
                        self.ats_resource_server, self.ats_register_scope
                    )
                ],
            ),
        )
        # The user pool's domain: the ATS's token endpoint, and staff's managed login (the sign-in pages Cognito
        # hosts, in the reader's language: the console passes ?lang=) with its OAuth endpoints.
        self.token_domain = self.user_pool.add_domain(
            "TokenDomain",
            cognito_domain=cognito.CognitoDomainOptions(
                domain_prefix=token_domain_prefix or f"interviews-{stage.lower()}-{Aws.ACCOUNT_ID}"
            ),
            managed_login_version=cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
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
            staff = route.auth in ("staff", "ats")
            if route.auth not in ("staff", "ats", "link", "public"):
                raise ValueError(f"unknown auth {route.auth!r} on {route.method} {route.path}")
            if bool(route.scopes) != (route.auth == "ats"):
                raise ValueError(f"{route.method} {route.path}: OAuth scopes belong on, and only on, ats routes")
            method = resource.add_method(
                route.method,
                integrations[route.function],
                authorizer=self.authorizer if staff else None,
                authorization_type=apigw.AuthorizationType.COGNITO if staff else apigw.AuthorizationType.NONE,
                # With scopes, API Gateway takes only an access token holding one (never a person's ID token).
                authorization_scopes=list(route.scopes) or None,
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

        # The staff console's sign-in: the authorization code flow with PKCE (the console is a public client: no
        # secret; it sends an S256 code challenge), never the implicit flow (tokens in URLs). The code comes back
        # to the console's own page, and sign-out returns there: the API's /staff (and the public base URL's, when
        # something else fronts the API).
        self.console_urls = list(dict.fromkeys(
            f"{base}/staff" for base in (self.public_base_url, public_base_url) if base))
        self.client = self.user_pool.add_client(
            "StaffClient",
            auth_flows=cognito.AuthFlow(user_srp=True),
            prevent_user_existence_errors=True,
            generate_secret=False,
            enable_token_revocation=True,  # sign-out revokes the refresh token
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(1),
            # People may not change the attributes that scope them (custom:person_id): only an admin sets them.
            write_attributes=cognito.ClientAttributes().with_standard_attributes(fullname=True),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True, implicit_code_grant=False,
                                         client_credentials=False),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
                callback_urls=self.console_urls,
                logout_urls=self.console_urls,
            ),
        )
        # Managed login shows a client's pages only with a branding style assigned to it: Cognito's own.
        self.managed_login = cognito.CfnManagedLoginBranding(
            self,
            "StaffManagedLogin",
            user_pool_id=self.user_pool.user_pool_id,
            client_id=self.client.user_pool_client_id,
            use_cognito_provided_values=True,
        )
        self.managed_login.node.add_dependency(self.token_domain)
        self.sign_in_domain_url = self.token_domain.base_url()
        self.sign_in_url = f"{self.sign_in_domain_url}/oauth2/authorize"

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
        # Requests per client (source IP) per 5 minutes; 0: no web ACL (dev's default).
        self.rate_limit = (
            ClientRateLimit(self, "ClientRateLimit", stage=self.rest_api.deployment_stage, limit=client_rate_limit,
                            metric_prefix=api_name or f"interviews-{stage}")
            if client_rate_limit
            else None
        )
        if self.rate_limit is None:
            NagSuppressions.add_resource_suppressions(
                self.rest_api.deployment_stage,
                [
                    NagPackSuppression(
                        id="AwsSolutions-APIG3",
                        reason="No WAF web ACL on this stage (apiClientRateLimit=0, the default outside prod; "
                        "from $5/month + $1/rule): the stage throttles, staff routes need Cognito, link routes "
                        "need a signed link. prod gets the per-client rate limit by default.",
                    )
                ],
            )
