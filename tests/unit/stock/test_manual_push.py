"""A person's push of one SKU: the plan writes and opens nothing; the send goes through the pusher
and reports each listing's answer, including a whole call the channel refused or failed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from crossdock.core.errors import AuthError, RetryableError
from crossdock.stock.rules.sellable import PushOutcome
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.storage.tables import ListingModel
from crossdock.stock.usecases.manual_push import ManualPush
from crossdock.stock.usecases.push import StockPusher

from tests.support.aws import moto_resources

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class Channel:
    max_batch = 10

    def __init__(self) -> None:
        self.calls: list[list] = []
        self.refuse: dict[str, str] = {}  # sku → code
        self.error: Exception | None = None

    def push(self, updates):
        if self.error:
            raise self.error
        self.calls.append(list(updates))
        return [
            PushOutcome(u, "rejected", "gone", code=self.refuse[u.listing.sku])
            if u.listing.sku in self.refuse
            else PushOutcome(u, "accepted")
            for u in updates
        ]


class Writers:
    def __init__(self, **channels: Channel) -> None:
        self.channels = channels
        self.opened: list[str] = []
        self.forgotten: list[str] = []

    def writer(self, shop_key):
        self.opened.append(shop_key)
        return self.channels[shop_key.partition("#")[0]]

    def forget(self, shop_key):
        self.forgotten.append(shop_key)


class Alerts:
    def __init__(self) -> None:
        self.sent: list = []

    def send(self, alert, *, now):
        self.sent.append(alert)
        return True


@pytest.fixture
def world():
    with moto_resources() as settings:
        stock = StockRepository(settings)
        stock.change_sku("A", lambda item: item.on_hand.update({"own:sz": 100}) or True, now=NOW)
        for channel, shop in (("shopify", "uk"), ("ebay", "de")):
            ListingModel("A", f"{channel}#{shop}", channel=channel, shop_id=shop, ref={"id": "1"}).save()
        writers = Writers(shopify=Channel(), ebay=Channel())
        alerts = Alerts()
        yield stock, writers, alerts, ManualPush(stock, StockPusher(stock, writers, alerts, lambda: NOW))


def test_the_plan_opens_no_channel_and_writes_nothing(world) -> None:
    stock, writers, _, push = world
    planned = push.plan("A")
    assert [(p.channel, p.quantity, p.version, p.skipped) for p in planned] == [
        ("ebay", 95, 1, None),
        ("shopify", 95, 1, None),
    ]
    assert writers.opened == [] and stock.history("A") == []


def test_each_listing_gets_its_channel_answer(world) -> None:
    stock, writers, _, push = world
    writers.channels["ebay"].refuse["A"] = "25713"
    answers = push.send("A")
    assert [(a.planned.channel, a.result, a.code, a.quantity) for a in answers] == [
        ("ebay", "refused", "25713", 95),
        ("shopify", "accepted", "", 95),
    ]
    assert {(h.channel, h.trigger, h.result) for h in stock.history("A")} == {
        ("ebay", "operator", "needs_review"),
        ("shopify", "operator", "accepted"),
    }


def test_a_whole_call_refused_or_failed_is_reported_per_listing(world) -> None:
    _, writers, alerts, push = world
    writers.channels["ebay"].error = AuthError("ebay", "token revoked", code="1001")
    writers.channels["shopify"].error = RetryableError("shopify", "503")
    answers = {a.planned.channel: a for a in push.send("A")}
    assert (answers["ebay"].result, answers["ebay"].code) == ("refused", "1001")
    assert (answers["shopify"].result, answers["shopify"].code) == ("failed", "server")
    assert writers.forgotten == ["ebay#de"] and len(alerts.sent) == 1  # the pusher's own handling


def test_a_listing_awaiting_review_is_skipped_and_unknown_targets_refused(world) -> None:
    stock, writers, _, push = world
    stock.review(ListingModel.get("A", "ebay#de"), code="25713", reason="gone", now=NOW)
    answers = push.send("A")
    assert [(a.planned.channel, a.result) for a in answers] == [("ebay", "skipped"), ("shopify", "accepted")]
    assert writers.opened == ["shopify#uk"]
    with pytest.raises(ValueError, match="not listed on shop fr"):
        push.plan("A", "fr")
    with pytest.raises(ValueError, match="keeps no stock for B"):
        push.send("B")
