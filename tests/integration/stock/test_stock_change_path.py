"""The change path end to end on the local stack (moto server, the channels' sandboxes over HTTP, the
local runner delivering stock-changes → stock-marker → stock-flush → stock-flusher): a burst reaches
each shop in the channel's largest batches; per-item refusals are retried or sent to review and
alerted; a FATAL feed is resent; a malformed change fails only its own SKU's group."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from crossdock.core.config import settings
from crossdock.core.names import ENV_OUTBOX_DIR, ENV_STOCK_FLUSH_SETTLE_S, ENV_STOCK_RETRY_BASE_S
from crossdock.deployment import QUEUES
from crossdock.stock import compose as stock_compose
from crossdock.stock.resources import STOCK_MARKER
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.storage.tables import ListingModel
from crossdock.stock.usecases.file import parse_stock_file
from crossdock_local.aws.lambda_env import load_handler, new_context
from crossdock_local.aws.runner import LocalRunner
from crossdock_local.aws.stack import LocalStack
from crossdock_local.demos.orders.shops import CATALOGUE, DemoShops
from crossdock_local.demos.stock.view import StockView
from crossdock_local.demos.stock.watch import drive

from tests.support.lambda_events import sqs_record_for

SHOPS = ("amazon-us", "shopify-uk", "ebay-de")
SCALE = 200.0


@dataclass
class World:
    stack: LocalStack
    shops: DemoShops
    runner: LocalRunner
    view: StockView
    outbox: Path

    def sandbox(self, shop_id: str):
        return self.shops.sandbox_of(shop_id)

    def calls(self, shop_id: str, operation: str) -> int:
        return int(self.sandbox(shop_id).stats.get(f"calls:{operation}", 0))

    def list_and_import(self, skus: list[str], units: int = 40) -> None:
        admin = stock_compose.stock_admin(settings())
        for sku in skus:
            for shop_id in SHOPS:
                admin.add_listing(
                    sku=sku, shop_id=shop_id, ref=self.sandbox(shop_id).add_listing(shop_id, sku, 0)
                )
        self.set_stock(skus, units)

    def set_stock(self, skus: list[str], units: int) -> None:
        rows = "".join(f"{sku},own:sz,{units}\n" for sku in skus)
        stock_compose.own_stock(settings()).import_rows(parse_stock_file("sku,warehouse,on_hand\n" + rows))

    def drive(self, done) -> None:
        result = drive(self.runner, done, max_rounds=300)
        assert result.done, result.errors

    def alerts(self) -> str:
        return "\n".join(path.read_text(encoding="utf-8") for path in sorted(self.outbox.glob("*.eml")))


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv(ENV_STOCK_FLUSH_SETTLE_S, "0")
    monkeypatch.setenv(ENV_STOCK_RETRY_BASE_S, "0.05")
    monkeypatch.setenv(ENV_OUTBOX_DIR, str(tmp_path))
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "CrossdockTest")
    plans = tuple(p for p in CATALOGUE if p.shop_id in SHOPS)
    with LocalStack(rate_scale=SCALE) as stack, DemoShops(plans, rate_scale=SCALE, orders=1) as shops:
        monkeypatch.setenv(ENV_OUTBOX_DIR, str(tmp_path))
        settings.cache_clear()
        shops.register(stack.settings, datetime.now(UTC))
        runner = LocalRunner({q.logical_id: stack.queue_url(q) for q in QUEUES}, visibility_timeout_s=1)
        yield World(stack, shops, runner, StockView(shops, StockRepository(settings())), tmp_path)


def test_a_burst_reaches_each_shop_in_its_largest_batches(world: World) -> None:
    # Given 60 SKUs listed on Amazon, Shopify and eBay and imported in one file
    skus = [f"B{n:02d}" for n in range(60)]
    # When the change path runs
    world.list_and_import(skus)
    world.drive(lambda: world.view.agree(skus))
    # Then one feed for Amazon (not 6), one inventorySetQuantities for Shopify (not 6), ⌈60/25⌉ for eBay
    assert world.calls("amazon-us", "createFeed") == 1
    assert world.calls("amazon-us", "patchListingsItem") == 0
    assert world.calls("shopify-uk", "graphql") == 1
    assert world.calls("ebay-de", "bulkUpdatePriceQuantity") == 3
    assert all(li.dirty_version is None for li in ListingModel.scan())


def test_refusals_are_retried_or_sent_to_review_and_alerted(world: World) -> None:
    # Given A, B and C on every shop, shown at 38 (40 units less the buffer)
    skus = ["A", "B", "C"]
    world.list_and_import(skus)
    world.drive(lambda: world.view.agree(skus))
    # And eBay will refuse A's offer for good and B's update once (a system error), Amazon refuses C once
    world.sandbox("ebay-de").refuse_updates("ebay-de", "A")
    world.sandbox("ebay-de").fail_next_update("ebay-de", "B")
    world.sandbox("amazon-us").fail_sku("amazon-us", "C")
    # When all three sell down to 10 units
    world.set_stock(skus, 10)
    world.drive(lambda: world.view.agree(["B", "C"]) and ListingModel.get("A", "ebay#ebay-de").needs_review)
    # Then B and C reached every channel after a retry; A waits for a person on eBay, with eBay's code
    listing = ListingModel.get("A", "ebay#ebay-de")
    assert listing.review_code == "25713" and listing.dirty_version is None
    history = [h.result for h in StockRepository(settings()).history("B") if h.channel == "ebay"]
    assert history[:2] == ["accepted", "failed"]
    # And the seller's e-mail says the listing shows more than is sellable, why, and what to do
    alerts = world.alerts()
    assert "SKU A: shows 38, sellable 9 — LEFT SHOWING MORE THAN IS SELLABLE" in alerts
    assert "25713" in alerts and "crossdock stock listing resume" in alerts
    # And a later change of A still reaches Amazon and Shopify, but not the listing under review
    world.set_stock(["A"], 30)
    world.drive(lambda: world.view.shown("amazon-us", "A") == 28)
    assert world.sandbox("ebay-de").quantity("ebay-de", "A") == 38


def test_a_fatal_feed_is_resent_and_two_in_a_row_alert(world: World) -> None:
    skus = [f"F{n}" for n in range(8)]  # more than the feed threshold: a feed
    world.list_and_import(skus)
    world.drive(lambda: world.view.agree(skus))
    feeds = world.calls("amazon-us", "createFeed")
    # Given Amazon ends the next feed FATAL
    world.sandbox("amazon-us").fail_next_feeds("amazon-us", 1)
    world.set_stock(skus, 20)
    world.drive(lambda: world.view.agree(skus))
    # Then a second feed carried the same quantities, and nobody was alerted for one failure
    assert world.calls("amazon-us", "createFeed") == feeds + 2 and "feed failed twice" not in world.alerts()
    # When the next two feeds end FATAL
    world.sandbox("amazon-us").fail_next_feeds("amazon-us", 2)
    world.set_stock(skus, 30)
    world.drive(lambda: world.view.agree(skus))
    # Then the seller hears of it once, with the feed ids, and the third feed went through
    alerts = world.alerts()
    assert alerts.count("stock feed failed twice in a row") == 1 and "FATAL" in alerts
    assert world.calls("amazon-us", "createFeed") == feeds + 5


def test_a_malformed_change_fails_only_its_own_group(world: World) -> None:
    # Given A and B listed, and a batch: A's change, a poison message, B's change
    world.list_and_import(["A", "B"])
    world.drive(lambda: world.view.agree(["A", "B"]))
    repo = StockRepository(settings())
    versions = {sku: int(repo.sku(sku).version) + 1 for sku in ("A", "B")}
    for sku in ("A", "B"):
        repo.change_sku(sku, lambda item: item.on_hand.update({"own:sz": 20}) or True, now=datetime.now(UTC))

    def record(body: str, group: str) -> dict:
        found = sqs_record_for(body, "crossdock-stock-changes.fifo")
        found["attributes"]["MessageGroupId"] = group
        found["attributes"]["MessageDeduplicationId"] = body[:60]
        return found

    poison = record("{not json", "POISON")
    records = [
        record(json.dumps({"sku": "A", "version": versions["A"], "trigger": "test"}), "A"),
        poison,
        record(json.dumps({"sku": "B", "version": versions["B"], "trigger": "test"}), "B"),
    ]
    # When the marker handles the batch
    result = load_handler(STOCK_MARKER)({"Records": records}, new_context(STOCK_MARKER, "us-east-1"))
    # Then only the poison message goes back to the queue; A and B were marked and flushed
    assert result["batchItemFailures"] == [{"itemIdentifier": poison["messageId"]}]
    world.drive(lambda: world.view.agree(["A", "B"]))
    assert world.view.shown("shopify-uk", "B") == 19
