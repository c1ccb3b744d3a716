"""Least privilege per function, and the encrypted alerts topic reachable by alarms."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match
from crossdock.core.names import (
    DEFAULT_CARRIER_SECRETS_PREFIX,
    DEFAULT_SECRETS_PREFIX,
    DEFAULT_SUPPLIER_SECRETS_PREFIX,
    METRICS_NAMESPACE,
    SERVICE_NAME,
    TASKS_FAILED_DIMENSION,
    TASKS_FAILED_METRIC,
)
from crossdock.core.specs import READ_ACTIONS, SCAN, SENDS_ALERTS, TAKES_ONCE, WRITE_ACTIONS, access
from crossdock.deployment import FUNCTIONS, QUEUES, TABLES
from crossdock.orders.resources import ORDERS_PLANNER, ORDERS_RECONCILE_PLANNER, ORDERS_WORKER
from crossdock.stock.resources import STOCK_DAILY, STOCK_FLUSHER, STOCK_LEDGER, STOCK_PLANNER
from crossdock.suppliers.resources import SUPPLIERS_PLANNER, SUPPLIERS_WORKER
from crossdock.tracking.resources import TRACKING_PLANNER, TRACKING_WORKER
from template_lookup import (
    ALERT_EMAIL,
    actions_on,
    all_actions,
    as_list,
    dynamodb_grants,
    function,
    index_arn,
    of_type,
    role_statements,
    table_arn,
)

TABLE_INDEXES = {t.logical_id: [name for name, _, _ in t.indexes] for t in TABLES}
ONLY_READ = [ORDERS_PLANNER, ORDERS_RECONCILE_PLANNER, SUPPLIERS_PLANNER]
# StockPusher keeps its audit records with BatchWriteItem (StockRepository.audit_many)
PUSHES_STOCK = [STOCK_FLUSHER, STOCK_DAILY]


def test_worker_can_read_shop_secrets_and_planner_cannot(synth):
    # Given the worker's and the planner's role statements
    worker = role_statements(synth.resources, ORDERS_WORKER)
    planner = role_statements(synth.resources, ORDERS_PLANNER)

    # Then only the worker reads secrets, and only under the shop prefix
    secret_statements = [s for s in worker if "secretsmanager:GetSecretValue" in as_list(s["Action"])]
    assert len(secret_statements) == 1
    assert as_list(secret_statements[0]["Action"]) == ["secretsmanager:GetSecretValue"]
    assert secret_statements[0]["Resource"]["Fn::Join"][1][-1] == f":secret:{DEFAULT_SECRETS_PREFIX}*"
    assert not any(a.startswith("secretsmanager:") for a in all_actions(planner))


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_each_role_reaches_only_the_tables_and_queues_in_its_spec(synth, spec):
    # Given the function's role statements
    statements = role_statements(synth.resources, spec)

    # Then table access exists exactly for spec.tables, send access exactly for spec.sends_to
    for table in TABLES:
        granted = bool(actions_on(statements, table_arn(table.logical_id)))
        indexes = any(
            actions_on(statements, index_arn(table.logical_id, i)) for i in TABLE_INDEXES[table.logical_id]
        )
        assert (granted or indexes) is (table.logical_id in spec.tables), table.logical_id
    for queue in QUEUES:
        can_send = "sqs:SendMessage" in actions_on(statements, {"Fn::GetAtt": [queue.logical_id, "Arn"]})
        assert can_send is (queue.logical_id in spec.sends_to), queue.logical_id
    assert ("sns:Publish" in actions_on(statements, {"Ref": "AlertsTopic"})) is spec.alerts
    assert not any(a == "*" or a.endswith(":*") for a in all_actions(statements))


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_each_role_has_exactly_the_dynamodb_actions_its_spec_names_per_table_and_index(synth, spec):
    # Given every DynamoDB (resource, action) pair the function's role allows
    granted = sorted(dynamodb_grants(role_statements(synth.resources, spec)), key=repr)

    # Then they are the spec's actions on each table's ARN and each named index's ARN: nothing the
    # code does not call (no DescribeTable, streams, or index/* wildcard), nothing on other tables
    expected = []
    for table_id, grant in spec.tables.items():
        expected += [(table_arn(table_id), f"dynamodb:{a}") for a in grant.actions]
        for index, reads in grant.indexes:
            expected += [(index_arn(table_id, index), f"dynamodb:{a}") for a in reads]
    assert granted == sorted(expected, key=repr)


@pytest.mark.parametrize("spec", ONLY_READ, ids=lambda s: s.name)
def test_planners_that_only_read_can_write_nothing(synth, spec):
    # Given a planner that reads its tables and sends tasks
    actions = {a for _, a in dynamodb_grants(role_statements(synth.resources, spec))}

    # Then its role allows DynamoDB reads only
    assert actions
    assert actions <= {f"dynamodb:{a}" for a in READ_ACTIONS}, actions


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_tables_a_function_only_reads_are_read_only_to_it(synth, spec):
    # Given the tables this function's code only reads (e.g. the stock planner's stock and listings)
    read_only = [t for t, access in spec.tables.items() if not access.writes]
    grants = dynamodb_grants(role_statements(synth.resources, spec))

    # Then no write action reaches them
    writes = {f"dynamodb:{a}" for a in WRITE_ACTIONS}
    for table_id in read_only:
        assert not {a for r, a in grants if r == table_arn(table_id)} & writes, table_id
    assert STOCK_PLANNER.tables["StockTable"] == access(SCAN)


def test_only_claim_keepers_may_delete_and_only_their_own_claims(synth):
    # Given where each role may DeleteItem
    for spec in FUNCTIONS:
        deletes = [
            r
            for r, a in dynamodb_grants(role_statements(synth.resources, spec))
            if a == "dynamodb:DeleteItem"
        ]

        # Then only on the alerts table (AlertSender gives a claim back when SNS refused the
        # publish), for the functions that send alerts, and on the notices table (a push whose work
        # failed gives its once-claim back, core.inbound), for the push receivers
        takes_once = spec.tables.get("NoticesTable") == TAKES_ONCE
        expected = [table_arn("AlertsTable")] * spec.alerts + [table_arn("NoticesTable")] * takes_once
        assert sorted(deletes, key=repr) == sorted(expected, key=repr), spec.name
        assert (spec.tables.get("AlertsTable") == SENDS_ALERTS) is spec.alerts, spec.name
        assert ("NoticesTable" in spec.tables) is takes_once, spec.name


def test_batch_writes_only_where_audit_records_are_written_in_batches(synth):
    # Given where each role may BatchWriteItem
    for spec in FUNCTIONS:
        batch = [
            r
            for r, a in dynamodb_grants(role_statements(synth.resources, spec))
            if a == "dynamodb:BatchWriteItem"
        ]

        # Then only the stock pushers, only on the stock audit table
        assert batch == ([table_arn("StockAuditTable")] if spec in PUSHES_STOCK else []), spec.name


def test_index_reads_are_granted_on_the_indexes_used_never_on_every_index(synth):
    # Given every DynamoDB resource any role reaches
    resources = [r for spec in FUNCTIONS for r, _ in dynamodb_grants(role_statements(synth.resources, spec))]

    # Then no grant covers table/index/*, and the flush reads only the "dirty" index of listings
    assert not [r for r in resources if "/index/*" in repr(r)]
    flusher = dynamodb_grants(role_statements(synth.resources, STOCK_FLUSHER))
    assert (index_arn("ListingsTable", "dirty"), "dynamodb:Query") in flusher
    assert not [r for r, _ in flusher if r == index_arn("ListingsTable", "by-shop")]


def test_the_ledgers_transaction_is_granted_as_its_two_conditional_puts(synth):
    # Given the stock ledger's grants (TransactWriteItems: the SKU and its reservation line)
    grants = dynamodb_grants(role_statements(synth.resources, STOCK_LEDGER))

    # Then it may put (and read) both items, and never delete or batch-write them
    for table_id in ("StockTable", "ReservationsTable"):
        assert {a for r, a in grants if r == table_arn(table_id)} == {"dynamodb:GetItem", "dynamodb:PutItem"}


def test_every_function_has_its_own_role(synth):
    # Given each function's role reference
    roles = [function(synth.resources, spec)[1]["Role"]["Fn::GetAtt"][0] for spec in FUNCTIONS]

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

    # Then the alerts topic has one e-mail subscription, with a redrive policy (the reports topic's
    # is checked in test_infra_cockpit)
    (subscription,) = [
        s["Properties"]
        for s in subscriptions.values()
        if s["Properties"]["TopicArn"] == {"Ref": "AlertsTopic"}
    ]
    assert subscription["Protocol"] == "email"
    assert subscription["Endpoint"] == ALERT_EMAIL
    assert subscription["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["UndeliveredEventsQueue", "Arn"]}
    }


def _alarms(synth) -> list[dict]:
    return [a["Properties"] for a in of_type(synth.resources, "AWS::CloudWatch::Alarm").values()]


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_each_function_alarms_on_any_error_and_any_throttle(synth, spec, metric):
    # Given the alarms on this function's metric
    fn_id, _ = function(synth.resources, spec)
    matching = [
        a
        for a in _alarms(synth)
        if a.get("MetricName") == metric
        and a["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": fn_id}}]
    ]

    # Then one alarm fires above zero and notifies the alerts topic
    (alarm,) = matching
    assert alarm["Namespace"] == "AWS/Lambda"
    assert alarm["Threshold"] == 0
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["AlarmActions"] == [{"Ref": "AlertsTopic"}]


@pytest.mark.parametrize("dlq_id", [f"{q.logical_id}Dlq" for q in QUEUES] + ["UndeliveredEventsQueue"])
def test_each_dead_letter_queue_alarms_on_any_visible_message(synth, dlq_id):
    # Given the alarms on this dead-letter queue
    matching = [
        a
        for a in _alarms(synth)
        if a.get("MetricName") == "ApproximateNumberOfMessagesVisible"
        and a["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}]
    ]

    # Then a single message is enough to notify the alerts topic
    (alarm,) = matching
    assert alarm["Threshold"] == 0
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["AlarmActions"] == [{"Ref": "AlertsTopic"}]


def test_only_the_tracking_worker_reads_carrier_secrets_and_only_under_their_prefix(synth):
    # Given every function's secret statements
    for spec in FUNCTIONS:
        statements = role_statements(synth.resources, spec)
        carrier = [
            s
            for s in statements
            if "secretsmanager:GetSecretValue" in as_list(s["Action"])
            and s["Resource"]["Fn::Join"][1][-1] == f":secret:{DEFAULT_CARRIER_SECRETS_PREFIX}*"
        ]

        # Then exactly the functions whose spec says so can read carrier secrets
        assert bool(carrier) is spec.reads_carrier_secrets, spec.name
    assert TRACKING_WORKER.reads_carrier_secrets and not TRACKING_PLANNER.reads_carrier_secrets


def test_only_supplier_functions_read_supplier_secrets_and_only_under_their_prefix(synth):
    # Given every function's secret statements
    for spec in FUNCTIONS:
        statements = role_statements(synth.resources, spec)
        supplier = [
            s
            for s in statements
            if "secretsmanager:GetSecretValue" in as_list(s["Action"])
            and s["Resource"]["Fn::Join"][1][-1] == f":secret:{DEFAULT_SUPPLIER_SECRETS_PREFIX}*"
        ]

        # Then exactly the functions whose spec says so can read them
        assert bool(supplier) is spec.reads_supplier_secrets, spec.name
    assert SUPPLIERS_WORKER.reads_supplier_secrets and not SUPPLIERS_PLANNER.reads_supplier_secrets


WORKERS = [spec for spec in FUNCTIONS if spec.queue]


def test_the_sqs_workers_are_every_function_fed_by_a_queue():
    # Given the specs with a queue
    names = {spec.name for spec in WORKERS}

    # Then they are the ten workers whose failed records must not pass unseen
    assert names == {
        "orders-worker",
        "orders-notices-amazon",
        "orders-notices-shopify",
        "stock-ledger",
        "stock-marker",
        "stock-flusher",
        "stock-adjuster",
        "shipments-registrar",
        "tracking-worker",
        "suppliers-worker",
    }


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_each_sqs_worker_alarms_on_any_failed_task_and_nothing_else_does(synth, spec):
    # Given the alarms on the failed-task metric of this function, as the worker emits it (EMF)
    wanted = sorted(
        [
            {"Name": "service", "Value": SERVICE_NAME},
            {"Name": TASKS_FAILED_DIMENSION, "Value": spec.name},
        ],
        key=lambda d: d["Name"],
    )
    matching = [
        a
        for a in _alarms(synth)
        if a.get("MetricName") == TASKS_FAILED_METRIC
        and sorted(a["Dimensions"], key=lambda d: d["Name"]) == wanted
    ]

    # Then a worker has one alarm that a single failed task in five minutes fires; others have none
    if not spec.queue:
        assert matching == []
        return
    (alarm,) = matching
    assert alarm["Namespace"] == METRICS_NAMESPACE
    assert alarm["Statistic"] == "Sum"
    assert alarm["Period"] == 300
    assert alarm["Threshold"] == 0
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"
    assert alarm["AlarmActions"] == [{"Ref": "AlertsTopic"}]
