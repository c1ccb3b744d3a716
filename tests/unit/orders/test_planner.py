"""Planners: one task per due shop; degraded shops hourly; blocked shops probed hourly."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from crossdock.orders.compose import planner
from crossdock.shops.storage.tables import ShopModel

from tests.support.aws import moto_resources

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def env():
    with moto_resources() as settings:
        yield settings


def shop(shop_id: str, **fields) -> None:
    ShopModel(shop_id, channel="ebay", secret_name="s", created_at=NOW, **fields).save()


def tasks(settings) -> list[dict]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    out = []
    while msgs := sqs.receive_message(QueueUrl=settings.order_tasks_queue_url, MaxNumberOfMessages=10).get(
        "Messages"
    ):
        for m in msgs:
            out.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=settings.order_tasks_queue_url, ReceiptHandle=m["ReceiptHandle"])
    return out


def test_plans_one_task_per_due_shop(env):
    # Given healthy, disabled, degraded and blocked shops
    for i in range(23):
        shop(f"ok-{i:02d}", last_pull_at=NOW - timedelta(minutes=5))
    shop("off", enabled=False)
    shop(
        "degraded-recent",
        breaker_open_since=NOW - timedelta(hours=2),
        last_pull_at=NOW - timedelta(minutes=20),
    )
    shop(
        "degraded-due", breaker_open_since=NOW - timedelta(hours=2), last_pull_at=NOW - timedelta(minutes=61)
    )
    shop("blocked-recent", auth_blocked_at=NOW - timedelta(hours=3), last_pull_at=NOW - timedelta(minutes=10))
    shop("blocked-due", auth_blocked_at=NOW - timedelta(hours=3), last_pull_at=NOW - timedelta(minutes=70))
    # When the schedule fires
    report = planner(env, clock=lambda: NOW).plan_pulls()
    # Then each due shop gets exactly one task, with the reason
    planned = {t["shop_id"]: t["reason"] for t in tasks(env)}
    assert report.enqueued == len(planned) == 25
    assert planned["degraded-due"] == "degraded" and planned["blocked-due"] == "probe"
    assert not {"off", "degraded-recent", "blocked-recent"} & set(planned)
    assert report.skipped == {"disabled": 1, "degraded_waiting": 1, "auth_blocked": 1}


def test_reconciliation_covers_the_previous_utc_day(env):
    shop("a")
    shop("blocked", auth_blocked_at=NOW)
    planner(env, clock=lambda: NOW).plan_reconciliations()
    (task,) = tasks(env)
    assert task == {
        "kind": "reconcile",
        "shop_id": "a",
        "reason": "reconcile",
        "since": "2026-11-20T00:00:00Z",
        "until": "2026-11-21T00:00:00Z",
    }
