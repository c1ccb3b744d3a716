"""Thin handlers: real event shapes in, partial batch failures out (moto in-process; the X-Ray SDK
opens its UDP socket at import, hence not a unit test)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from crossdock import constants as c
from crossdock.storage.models import ShopModel
from crossdock_local.events import scheduled_event
from crossdock_local.lambda_env import load_handler, new_context

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
    worker = load_handler(c.ORDERS_WORKER)
    # When the batch is handled
    result = worker({"Records": [good, malformed, unknown]}, new_context(c.ORDERS_WORKER, REGION))
    # Then exactly the two bad records are reported for redelivery (and, repeated, the DLQ)
    failed = {item["itemIdentifier"] for item in result["batchItemFailures"]}
    assert failed == {malformed["messageId"], unknown["messageId"]}


def test_planner_accepts_the_scheduled_event_envelope(env):
    # Given one shop and the EventBridge rule's "Scheduled Event"
    ShopModel("s1", channel="ebay", secret_name="s", created_at=NOW).save()
    event = scheduled_event(c.ORDERS_PLANNER, REGION, NOW)
    # When the planner runs
    result = load_handler(c.ORDERS_PLANNER)(event, new_context(c.ORDERS_PLANNER, REGION))
    # Then one task is planned
    assert result == {"enqueued": 1, "skipped": {}}
