"""Stock handlers with real event shapes (moto in-process): the adjuster's partial batch failures,
the drift planner's announces, the FBA sync and daily check on their Scheduled Event envelopes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from crossdock.core.alerts.store import AlertModel
from crossdock.core.specs import FunctionSpec
from crossdock.shops.storage.tables import ShopModel
from crossdock.stock.resources import FBA_SYNC, STOCK_ADJUSTER, STOCK_DAILY, STOCK_PLANNER
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.storage.tables import ListingModel, ReservationModel
from crossdock_local.aws.events import scheduled_event
from crossdock_local.aws.lambda_env import load_handler, new_context

from tests.support.aws import moto_resources
from tests.support.lambda_events import sqs_record_for

NOW = datetime.now(UTC)


def sqs_record(body: str) -> dict:
    return sqs_record_for(body, "crossdock-stock-adjustments")


def invoke(spec: FunctionSpec, event: dict) -> dict:
    return load_handler(spec)(event, new_context(spec, "us-east-1"))


def announced(settings) -> list[dict]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    found = sqs.receive_message(QueueUrl=settings.stock_changes_queue_url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in found.get("Messages", [])]


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "CrossdockTest")
    with moto_resources() as settings:
        yield settings


def test_adjuster_applies_good_records_once_and_refuses_the_rest_without_retrying(env):
    # Given an adjustment, its redelivery, a body that is not JSON, one naming an FBA warehouse, a
    # negative absolute count and a delta that would take A below zero
    good = {"adjustment_id": "adj-1", "sku": "A", "warehouse": "own:sz", "on_hand": 8}
    records = [
        sqs_record(json.dumps(good)),
        sqs_record(json.dumps(good)),
        sqs_record("{not json"),
        sqs_record(json.dumps({**good, "adjustment_id": "adj-2", "warehouse": "fba:amz-us"})),
        sqs_record(json.dumps({**good, "adjustment_id": "adj-3", "on_hand": -3})),
        sqs_record(json.dumps({"adjustment_id": "adj-4", "sku": "A", "warehouse": "own:sz", "delta": -9})),
    ]
    # When the batch is handled
    result = invoke(STOCK_ADJUSTER, {"Records": records})
    # Then no record goes back to the queue (a retry cannot fix a refusal, so none ends in the DLQ)
    assert result["batchItemFailures"] == []
    # And A holds 8, applied once and announced once
    item = StockRepository(env).sku("A")
    assert item.on_hand == {"own:sz": 8} and int(item.version) == 1
    assert announced(env) == [{"sku": "A", "version": 1, "trigger": "adjustment"}]
    # And each refusal was alerted once, by adjustment id (or the body's hash when it has none)
    keys = sorted(
        a.dedupe_key for a in AlertModel.scan() if not a.dedupe_key.startswith("log#")
    )  # not the alert log
    assert len(keys) == 4 and keys[0].startswith("stock-adjustment-refused:body:")
    assert keys[1:] == [f"stock-adjustment-refused:id:adj-{n}" for n in (2, 3, 4)]


def test_planner_announces_drifted_skus_onto_the_fifo_queue(env):
    # Given A with stock and a listing that never accepted anything, on an enabled shop
    ShopModel("uk", channel="shopify", secret_name="s", created_at=NOW).save()
    StockRepository(env).change_sku("A", lambda item: item.on_hand.update({"own:sz": 5}) or True, now=NOW)
    ListingModel("A", "shopify#uk", channel="shopify", shop_id="uk", ref={}).save()
    # When the 5-minute rule fires
    result = invoke(STOCK_PLANNER, scheduled_event(STOCK_PLANNER, "us-east-1", NOW))
    # Then A is announced
    assert result == {"listings": 1, "announced": 1}
    assert announced(env) == [{"sku": "A", "version": 1, "trigger": "drift"}]


def test_fba_sync_runs_on_the_hourly_envelope_with_no_amazon_shop(env):
    result = invoke(FBA_SYNC, scheduled_event(FBA_SYNC, "us-east-1", NOW))
    assert result == {"shops": 0, "full_reads": 0, "changed": 0, "failed": []}


def test_daily_check_alerts_skus_sold_but_not_shipped(env):
    # Given a SKU with 3 units sold two days ago and none shipped
    ReservationModel(
        "A",
        "taobao#t1#o1#1",
        quantity=3,
        state="reserved",
        channel="taobao",
        shop_id="t1",
        order_id="o1",
        updated_at=NOW - timedelta(days=2),
    ).save()
    # When the daily rule fires
    result = invoke(STOCK_DAILY, scheduled_event(STOCK_DAILY, "us-east-1", NOW))
    # Then the deviation is counted (and its digest published)
    assert result == {"pushed": 0, "read_back": 0, "drifted": 0, "alerted": 0, "sold_shipped": 1}
