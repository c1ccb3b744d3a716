"""Tables and queues: one per spec, with the durability and delivery settings the issue requires."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Match, Template
from crossdock.core.specs import QueueSpec, TableSpec
from crossdock.deployment import FUNCTIONS, QUEUES, TABLES
from crossdock.orders.resources import ORDERS_TABLE

from infra.components.tables import build_table

FOURTEEN_DAYS_S = 14 * 24 * 3600


@pytest.mark.parametrize("spec", TABLES, ids=lambda s: s.logical_id)
def test_each_table_is_on_demand_encrypted_recoverable_retained_and_deletion_protected(
    synth, spec: TableSpec
):
    # Given the table built from its spec
    table = synth.resources[spec.logical_id]

    # Then it keeps its data through stack deletes and replacements, and can be restored
    assert table["Type"] == "AWS::DynamoDB::Table"
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    props = table["Properties"]
    assert props["DeletionProtectionEnabled"] is True  # unless -c deletionProtection=false (test_infra_app)
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    expected_keys = [{"AttributeName": spec.hash_key, "KeyType": "HASH"}]
    if spec.range_key:
        expected_keys.append({"AttributeName": spec.range_key, "KeyType": "RANGE"})
    assert props["KeySchema"] == expected_keys


@pytest.mark.parametrize("spec", TABLES, ids=lambda s: s.logical_id)
def test_ttl_is_enabled_exactly_where_the_spec_names_an_attribute(synth, spec: TableSpec):
    # Given the table built from its spec
    props = synth.resources[spec.logical_id]["Properties"]

    # Then TTL follows spec.ttl_attribute
    if spec.ttl_attribute:
        assert props["TimeToLiveSpecification"] == {"AttributeName": spec.ttl_attribute, "Enabled": True}
    else:
        assert "TimeToLiveSpecification" not in props


@pytest.mark.parametrize("spec", QUEUES, ids=lambda s: s.logical_id)
def test_each_queue_redrives_to_its_own_dead_letter_queue_after_max_receive_count(synth, spec: QueueSpec):
    # Given the queue and its dead-letter queue
    queue = synth.resources[spec.logical_id]["Properties"]
    dead_letters = synth.resources[f"{spec.logical_id}Dlq"]["Properties"]

    # Then failed messages go to the DLQ after the spec'd number of receives and stay 14 days
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [f"{spec.logical_id}Dlq", "Arn"]},
        "maxReceiveCount": spec.max_receive_count,
    }
    assert queue["MessageRetentionPeriod"] == spec.retention_days * 24 * 3600
    assert dead_letters["MessageRetentionPeriod"] == FOURTEEN_DAYS_S
    # encrypted at rest: SQS-managed, or the queue's own KMS key when another account sends to it
    # (test_infra_push); its dead letters are SQS-managed either way
    if spec.sender_account:
        assert queue["KmsMasterKeyId"] == {"Fn::GetAtt": [f"{spec.logical_id}Key", "Arn"]}
        assert "SqsManagedSseEnabled" not in queue
    else:
        assert queue["SqsManagedSseEnabled"] is True
    assert dead_letters["SqsManagedSseEnabled"] is True


@pytest.mark.parametrize("spec", QUEUES, ids=lambda s: s.logical_id)
def test_visibility_timeout_covers_six_times_the_slowest_consumer_and_the_spec(synth, spec: QueueSpec):
    # Given the functions that consume this queue
    consumer_timeouts = [f.timeout_s for f in FUNCTIONS if f.queue == spec.logical_id]

    # When reading the queue's visibility timeout
    visibility = synth.resources[spec.logical_id]["Properties"]["VisibilityTimeout"]

    # Then a running batch never becomes visible again, and the spec's floor holds
    assert visibility >= spec.visibility_timeout_s
    assert all(visibility >= 6 * timeout for timeout in consumer_timeouts)
    assert visibility == max([spec.visibility_timeout_s, *(6 * t for t in consumer_timeouts)])


def test_every_queue_denies_requests_without_tls(synth):
    # Given every queue in the stack (work queues and dead-letter queues)
    queue_ids = [k for k, v in synth.resources.items() if v["Type"] == "AWS::SQS::Queue"]
    assert len(queue_ids) == 2 * len(QUEUES) + 1  # + the undelivered-events queue

    # Then each has a queue policy denying aws:SecureTransport=false
    for queue_id in queue_ids:
        synth.template.has_resource_properties(
            "AWS::SQS::QueuePolicy",
            {
                "Queues": [{"Ref": queue_id}],
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                            )
                        ]
                    )
                },
            },
        )


def test_stable_outputs_name_every_table_queue_and_the_topic(synth):
    # Given the outputs operators and the CLI read after deploy
    outputs = synth.template.to_json()["Outputs"]

    # Then their ids derive from the specs and never change between synths
    expected = {f"{t.logical_id}Name" for t in TABLES}
    expected |= {f"{q.logical_id}Url" for q in QUEUES} | {f"{q.logical_id}DlqUrl" for q in QUEUES}
    expected |= {"AlertsTopicArn", "UndeliveredEventsQueueUrl"}
    assert expected <= set(outputs)
    assert outputs[f"{ORDERS_TABLE.logical_id}Name"]["Value"] == {"Ref": ORDERS_TABLE.logical_id}
    assert outputs["AlertsTopicArn"]["Value"] == {"Ref": "AlertsTopic"}


def test_indexes_in_a_table_spec_become_global_secondary_indexes():
    # Given a table spec declaring one index with a range key
    spec = TableSpec("ByStatusTable", "X_TABLE", hash_key="id", indexes=(("by_status", "status", "at"),))
    stack = Stack(App(), "IndexProbe")

    # When the table is built
    build_table(stack, spec)

    # Then the index is queryable on its keys, projecting every attribute
    Template.from_stack(stack).has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "by_status",
                    "KeySchema": [
                        {"AttributeName": "status", "KeyType": "HASH"},
                        {"AttributeName": "at", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ]
        },
    )
