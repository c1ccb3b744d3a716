"""The local stack builds every table, queue (with its DLQ) and the alerts topic from the same specs
the CDK app reads, points the process at moto, and puts the environment back when it stops."""

from __future__ import annotations

import json
import os

from crossdock.core.config import settings
from crossdock.core.names import ENV_ALERTS_TOPIC_ARN, ENV_AWS_ENDPOINT_URL, ENV_RATE_SCALE
from crossdock.deployment import QUEUES, TABLES
from crossdock.orders.resources import ORDER_TASKS_QUEUE
from crossdock.shops.resources import SHOPS_TABLE
from crossdock_local.aws.stack import LocalStack


def test_every_table_is_built_from_its_spec_with_keys_and_ttl() -> None:
    # Given / When
    with LocalStack() as stack:
        dynamodb = stack.client("dynamodb")
        for spec in TABLES:
            table = dynamodb.describe_table(TableName=stack.table_name(spec))["Table"]
            ttl = dynamodb.describe_time_to_live(TableName=stack.table_name(spec))["TimeToLiveDescription"]

            # Then
            keys = {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]}
            expected = {spec.hash_key: "HASH"} | ({spec.range_key: "RANGE"} if spec.range_key else {})
            assert keys == expected, spec.logical_id
            assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
            if spec.ttl_attribute:
                assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": spec.ttl_attribute}
            else:
                assert ttl["TimeToLiveStatus"] == "DISABLED"


def test_every_queue_has_its_dead_letter_queue_and_the_specs_limits() -> None:
    # Given / When
    with LocalStack() as stack:
        sqs = stack.client("sqs")
        for spec in QUEUES:
            attrs = sqs.get_queue_attributes(QueueUrl=stack.queue_url(spec), AttributeNames=["All"])[
                "Attributes"
            ]
            dlq = sqs.get_queue_attributes(QueueUrl=stack.dead_letter_url(spec), AttributeNames=["QueueArn"])

            # Then
            redrive = json.loads(attrs["RedrivePolicy"])
            assert redrive["deadLetterTargetArn"] == dlq["Attributes"]["QueueArn"]
            assert int(redrive["maxReceiveCount"]) == spec.max_receive_count
            assert int(attrs["VisibilityTimeout"]) == spec.visibility_timeout_s
            assert int(attrs["MessageRetentionPeriod"]) == spec.retention_days * 86400


def test_alerts_topic_has_an_email_subscription() -> None:
    # Given / When
    with LocalStack(alert_email="ops@example.com") as stack:
        subscriptions = stack.client("sns").list_subscriptions_by_topic(
            TopicArn=stack.env[ENV_ALERTS_TOPIC_ARN]
        )

    # Then
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions["Subscriptions"]] == [
        ("email", "ops@example.com")
    ]


def test_runtime_settings_point_at_moto_while_running_and_environment_is_restored_after() -> None:
    # Given
    os.environ[ENV_RATE_SCALE] = "3"
    try:
        # When
        with LocalStack(rate_scale=50, outbox_dir="outbox-test") as stack:
            current = settings()

            # Then
            assert current.aws_endpoint_url == stack.endpoint_url
            assert current.rate_scale == 50
            assert current.order_tasks_queue_url == stack.queue_url(ORDER_TASKS_QUEUE)
            assert current.shops_table == stack.table_name(SHOPS_TABLE)
            assert current.outbox_dir is not None and current.outbox_dir.endswith("outbox-test")
        assert os.environ[ENV_RATE_SCALE] == "3"
        assert ENV_AWS_ENDPOINT_URL not in os.environ
        assert settings().aws_endpoint_url is None
    finally:
        os.environ.pop(ENV_RATE_SCALE, None)
        settings.cache_clear()


def test_a_second_stack_starts_from_an_empty_account() -> None:
    # Given
    with LocalStack() as first:
        first.client("sqs").send_message(QueueUrl=first.queue_url(ORDER_TASKS_QUEUE), MessageBody="{}")

    # When
    with LocalStack() as second:
        attrs = second.client("sqs").get_queue_attributes(
            QueueUrl=second.queue_url(ORDER_TASKS_QUEUE), AttributeNames=["ApproximateNumberOfMessages"]
        )

    # Then
    assert attrs["Attributes"]["ApproximateNumberOfMessages"] == "0"
