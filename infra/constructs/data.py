"""Data: one DynamoDB table per topology.TABLES entry, and the bucket for the nightly reports.

Tables are on-demand, point-in-time recoverable, encrypted with a customer-managed KMS key (rotated yearly),
with TTL where the topology names a TTL attribute. Outside the dev stage they are deletion-protected and kept
when the stack is deleted. With replica regions (context `replicaRegions`) they become global tables; each
replica region then needs a KMS key of its own there (context `replicaKeyArns`: {region: key ARN}).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra import topology


class Data(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        retain: bool,
        replica_regions: tuple[str, ...] = (),
        replica_key_arns: dict[str, str] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        removal = RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY
        self.key = kms.Key(
            self,
            "TablesKey",
            description="Encrypts the interview-cancellation tables and their backups",
            enable_key_rotation=True,
            removal_policy=removal,
            pending_window=Duration.days(30 if retain else 7),
        )
        replica_key_arns = replica_key_arns or {}
        missing = [r for r in replica_regions if r not in replica_key_arns]
        if missing:
            raise ValueError(
                f"replica regions {missing} need a KMS key ARN each in context replicaKeyArns "
                '(e.g. -c \'replicaKeyArns={"eu-west-1": "arn:aws:kms:eu-west-1:111122223333:key/..."}\')'
            )
        if replica_regions and Token.is_unresolved(Stack.of(self).region):
            raise ValueError(
                "replica regions need a stack with an explicit region: set CDK_DEFAULT_REGION or -c region="
            )

        self.tables: dict[str, dynamodb.TableV2] = {}
        for spec in topology.TABLES:
            self.tables[spec.name] = dynamodb.TableV2(
                self,
                _camel(spec.name),
                partition_key=dynamodb.Attribute(name=spec.partition_key, type=dynamodb.AttributeType.STRING),
                sort_key=(
                    dynamodb.Attribute(name=spec.sort_key, type=dynamodb.AttributeType.STRING)
                    if spec.sort_key
                    else None
                ),
                billing=dynamodb.Billing.on_demand(),
                encryption=dynamodb.TableEncryptionV2.customer_managed_key(
                    self.key,
                    replica_key_arns={r: replica_key_arns[r] for r in replica_regions} or None,
                ),
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True,
                ),
                deletion_protection=retain,
                removal_policy=removal,
                time_to_live_attribute=spec.ttl_attribute,
                global_secondary_indexes=[
                    dynamodb.GlobalSecondaryIndexPropsV2(
                        index_name=index.name,
                        partition_key=dynamodb.Attribute(
                            name=index.partition_key, type=dynamodb.AttributeType.STRING
                        ),
                        sort_key=(
                            dynamodb.Attribute(name=index.sort_key, type=dynamodb.AttributeType.STRING)
                            if index.sort_key
                            else None
                        ),
                        projection_type=dynamodb.ProjectionType.ALL,
                    )
                    for index in spec.indexes
                ]
                or None,
                replicas=[
                    dynamodb.ReplicaTableProps(
                        region=region,
                        deletion_protection=retain,
                        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                            point_in_time_recovery_enabled=True,
                        ),
                    )
                    for region in replica_regions
                ]
                or None,
            )

        # Nightly reports (aggregates, no personal data). The analytics code asks for SSE-KMS without naming a
        # key, which S3 serves with the AWS-managed aws/s3 key: the bucket uses the same, so no key grant is
        # needed.
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365 if retain else 30))],
            removal_policy=removal,
            auto_delete_objects=False,
        )
        self.reports = s3.Bucket(
            self,
            "Reports",
            encryption=s3.BucketEncryption.KMS_MANAGED,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=retain,  # a dev stack's bucket must empty with one `aws s3 rb --force`
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="reports/",
            lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=Duration.days(90))]
            if retain
            else None,
            removal_policy=removal,
        )


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("-", "_").split("_")) + "Table"
