"""DynamoDB tables from TableSpec: on-demand, PITR, AWS-managed KMS encryption, deletion protection on
and retained on stack delete — unless built for a throwaway stack (`protected=False`: context
`deletionProtection=false`), whose tables are unprotected and deleted with it."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct
from crossdock.core.specs import TableSpec

from infra.components.naming import pin_logical_id


@dataclass(frozen=True)
class StoredTable:
    spec: TableSpec
    table: dynamodb.Table


def _string_key(name: str | None) -> dynamodb.Attribute | None:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING) if name else None


def build_table(scope: Construct, spec: TableSpec, *, protected: bool = True) -> StoredTable:
    table = dynamodb.Table(
        scope,
        spec.logical_id,
        partition_key=dynamodb.Attribute(name=spec.hash_key, type=dynamodb.AttributeType.STRING),
        sort_key=_string_key(spec.range_key),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        time_to_live_attribute=spec.ttl_attribute,
        deletion_protection=protected,
        removal_policy=RemovalPolicy.RETAIN if protected else RemovalPolicy.DESTROY,
    )
    for index_name, hash_key, range_key in spec.indexes:
        table.add_global_secondary_index(
            index_name=index_name,
            partition_key=dynamodb.Attribute(name=hash_key, type=dynamodb.AttributeType.STRING),
            sort_key=_string_key(range_key),
            projection_type=dynamodb.ProjectionType.ALL,
        )
    pin_logical_id(table, spec.logical_id)
    return StoredTable(spec=spec, table=table)
