"""FBA sync and the pre-order check against the Amazon sandbox over HTTP (local stack: moto server,
the shop's credentials in Secrets Manager): fulfillable only, incremental reads, the daily full read
that sees inbound changes, and a live read before answering a check."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from crossdock.shops.storage.tables import ShopModel
from crossdock.shops.usecases.admin import register_shop
from crossdock.stock import compose as stock_compose
from crossdock.stock.compose import check_stock
from crossdock.stock.resources import STOCK_CHANGES_QUEUE
from crossdock.stock.storage.stock import StockRepository
from crossdock_local.aws.stack import LocalStack
from crossdock_local.sandboxes.amazon.server import AmazonSandbox
from crossdock_local.sandboxes.orderbook import OrderBook

SHOP = "amz-us"
SKU = "BT-EAR-01"


@pytest.fixture()
def world() -> Iterator[tuple[LocalStack, AmazonSandbox]]:
    with LocalStack(rate_scale=200) as stack, AmazonSandbox(rate_scale=200) as sandbox:
        shop = sandbox.add_shop(SHOP, OrderBook(shop=SHOP, currency="USD"))
        register_shop(
            stack.settings,
            shop_id=SHOP,
            channel_name="amazon",
            credentials=shop.credentials,
            options=shop.options,
            endpoints=shop.endpoints,
            now=datetime.now(UTC),
        )
        yield stack, sandbox


def announced(stack: LocalStack) -> list[dict]:
    sqs = stack.client("sqs")
    found = sqs.receive_message(QueueUrl=stack.queue_url(STOCK_CHANGES_QUEUE), MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in found.get("Messages", [])]


def test_sync_counts_fulfillable_only_and_announces(world: tuple[LocalStack, AmazonSandbox]) -> None:
    # Given 30 fulfillable units and 10 inbound, 2 reserved, 3 unfulfillable in Amazon's warehouse
    stack, sandbox = world
    sandbox.set_fba(SHOP, SKU, fulfillable=30, inbound_shipped=10, reserved=2, unfulfillable=3)
    # When the hourly sync runs
    report = stock_compose.fba_sync(stack.settings).run()
    # Then 30 are on hand in the shop's FBA warehouse, the rest noted, the SKU announced
    item = StockRepository(stack.settings).sku(SKU)
    assert report.full_reads == [SHOP] and report.failed == {}
    assert item.on_hand == {f"fba:{SHOP}": 30}
    assert item.fba_details[f"fba:{SHOP}"] == {
        "inbound": 10,
        "reserved": 2,
        "researching": 0,
        "unfulfillable": 3,
    }
    assert announced(stack) == [{"sku": SKU, "version": 1, "trigger": "fba-sync"}]


def test_inbound_changes_wait_for_the_daily_full_read(world: tuple[LocalStack, AmazonSandbox]) -> None:
    # Given a synced SKU whose inbound count then changes (Amazon does not report that as a change)
    stack, sandbox = world
    sandbox.set_fba(SHOP, SKU, at=datetime.now(UTC) - timedelta(hours=3), fulfillable=5, inbound_shipped=1)
    sync = stock_compose.fba_sync(stack.settings)
    sync.run()
    sandbox.set_fba(SHOP, SKU, inbound_shipped=40)
    # When the next hourly run reads incrementally, and then a day has passed
    hourly = sync.run()
    ShopModel.get(SHOP).update(actions=[ShopModel.fba_full_at.set(datetime.now(UTC) - timedelta(days=1))])
    daily = sync.run()
    # Then only the full read saw the inbound units, and the SKU's version never moved for them
    assert (hourly.summaries, hourly.full_reads, daily.full_reads) == (0, [], [SHOP])
    item = StockRepository(stack.settings).sku(SKU)
    assert item.fba_details[f"fba:{SHOP}"]["inbound"] == 40 and int(item.version) == 1


def test_check_reads_fba_live_before_answering(world: tuple[LocalStack, AmazonSandbox]) -> None:
    # Given a sync saw 30 units, and Amazon has shipped 5 since
    stack, sandbox = world
    sandbox.set_fba(SHOP, SKU, fulfillable=30)
    stock_compose.fba_sync(stack.settings).run()
    sandbox.set_fba(SHOP, SKU, fulfillable=25)
    # When 24 units are checked from the last sync, then live
    stored = check_stock(SKU, 24, live_fba=False)
    live = check_stock(SKU, 24)
    # Then the stored figure (floor(30 × 0.95) = 28) said yes, the live one (23) says no
    assert (stored.ok, stored.sellable) == (True, 28)
    assert (live.ok, live.sellable) == (False, 23)
    assert StockRepository(stack.settings).sku(SKU).on_hand == {f"fba:{SHOP}": 25}
