"""A push counts, per channel, the quantities the channel accepted and those it refused (the
StockPushes and StockRefusals figures the stock functions emit)."""

from __future__ import annotations

from datetime import UTC, datetime

from crossdock.core import figures
from crossdock.core.errors import RetryableError
from crossdock.stock.rules.sellable import PushOutcome
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.storage.tables import ListingModel
from crossdock.stock.usecases.push import PushReport, StockPusher

from tests.support.aws import moto_resources

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class Channel:
    """A channel's writer: accepts every quantity but those it refuses, or fails every call."""

    max_batch = 10

    def __init__(self, refuse: set[str] = frozenset(), error: Exception | None = None) -> None:
        self.refuse = refuse
        self.error = error

    def push(self, updates):
        if self.error:
            raise self.error
        return [
            PushOutcome(u, "rejected", "unknown SKU", code="X")
            if u.listing.sku in self.refuse
            else PushOutcome(u, "accepted")
            for u in updates
        ]


class Writers:
    def __init__(self, by_shop: dict[str, Channel]) -> None:
        self.by_shop = by_shop

    def writer(self, shop_key):
        return self.by_shop[shop_key]


class Alerts:
    def send(self, alert, *, now):
        return True


def test_a_push_counts_accepted_and_refused_quantities_per_channel():
    with moto_resources() as settings:
        # Given three SKUs listed on Shopify (which refuses C) and on eBay (whose call fails)
        stock = StockRepository(settings)
        for sku in ("A", "B", "C"):
            stock.change_sku(sku, lambda item: item.on_hand.update({"own:sz": 10}) or True, now=NOW)
            ListingModel(sku, "shopify#uk", channel="shopify", shop_id="uk", ref={"id": sku}).save()
            ListingModel(sku, "ebay#de", channel="ebay", shop_id="de", ref={"id": sku}).save()
        writers = Writers(
            {
                "shopify#uk": Channel(refuse={"C"}),
                "ebay#de": Channel(error=RetryableError("ebay", "timeout")),
            }
        )

        # When the three are pushed
        report = StockPusher(stock, writers, Alerts(), lambda: NOW).push(["A", "B", "C"], trigger="test")

    # Then each channel's figures count its own listings
    assert report.per_channel() == {
        "ebay": {figures.STOCK_PUSHES: 0, figures.STOCK_REFUSALS: 3},
        "shopify": {figures.STOCK_PUSHES: 2, figures.STOCK_REFUSALS: 1},
    }


def test_merged_reports_add_their_channel_figures():
    # Given two flush passes' reports
    first, second = PushReport(), PushReport()
    first.by_channel[("amazon", "accepted")] += 4
    second.by_channel[("amazon", "accepted")] += 1
    second.by_channel[("amazon", "failed")] += 2

    # When merged
    first.merge(second)

    # Then the figures add up
    assert first.per_channel() == {"amazon": {figures.STOCK_PUSHES: 5, figures.STOCK_REFUSALS: 2}}
