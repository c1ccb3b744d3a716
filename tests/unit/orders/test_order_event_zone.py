"""Order events carry their shop's time zone (`shop_time_zone`, optional in version 1): the pull that
knows the shop adds it as the events leave; the stored outbox and the event ids stay as they were."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from crossdock.orders.compose import order_puller
from crossdock.orders.events import SCHEMA_VERSION, SHOP_TIME_ZONE
from crossdock.orders.rules.events import events_for, with_shop_time_zone
from crossdock.orders.rules.order import Money, Order, OrderLine, OrderStatus, Shipment
from crossdock.orders.storage.tables import OrderModel
from crossdock.orders.usecases.pull import OrderPuller  # noqa: F401  (see below)
from crossdock.orders.usecases.tasks import ShopTask
from crossdock.shops.storage.tables import ShopModel

from tests.support.aws import moto_resources
from tests.support.fake_channel import FakeChannel, FakeSources, ManualClock

# The puller's module loads core.observability, whose X-Ray SDK opens a UDP socket at import: imported
# here, at collection, before this tier's sockets are switched off.
START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
JAPAN = {"marketplace_ids": ["A1VC38T7YXB528"], "seller_id": "A2SELLER"}


def shipped() -> Order:
    return Order(
        "amazon", "amazon-jp", "250-1234567-1234567", OrderStatus.SHIPPED, "SHIPPED", START, START,
        Money.of("1980", "JPY"), (OrderLine("L1", "SKU-1", 1),), "", (Shipment("4PX", "4PX3001CN"),),
    )  # fmt: skip


def test_the_zone_is_added_to_the_event_and_nothing_else_changes() -> None:
    # Given the events of a shipped order
    events = events_for(shipped(), None, detected_at=START)
    # When the shop's zone is added, or none is known
    zoned = [with_shop_time_zone(e, "Asia/Tokyo") for e in events]
    bare = [with_shop_time_zone(e, None) for e in events]
    # Then each event gains the field and keeps its id and version; without a zone it stays as it was
    assert [e[SHOP_TIME_ZONE] for e in zoned] == ["Asia/Tokyo"] * len(events)
    assert [{k: v for k, v in e.items() if k != SHOP_TIME_ZONE} for e in zoned] == events
    assert bare == events and SHOP_TIME_ZONE not in events[0]
    assert {e["schema_version"] for e in zoned} == {SCHEMA_VERSION} == {1}


@pytest.fixture
def env():
    with moto_resources() as settings:
        ShopModel("amazon-jp", channel="amazon", secret_name="unused", options=JAPAN, created_at=START).save()
        yield settings


def queued_events(settings) -> list[dict]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    found = []
    while batch := sqs.receive_message(QueueUrl=settings.order_events_queue_url, MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        for message in batch:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(
                QueueUrl=settings.order_events_queue_url, ReceiptHandle=message["ReceiptHandle"]
            )
    return found


def test_the_pull_publishes_the_shops_zone_and_keeps_the_outbox_as_derived(env) -> None:
    # Given an Amazon JP shop with orders, pulled by a puller that derives a shop's zone from its channel
    clock = ManualClock(START)
    orders = FakeChannel(shop_id="amazon-jp", channel="amazon")
    for i in range(4):
        orders.put(f"T{i}", START - timedelta(hours=4 - i))
    puller = order_puller(env, clock=clock, sources=FakeSources(orders))  # the composition derives it
    # When the shop is pulled
    report = puller.pull(ShopTask(shop_id="amazon-jp"))
    # Then every event on the queue names Japan's zone, and every outbox was cleared once sent
    events = queued_events(env)
    assert report.outcome == "done" and report.events == len(events) == 4
    assert {e[SHOP_TIME_ZONE] for e in events} == {"Asia/Tokyo"}
    assert all(item.pending_events == [] for item in OrderModel.query("amazon#amazon-jp"))


def test_a_puller_without_a_zone_publishes_the_events_as_before(env) -> None:
    # Given a puller that knows no zone for its shops (an OrderPuller's default)
    orders = FakeChannel(shop_id="amazon-jp", channel="amazon")
    orders.put("T1", START - timedelta(hours=1))
    puller = replace(
        order_puller(env, clock=ManualClock(START), sources=FakeSources(orders)), shop_zone=lambda shop: None
    )
    # When / Then
    puller.pull(ShopTask(shop_id="amazon-jp"))
    [event] = queued_events(env)
    assert SHOP_TIME_ZONE not in event
