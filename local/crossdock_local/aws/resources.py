"""Crossdock's AWS resources built from the same specs the CDK app reads (`crossdock.core.names`).

Each function takes a boto3 client (moto's server, moto in-process, or a real account) and returns
the environment variables that point the runtime at what it created, keyed by the variable name.
"""

from __future__ import annotations

import json
from typing import Any

from crossdock.core.names import SERVICE_NAME
from crossdock.core.specs import QueueSpec, TableSpec
from crossdock.deployment import QUEUES, TABLES

ALERT_EMAIL = "crossdock-alerts@example.com"
REPORT_EMAIL = "crossdock-reports@example.com"
TOPIC_NAME = f"{SERVICE_NAME}-alerts"  # something needs a person now
REPORTS_TOPIC_NAME = f"{SERVICE_NAME}-reports"  # daily digests and purchase suggestions
DLQ_SUFFIX = "-dlq"


def resource_name(env_var: str, prefix: str = SERVICE_NAME) -> str:
    """`CROSSDOCK_ORDER_TASKS_QUEUE_URL` → `crossdock-order-tasks` (the config defaults use the same
    rule); another prefix gives names no default matches, as a deployed stack's generated ones."""
    stem = env_var.lower().removeprefix("crossdock_")
    for suffix in ("_queue_url", "_table", "_topic_arn"):
        stem = stem.removesuffix(suffix)
    return f"{prefix}-{stem.replace('_', '-')}"


def _table_definition(spec: TableSpec, prefix: str) -> dict[str, Any]:
    keys = [spec.hash_key, *([spec.range_key] if spec.range_key else [])]
    for _, index_hash, index_range in spec.indexes:
        keys += [index_hash, *([index_range] if index_range else [])]
    schema = [{"AttributeName": spec.hash_key, "KeyType": "HASH"}]
    if spec.range_key:
        schema.append({"AttributeName": spec.range_key, "KeyType": "RANGE"})
    definition: dict[str, Any] = {
        "TableName": resource_name(spec.env_var, prefix),
        "KeySchema": schema,
        "AttributeDefinitions": [{"AttributeName": k, "AttributeType": "S"} for k in dict.fromkeys(keys)],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if spec.indexes:
        definition["GlobalSecondaryIndexes"] = [
            {
                "IndexName": name,
                "KeySchema": [{"AttributeName": index_hash, "KeyType": "HASH"}]
                + ([{"AttributeName": index_range, "KeyType": "RANGE"}] if index_range else []),
                "Projection": {"ProjectionType": "ALL"},
            }
            for name, index_hash, index_range in spec.indexes
        ]
    return definition


def create_tables(
    dynamodb: Any, specs: tuple[TableSpec, ...] = TABLES, *, prefix: str = SERVICE_NAME
) -> dict[str, str]:
    """Every table with its key schema, indexes and TTL attribute."""
    names: dict[str, str] = {}
    for spec in specs:
        definition = _table_definition(spec, prefix)
        dynamodb.create_table(**definition)
        dynamodb.get_waiter("table_exists").wait(TableName=definition["TableName"])
        if spec.ttl_attribute:
            dynamodb.update_time_to_live(
                TableName=definition["TableName"],
                TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
            )
        names[spec.env_var] = definition["TableName"]
    return names


def create_queues(
    sqs: Any, specs: tuple[QueueSpec, ...] = QUEUES, *, prefix: str = SERVICE_NAME
) -> dict[str, str]:
    """Every queue with its dead-letter queue and redrive policy (maxReceiveCount from the spec): the
    queues' URLs under their `env_var` and the dead-letter queues' under their `dlq_env_var`."""
    urls: dict[str, str] = {}
    for spec in specs:
        name = resource_name(spec.env_var, prefix)
        retention = str(spec.retention_days * 24 * 3600)
        fifo = {"FifoQueue": "true"} if spec.fifo else {}
        suffix = ".fifo" if spec.fifo else ""  # a FIFO queue's dead letters must be FIFO too
        dlq_url = sqs.create_queue(
            QueueName=name + DLQ_SUFFIX + suffix, Attributes={"MessageRetentionPeriod": retention, **fifo}
        )["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(spec.max_receive_count)}
        url = sqs.create_queue(
            QueueName=name + suffix,
            Attributes={
                "VisibilityTimeout": str(spec.visibility_timeout_s),
                "MessageRetentionPeriod": retention,
                "RedrivePolicy": json.dumps(redrive),
                **fifo,
            },
        )["QueueUrl"]
        urls[spec.env_var] = url
        urls[spec.dlq_env_var] = dlq_url
    return urls


def create_topic(sns: Any, *, email: str = ALERT_EMAIL, name: str = TOPIC_NAME) -> str:
    """A topic (default: the alerts topic) with an e-mail subscription, as the CDK stack subscribes
    the operators."""
    arn: str = sns.create_topic(Name=name)["TopicArn"]
    sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=email)
    return arn


def dead_letter_url(sqs: Any, queue_url: str) -> str:
    """The DLQ of a queue, read back from its redrive policy."""
    attrs = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["RedrivePolicy"])["Attributes"]
    arn = json.loads(attrs["RedrivePolicy"])["deadLetterTargetArn"]
    return str(sqs.get_queue_url(QueueName=arn.rsplit(":", 1)[1])["QueueUrl"])
