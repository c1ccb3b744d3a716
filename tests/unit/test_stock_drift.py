"""Drift planner: announce every SKU a listing shows differently from what is sellable now."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from crossdock.storage.stock import StockRepository
from crossdock.storage.stock_models import ListingModel
from crossdock.usecases.stock_drift import ANNOUNCE_BATCH, DriftPlanner

from tests.support.aws import moto_resources
from tests.support.stock_fakes import Announced

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
        yield DriftPlanner(stock, lambda: {"shopify#uk", "ebay#de"}, announced), stock, announced


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


def test_disabled_shops_rejected_listings_and_unmanaged_skus_are_left_out(env):
    # Given a listing of a disabled shop, a rejected listing and a listing of a SKU without stock
    planner, _, announced = env
    listing("A", "taobao#off", last_quantity=1)
    listing("B", last_quantity=1, last_status="rejected")
    listing("NEW")
    # When the planner runs
    report = planner.plan()
    # Then nothing is announced
    assert (report.skipped, report.unmanaged, announced.calls) == (2, 1, [])


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
