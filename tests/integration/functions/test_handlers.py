"""Thin handlers: real event shapes in, partial batch failures out (moto in-process; the X-Ray SDK
opens its UDP socket at import, hence not a unit test)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from crossdock.core.names import METRICS_NAMESPACE, SERVICE_NAME, TASKS_FAILED_DIMENSION, TASKS_FAILED_METRIC
from crossdock.deployment import FUNCTIONS, QUEUES
from crossdock.orders.resources import ORDERS_PLANNER, ORDERS_WORKER
from crossdock.orders.usecases.notify import NoticeIntake
from crossdock.shops.storage.tables import ShopModel
from crossdock.stock import compose as stock_compose
from crossdock.stock.resources import STOCK_ADJUSTER
from crossdock_local.aws.events import scheduled_event
from crossdock_local.aws.lambda_env import load_handler, new_context

from tests.support.aws import moto_resources
from tests.support.lambda_events import REGION, sqs_record_for

NOW = datetime.now(UTC)


def sqs_record(body: str) -> dict:
    return sqs_record_for(body, "crossdock-order-tasks")


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "CrossdockTest")
    with moto_resources() as settings:
        yield settings


def test_worker_reports_only_the_bad_records(env):
    # Given a leased (busy) shop, a malformed task and a task for an unknown shop
    ShopModel(
        "busy",
        channel="taobao",
        secret_name="s",
        created_at=NOW,
        lease_until=NOW + timedelta(minutes=10),
        lease_owner="someone",
    ).save()
    good = sqs_record(json.dumps({"kind": "pull", "shop_id": "busy"}))
    malformed = sqs_record("{not json")
    unknown = sqs_record(json.dumps({"kind": "pull", "shop_id": "nobody"}))
    worker = load_handler(ORDERS_WORKER)
    # When the batch is handled
    result = worker({"Records": [good, malformed, unknown]}, new_context(ORDERS_WORKER, REGION))
    # Then exactly the two bad records are reported for redelivery (and, repeated, the DLQ)
    failed = {item["itemIdentifier"] for item in result["batchItemFailures"]}
    assert failed == {malformed["messageId"], unknown["messageId"]}


def test_planner_accepts_the_scheduled_event_envelope(env):
    # Given one shop and the EventBridge rule's "Scheduled Event"
    ShopModel("s1", channel="ebay", secret_name="s", created_at=NOW).save()
    event = scheduled_event(ORDERS_PLANNER, REGION, NOW)
    # When the planner runs
    result = load_handler(ORDERS_PLANNER)(event, new_context(ORDERS_PLANNER, REGION))
    # Then one task is planned
    assert result == {"enqueued": 1, "skipped": {}}


def failed_task_metrics(stdout: str) -> list[dict]:
    """The EMF documents of `TasksFailed` among a function's stdout lines."""
    documents = [
        json.loads(line) for line in stdout.splitlines() if line.startswith("{") and '"_aws"' in line
    ]
    return [
        d
        for d in documents
        if any(m["Name"] == TASKS_FAILED_METRIC for s in d["_aws"]["CloudWatchMetrics"] for m in s["Metrics"])
    ]


WORKERS = [spec for spec in FUNCTIONS if spec.queue]


@pytest.mark.parametrize("spec", WORKERS, ids=lambda s: s.name)
def test_every_sqs_worker_counts_a_failed_record_and_still_returns_it_to_the_queue(
    env, spec, monkeypatch, capsys
):
    # Given a record its worker cannot process (a malformed body; the adjuster and the order-notice
    # takers refuse those by design — logged, counted, the record done — so for them storage fails)
    def unavailable(*_args, **_kwargs):
        raise RuntimeError("DynamoDB unavailable")

    monkeypatch.setattr(stock_compose, "own_stock", unavailable)
    monkeypatch.setattr(NoticeIntake, "take", unavailable)
    body = json.dumps({"adjustment_id": "a1", "sku": "A", "warehouse": "own:sz", "on_hand": 1})
    record = sqs_record_for(body if spec is STOCK_ADJUSTER else "{not json", f"crossdock-{spec.name}")
    capsys.readouterr()
    fifo = next(q for q in QUEUES if q.logical_id == spec.queue).fifo
    # When the worker handles it
    try:
        result = load_handler(spec)({"Records": [record]}, new_context(spec, REGION))
        returned = [item["itemIdentifier"] for item in result["batchItemFailures"]]
    except BatchProcessingError:
        assert fifo  # a FIFO batch whose every record failed fails the invocation: all redelivered
        returned = [record["messageId"]]
    # Then the record goes back to its queue, and one TasksFailed is emitted for this function
    assert returned == [record["messageId"]]
    (document,) = failed_task_metrics(capsys.readouterr().out)
    assert document[TASKS_FAILED_METRIC] in (1, [1])
    assert (document["service"], document[TASKS_FAILED_DIMENSION]) == (SERVICE_NAME, spec.name)
    assert document["_aws"]["CloudWatchMetrics"][0]["Namespace"] == METRICS_NAMESPACE
    assert sorted(document["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]) == sorted(
        ["service", TASKS_FAILED_DIMENSION]
    )


def test_worker_marks_the_shop_failing_when_its_secret_lacks_a_field(env, capsys):
    # Given a shop whose rotated secret misspells `session`
    secret = {"app_key": "12345678", "app_secret": "s3cr3t", "sesion": "6100deadbeef0123456789abcdef0123"}
    boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="crossdock/shops/broken", SecretString=json.dumps(secret)
    )
    ShopModel("broken", channel="taobao", secret_name="crossdock/shops/broken", created_at=NOW).save()
    record = sqs_record(json.dumps({"kind": "pull", "shop_id": "broken"}))
    # When the worker pulls it
    result = load_handler(ORDERS_WORKER)({"Records": [record]}, new_context(ORDERS_WORKER, REGION))
    # Then the record is redelivered, counted, and the shop says why — without the secret's values
    shop = ShopModel.get("broken")
    out = capsys.readouterr().out
    assert [item["itemIdentifier"] for item in result["batchItemFailures"]] == [record["messageId"]]
    assert len(failed_task_metrics(out)) == 1
    assert shop.failing_since is not None and shop.last_run["outcome"] == "failed"
    assert shop.last_error == "ValueError: secret crossdock/shops/broken lacks session for taobao"
    assert "6100deadbeef" not in out and "s3cr3t" not in out
