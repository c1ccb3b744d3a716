"""Thin handlers: real event shapes in, partial batch failures out (moto in-process; the X-Ray SDK
opens its UDP socket at import, hence not a unit test)."""

from __future__ import annotations

import importlib.util
import json
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from crossdock.storage.models import ShopModel

from tests.support.aws import moto_resources

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.now(UTC)


def load(folder: str):
    spec = importlib.util.spec_from_file_location(
        f"handler_{folder}", ROOT / "functions" / folder / "handler.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class Context:
    function_name: str = "orders-worker"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:orders-worker"
    aws_request_id: str = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 290_000


def sqs_record(body: str) -> dict:
    return {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": "rh",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1700000000000",
            "SenderId": "x",
            "ApproximateFirstReceiveTimestamp": "1700000000000",
        },
        "messageAttributes": {},
        "md5OfBody": "x",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:crossdock-ordertasks",
        "awsRegion": "us-east-1",
    }


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
    worker = load("orders_worker")
    # When the batch is handled
    result = worker.handler({"Records": [good, malformed, unknown]}, Context())
    # Then exactly the two bad records are reported for redelivery (and, repeated, the DLQ)
    failed = {item["itemIdentifier"] for item in result["batchItemFailures"]}
    assert failed == {malformed["messageId"], unknown["messageId"]}


def test_planner_accepts_the_scheduled_event_envelope(env):
    # Given one shop and the EventBridge rule's "Scheduled Event"
    ShopModel("s1", channel="ebay", secret_name="s", created_at=NOW).save()
    event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/orders-planner"],
        "detail": {},
    }
    # When the planner runs
    result = load("orders_planner").plan_pulls(event, Context(function_name="orders-planner"))
    # Then one task is planned
    assert result == {"enqueued": 1, "skipped": {}}
