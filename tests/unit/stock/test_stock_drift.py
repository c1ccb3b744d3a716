"""Stock planner: announce drifted SKUs, ask for flushes of due marks, alert listings left over-offering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.storage.tables import ListingModel
from crossdock.stock.usecases.drift import ANNOUNCE_BATCH, LOST_AFTER, STUCK_AFTER, DriftPlanner

from tests.support.aws import moto_resources
from tests.support.stock_fakes import Alerts, Announced

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def listing(sku: str, shop_key: str = "shopify#uk", **fields) -> ListingModel:
    channel, _, shop_id = shop_key.partition("#")
    model = ListingModel(sku, shop_key, channel=channel, shop_id=shop_id, ref={}, **fields)
    model.save()
    return model


@pytest.fixture
def env():
    with moto_resources() as settings:
        stock = StockRepository(settings)
        for sku in ("A", "B", "C", "D"):
            stock.change_sku(sku, lambda item: item.on_hand.update({"own:sz": 100}) or True, now=NOW)
        announced = Announced()
        flushed: list[list[str]] = []
        planner = DriftPlanner(
            stock,
            lambda: {"shopify#uk", "ebay#de"},
            announced,
            flush=lambda shops: flushed.append(list(shops)) or 1,
            alerts=Alerts(),
            clock=lambda: NOW,
        )
        planner.flushed = flushed  # type: ignore[attr-defined]
        yield planner, stock, announced


def test_only_skus_whose_listing_differs_from_sellable_are_announced(env):
    # Given A shown right (95), B shown wrong, C never pushed, D right on one shop and wrong on another
    planner, _, announced = env
    listing("A", last_quantity=95)
    listing("B", last_quantity=90)
    listing("C")
    listing("D", last_quantity=95)
    listing("D", "ebay#de", last_quantity=0)
    # When the planner runs
    report = planner.plan()
    # Then B, C and D are announced at their current versions, in one batch
    assert report.drifted == {"B": 1, "C": 1, "D": 1} and report.listings == 5
    assert announced.calls == [({"B": 1, "C": 1, "D": 1}, "drift")]


def test_disabled_shops_listings_under_review_and_unmanaged_skus_are_left_out(env):
    # Given a listing of a disabled shop, a listing awaiting review and a listing of a SKU without stock
    planner, _, announced = env
    listing("A", "taobao#off", last_quantity=1)
    listing("B", last_quantity=1, review_since=NOW, review_code="25713")
    listing("NEW")
    # When the planner runs
    report = planner.plan()
    # Then nothing is announced
    assert (report.skipped, report.under_review, report.unmanaged, announced.calls) == (1, 1, 1, [])


def test_a_listing_refused_transiently_is_not_left_to_the_daily_run(env):
    # Given B whose last push was refused (no review): it shows 90, sellable is 95
    planner, _, _announced = env
    listing("B", last_quantity=90, last_status="retrying")
    # When the planner runs
    report = planner.plan()
    # Then B is announced again within 5 minutes
    assert report.drifted == {"B": 1}


def test_due_and_lost_marks_get_a_flush_waiting_ones_do_not(env):
    # Given a mark whose retry is due, one waiting for its retry, and one nobody flushed for 2 minutes
    planner, _, _announced = env
    listing("A", last_quantity=95, dirty_shop="shopify#uk", dirty_version=1, dirty_at=NOW, retry_at=NOW)
    later = NOW + timedelta(minutes=1)
    listing(
        "B", "ebay#de", last_quantity=95, dirty_shop="ebay#de", dirty_version=1, dirty_at=NOW, retry_at=later
    )
    listing("C", "ebay#de", last_quantity=95, dirty_shop="ebay#de", dirty_version=1, dirty_at=NOW)
    listing("D", last_quantity=95, dirty_shop="shopify#uk", dirty_version=1, dirty_at=NOW - LOST_AFTER)
    # When the planner runs
    report = planner.plan()
    # Then only shopify#uk is asked to flush (A due, D lost); marked listings are not announced again
    assert planner.flushed == [["shopify#uk"]] and report.drifted == {}


def test_a_mark_over_offering_for_15_minutes_is_alerted_in_one_digest(env):
    # Given two listings marked 15 minutes ago that still show more than is sellable (95)
    planner, _, _ = env
    since = NOW - STUCK_AFTER
    listing("A", last_quantity=120, dirty_shop="shopify#uk", dirty_version=1, dirty_at=since, attempts=5)
    listing("B", "ebay#de", dirty_shop="ebay#de", dirty_version=1, dirty_at=since, last_detail="HTTP 503")
    listing("C", last_quantity=10, dirty_shop="shopify#uk", dirty_version=1, dirty_at=since)  # under: fine
    # When the planner runs
    report = planner.plan()
    # Then one alert names both over-offering listings, in those words
    [alert] = planner.alerts.sent
    assert len(report.stuck) == 2 and len(alert.details) == 2
    assert (
        "LEFT SHOWING MORE THAN IS SELLABLE" in alert.details[0]
        and "shows 120, sellable 95" in alert.details[0]
    )
    assert "shows unknown" in alert.details[1] and "HTTP 503" in alert.details[1]


def test_announces_go_out_in_batches(env):
    # Given more drifted SKUs than one batch holds
    planner, stock, announced = env
    count = ANNOUNCE_BATCH + 5
    with ListingModel.batch_write() as batch:
        for n in range(count):
            batch.save(ListingModel(f"A{n}", "shopify#uk", channel="shopify", shop_id="uk", ref={}))
    for n in range(count):
        stock.change_sku(f"A{n}", lambda item: item.on_hand.update({"own:sz": 1}) or True, now=NOW)
    # When the planner runs
    planner.plan()
    # Then two announces carry them all
    assert [len(v) for v, _ in announced.calls] == [ANNOUNCE_BATCH, 5]
