"""Crossdock's AWS resources built from the same specs the CDK app reads (`crossdock.core.names`).

Each function takes a boto3 client (moto's server, moto in-process, or a real account) and returns
the environment variables that point the runtime at what it created, keyed by the variable name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from crossdock.core.names import SERVICE_NAME, SHOPIFY_EVENT_SOURCE_CONTEXT
from crossdock.core.specs import EventRouteSpec, QueueSpec, TableSpec
from crossdock.deployment import QUEUES, ROUTES, TABLES

ALERT_EMAIL = "crossdock-alerts@example.com"
REPORT_EMAIL = "crossdock-reports@example.com"
TOPIC_NAME = f"{SERVICE_NAME}-alerts"  # something needs a person now
REPORTS_TOPIC_NAME = f"{SERVICE_NAME}-reports"  # daily digests and purchase suggestions
DLQ_SUFFIX = "-dlq"
# The partner event sources of the local stack, by deploy-context key (a deployed stack reads them
# from `cdk deploy -c shopifyEventSource=…`). The app id is the Shopify sandbox's app's.
LOCAL_EVENT_SOURCES = {SHOPIFY_EVENT_SOURCE_CONTEXT: "aws.partner/shopify.com/0000000000/crossdock-local"}


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


def route_pattern(route: EventRouteSpec, event_source: str) -> dict[str, Any]:
    """The rule's pattern: the partner's events (`source` starts `aws.partner/<partner>/`, as every
    event source of that partner does) of the route's detail types."""
    partner = "/".join(event_source.split("/")[:2]) + "/"
    return {"source": [{"prefix": partner}], "detail-type": list(route.detail_types)}


def create_routes(
    events: Any,
    sqs: Any,
    queue_urls: Mapping[str, str],
    routes: tuple[EventRouteSpec, ...] = ROUTES,
    *,
    sources: Mapping[str, str] = LOCAL_EVENT_SOURCES,
    partner_side: bool = True,
    prefix: str = SERVICE_NAME,
) -> dict[str, str]:
    """Each route whose partner event source is named in `sources`: the partner event bus associated
    with the source (named like it, as AWS requires), a rule with the route's pattern, the route's
    queue as its target, and the queue policy letting EventBridge send to it for that rule. Returns
    {route.env_var: event source name}.

    `partner_side`: also create the partner event source itself, as the partner does (Shopify, when
    an app's event source is set up in its Partner Dashboard): only on moto, where nobody else will.
    moto must read partner bus names whole first (`partner_buses.allow()`)."""
    created: dict[str, str] = {}
    for route in routes:
        source = sources.get(route.context_key)
        if not source:
            continue
        queue = next(spec for spec in QUEUES if spec.logical_id == route.queue)
        url = queue_urls[queue.env_var]
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        if partner_side:
            events.create_partner_event_source(Name=source, Account=queue_arn.split(":")[4])
        events.create_event_bus(Name=source, EventSourceName=source)
        rule = f"{prefix}-{route.logical_id}"
        rule_arn = events.put_rule(
            Name=rule,
            EventBusName=source,
            EventPattern=json.dumps(route_pattern(route, source)),
            State="ENABLED",
        )["RuleArn"]
        events.put_targets(Rule=rule, EventBusName=source, Targets=[{"Id": route.queue, "Arn": queue_arn}])
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": f"{route.logical_id}SendsFromItsRule",
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
                }
            ],
        }
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
        created[route.env_var] = source
    return created
