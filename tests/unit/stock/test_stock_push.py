"""Stock push: only what differs, never above sellable, batched, CAS retried, newer never overwritten."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from crossdock.core.errors import AuthError
from crossdock.stock.rules.sellable import PushOutcome
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.storage.tables import ListingModel
from crossdock.stock.usecases.push import StockPusher

from tests.support.aws import moto_resources

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class FakeWriter:
    """A channel: applies quantities, may lose compare-and-set once, may refuse a SKU."""

    def __init__(self, max_batch=2):
        self.max_batch = max_batch
        self.shown: dict[str, int] = {}
        self.calls: list[list] = []
        self.stale_once: set[str] = set()
        self.refuse: set[str] = set()
        self.error: Exception | None = None

    def push(self, updates):
        if self.error:
            raise self.error
        self.calls.append(list(updates))
        out = []
        for u in updates:
            sku = u.listing.sku
            if sku in self.stale_once:
                self.stale_once.discard(sku)
                out.append(PushOutcome(u, "stale", "CHANGE_FROM_QUANTITY_STALE", observed=7))
            elif sku in self.refuse:
                out.append(PushOutcome(u, "rejected", "not stocked here", code="INVALID_INVENTORY_ITEM"))
            else:
                self.shown[sku] = u.quantity
                out.append(PushOutcome(u, "accepted"))
        return out

    def read(self, listings):
        return {li.key: self.shown.get(li.sku, 0) for li in listings}


class Writers:
    def __init__(self, writer):
        self.w = writer

    def writer(self, shop_key):
        return self.w


class Alerts:
    def __init__(self):
        self.sent = []

    def send(self, alert, *, now):
        self.sent.append(alert)
        return True


@pytest.fixture
def env():
    with moto_resources() as settings:
        stock = StockRepository(settings)
        for sku, on_hand in {"A": 100, "B": 45, "C": 10}.items():
            stock.change_sku(sku, lambda item, n=on_hand: item.on_hand.update({"own:sz": n}) or True, now=NOW)
            ListingModel(
                sku, "shopify#uk", channel="shopify", shop_id="uk", ref={"inventory_item_id": sku}
            ).save()
        writer = FakeWriter()
        yield stock, writer, StockPusher(stock, Writers(writer), Alerts(), lambda: NOW)


def test_pushes_sellable_in_batches_and_records_acceptance(env):
    stock, writer, pusher = env
    # When every SKU is pushed
    report = pusher.push(["A", "B", "C", "A"], trigger="test")
    # Then sellable (5 % buffer) is shown, in batches of at most 2, each SKU once
    assert writer.shown == {"A": 95, "B": 42, "C": 9}
    assert [len(c) for c in writer.calls] == [2, 1] and report.pushed == 3
    assert ListingModel.get("B", "shopify#uk").last_quantity == 42
    assert [h.result for h in stock.history("B")] == ["accepted"]


def test_nothing_sent_when_channel_already_shows_sellable(env):
    _, writer, pusher = env
    pusher.push(["A"], trigger="test")
    report = pusher.push(["A"], trigger="test")
    assert report.unchanged == 1 and len(writer.calls) == 1


def test_stale_compare_is_reread_and_retried_not_overwritten_blindly(env):
    _, writer, pusher = env
    writer.stale_once = {"A"}
    report = pusher.push(["A"], trigger="test")
    retry = writer.calls[-1][0]
    assert (
        retry.listing.last_accepted == 7 and retry.quantity == 95
    )  # compared against what the channel showed
    assert report.outcomes["stale"] == 1 and report.pushed == 1


def test_a_permanent_refusal_marks_the_listing_for_review_and_stops_pushes_to_it(env):
    # Given a channel that refuses C for good
    stock, writer, pusher = env
    writer.refuse = {"C"}
    # When A and C are pushed
    report = pusher.push(["A", "C"], trigger="test")
    # Then C needs review with the channel's code, A went through, and the history says so
    listing = ListingModel.get("C", "shopify#uk")
    assert [a.listing.sku for a in report.reviews] == ["C"] and report.pushed == 1
    assert listing.needs_review and listing.review_code == "INVALID_INVENTORY_ITEM"
    assert [h.result for h in stock.history("C")] == ["needs_review"]
    # And a later push, even forced, leaves it alone
    calls = len(writer.calls)
    again = pusher.push(["C"], trigger="daily", force=True)
    assert again.under_review == 1 and len(writer.calls) == calls


def test_auth_failure_alerts_and_leaves_the_resend_to_the_drift_check(env):
    # Given a shop whose access was revoked
    stock, writer, pusher = env
    writer.error = AuthError("shopify", "HTTP 401")
    # When its SKUs are pushed
    report = pusher.push(["A", "B"], trigger="test")
    # Then a person is alerted, nothing is retried in a loop (retrying cannot help), the push is on record
    assert report.failed_skus == set() and report.outcomes["failed"] == 2 and report.blocked == {"shopify#uk"}
    assert "refused" in pusher.alerts.sent[0].subject
    assert [h.result for h in stock.history("A")] == ["failed"]


def test_an_older_version_never_overwrites_a_newer_record(env):
    stock, _, _ = env
    listing = ListingModel.get("A", "shopify#uk")
    assert stock.accept(listing, quantity=90, version=5, status="accepted", detail="", now=NOW)
    assert not stock.accept(listing, quantity=95, version=4, status="accepted", detail="", now=NOW)
    assert ListingModel.get("A", "shopify#uk").last_quantity == 90
