"""Least privilege per function, and the encrypted alerts topic reachable by alarms."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match
from crossdock import constants as c
from template_lookup import ALERT_EMAIL, actions_on, all_actions, as_list, function, of_type, role_statements


def test_worker_can_read_shop_secrets_and_planner_cannot(synth):
    # Given the worker's and the planner's role statements
    worker = role_statements(synth.resources, c.ORDERS_WORKER)
    planner = role_statements(synth.resources, c.ORDERS_PLANNER)

    # Then only the worker reads secrets, and only under the shop prefix
    secret_statements = [s for s in worker if "secretsmanager:GetSecretValue" in as_list(s["Action"])]
    assert len(secret_statements) == 1
    assert as_list(secret_statements[0]["Action"]) == ["secretsmanager:GetSecretValue"]
    assert secret_statements[0]["Resource"]["Fn::Join"][1][-1] == f":secret:{c.DEFAULT_SECRETS_PREFIX}*"
    assert not any(a.startswith("secretsmanager:") for a in all_actions(planner))


@pytest.mark.parametrize("spec", c.FUNCTIONS, ids=lambda s: s.name)
def test_each_role_reaches_only_the_tables_and_queues_in_its_spec(synth, spec):
    # Given the function's role statements
    statements = role_statements(synth.resources, spec)

    # Then table access exists exactly for spec.tables, send access exactly for spec.sends_to
    for table in c.TABLES:
        granted = "dynamodb:PutItem" in actions_on(statements, {"Fn::GetAtt": [table.logical_id, "Arn"]})
        assert granted is (table.logical_id in spec.tables), table.logical_id
    for queue in c.QUEUES:
        can_send = "sqs:SendMessage" in actions_on(statements, {"Fn::GetAtt": [queue.logical_id, "Arn"]})
        assert can_send is (queue.logical_id in spec.sends_to), queue.logical_id
    assert ("sns:Publish" in actions_on(statements, {"Ref": "AlertsTopic"})) is spec.alerts
    assert not any(a == "*" or a.endswith(":*") for a in all_actions(statements))


def test_every_function_has_its_own_role(synth):
    # Given each function's role reference
    roles = [function(synth.resources, spec)[1]["Role"]["Fn::GetAtt"][0] for spec in c.FUNCTIONS]

    # Then no two functions share a role, and no role carries managed policies
    assert len(set(roles)) == len(roles)
    assert all("ManagedPolicyArns" not in synth.resources[r]["Properties"] for r in roles)


def test_alerts_topic_uses_a_rotating_customer_key_cloudwatch_may_use(synth):
    # Given the topic and its key
    topic = synth.resources["AlertsTopic"]["Properties"]
    key = synth.resources["AlertsKey"]["Properties"]

    # Then alarms can publish to the encrypted topic (AWS-managed SNS keys would refuse them)
    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": ["AlertsKey", "Arn"]}
    assert key["EnableKeyRotation"] is True
    cloudwatch = [
        s
        for s in key["KeyPolicy"]["Statement"]
        if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(as_list(cloudwatch[0]["Action"]))
    synth.template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                        ),
                        Match.object_like(
                            {"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"}}
                        ),
                    ]
                )
            }
        },
    )


def test_alert_email_subscription_keeps_undeliverable_alerts(synth):
    # Given the stack synthesized with -c alertEmail=...
    subscriptions = of_type(synth.resources, "AWS::SNS::Subscription")

    # Then one e-mail subscription exists, with a redrive policy
    (subscription,) = [s["Properties"] for s in subscriptions.values()]
    assert subscription["Protocol"] == "email"
    assert subscription["Endpoint"] == ALERT_EMAIL
    assert subscription["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["UndeliveredEventsQueue", "Arn"]}
    }


def _alarms(synth) -> list[dict]:
    return [a["Properties"] for a in of_type(synth.resources, "AWS::CloudWatch::Alarm").values()]


@pytest.mark.parametrize("spec", c.FUNCTIONS, ids=lambda s: s.name)
@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_each_function_alarms_on_any_error_and_any_throttle(synth, spec, metric):
    # Given the alarms on this function's metric
    fn_id, _ = function(synth.resources, spec)
    matching = [
        a
        for a in _alarms(synth)
        if a["MetricName"] == metric
        and a["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": fn_id}}]
    ]

    # Then one alarm fires above zero and notifies the alerts topic
    (alarm,) = matching
    assert alarm["Namespace"] == "AWS/Lambda"
    assert alarm["Threshold"] == 0
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["AlarmActions"] == [{"Ref": "AlertsTopic"}]


@pytest.mark.parametrize("dlq_id", [f"{q.logical_id}Dlq" for q in c.QUEUES] + ["UndeliveredEventsQueue"])
def test_each_dead_letter_queue_alarms_on_any_visible_message(synth, dlq_id):
    # Given the alarms on this dead-letter queue
    matching = [
        a
        for a in _alarms(synth)
        if a["MetricName"] == "ApproximateNumberOfMessagesVisible"
        and a["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}]
    ]

    # Then a single message is enough to notify the alerts topic
    (alarm,) = matching
    assert alarm["Threshold"] == 0
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["AlarmActions"] == [{"Ref": "AlertsTopic"}]


def test_only_the_tracking_worker_reads_carrier_secrets_and_only_under_their_prefix(synth):
    # Given every function's secret statements
    for spec in c.FUNCTIONS:
        statements = role_statements(synth.resources, spec)
        carrier = [
            s
            for s in statements
            if "secretsmanager:GetSecretValue" in as_list(s["Action"])
            and s["Resource"]["Fn::Join"][1][-1] == f":secret:{c.DEFAULT_CARRIER_SECRETS_PREFIX}*"
        ]

        # Then exactly the functions whose spec says so can read carrier secrets
        assert bool(carrier) is spec.reads_carrier_secrets, spec.name
    assert c.TRACKING_WORKER.reads_carrier_secrets and not c.TRACKING_PLANNER.reads_carrier_secrets


def test_only_supplier_functions_read_supplier_secrets_and_only_under_their_prefix(synth):
    # Given every function's secret statements
    for spec in c.FUNCTIONS:
        statements = role_statements(synth.resources, spec)
        supplier = [
            s
            for s in statements
            if "secretsmanager:GetSecretValue" in as_list(s["Action"])
            and s["Resource"]["Fn::Join"][1][-1] == f":secret:{c.DEFAULT_SUPPLIER_SECRETS_PREFIX}*"
        ]

        # Then exactly the functions whose spec says so can read them
        assert bool(supplier) is spec.reads_supplier_secrets, spec.name
    assert c.SUPPLIERS_WORKER.reads_supplier_secrets and not c.SUPPLIERS_PLANNER.reads_supplier_secrets
