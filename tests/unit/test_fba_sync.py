"""FBA sync: fulfillable only, incremental with overlap, a full read a day, versions only on change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from crossdock.adapters.errors import AuthError
from crossdock.storage.models import ShopModel
from crossdock.storage.stock import StockRepository
from crossdock.storage.stock_models import ListingModel
from crossdock.usecases.fba_sync import OVERLAP, FbaSync

from tests.support.aws import moto_resources
from tests.support.fake_channel import ManualClock
from tests.support.stock_fakes import Alerts, Announced, FakeInventory, Inventories

START = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def shop(shop_id: str, channel: str = "amazon", enabled: bool = True) -> ShopModel:
    model = ShopModel(shop_id, channel=channel, secret_name="s", created_at=START, enabled=enabled)
    model.save()
    return model


@pytest.fixture
def env():
    with moto_resources() as settings:
        stock = StockRepository(settings)
        clock = ManualClock(START)
        us, jp = FakeInventory(), FakeInventory()
        for shop_id in ("amz-us", "amz-jp"):
            shop(shop_id)
        shop("shopify-uk", channel="shopify")
        shop("amz-off", enabled=False)
        announced = Announced()
        sync = FbaSync(
            stock=stock,
            shops=lambda: ShopModel.scan(),
            inventories=Inventories(**{"amz-us": us, "amz-jp": jp}),
            has_fba=lambda name: name == "amazon",
            announce=announced,
            alerts=Alerts(),
            clock=clock,
        )
        yield sync, stock, clock, us, jp, announced


def test_only_fulfillable_units_are_on_hand_and_the_rest_is_information(env):
    # Given FBA holds 30 fulfillable and 10 inbound, 2 reserved, 1 researching, 4 unfulfillable
    sync, stock, _, us, _, announced = env
    us.put("BT-EAR-01", 30, inbound=10, reserved=2, researching=1, unfulfillable=4)
    # When the first sync runs
    report = sync.run()
    # Then the FBA warehouse holds 30, the other counts are noted, and the SKU is announced
    item = stock.sku("BT-EAR-01")
    assert item.on_hand == {"fba:amz-us": 30} and item.on_hand_total == 30
    assert item.fba_details["fba:amz-us"] == {
        "inbound": 10,
        "reserved": 2,
        "researching": 1,
        "unfulfillable": 4,
    }
    assert announced.calls == [({"BT-EAR-01": 1}, "fba-sync")]
    assert sorted(report.shops) == ["amz-jp", "amz-us"] and sorted(report.full_reads) == ["amz-jp", "amz-us"]


def test_next_hour_reads_incrementally_from_the_last_start_minus_the_overlap(env):
    # Given a first (full) sync at 10:00
    sync, _, clock, us, _, _ = env
    us.put("A", 5)
    sync.run()
    # When the next hourly run comes
    clock.tick(3600)
    sync.run()
    # Then it asked for changes since 10:00 minus the overlap
    assert us.reads == [None, START - OVERLAP]
    assert ShopModel.get("amz-us").fba_synced_at == START + timedelta(hours=1)
    assert ShopModel.get("amz-us").fba_full_at == START


def test_version_moves_only_when_fulfillable_changes(env):
    # Given a synced SKU
    sync, stock, clock, us, _, announced = env
    us.put("A", 5, inbound=1)
    sync.run()
    # When only its inbound count changes, then its fulfillable count
    us.put("A", 5, inbound=7)
    clock.tick(3600)
    sync.run()
    after_details = stock.sku("A")
    us.put("A", 4, inbound=7)
    clock.tick(3600)
    sync.run()
    # Then the inbound change is noted without a version, the fulfillable one bumps and announces
    assert int(after_details.version) == 1 and after_details.fba_details["fba:amz-us"]["inbound"] == 7
    assert int(stock.sku("A").version) == 2 and stock.sku("A").on_hand == {"fba:amz-us": 4}
    assert announced.calls == [({"A": 1}, "fba-sync"), ({"A": 2}, "fba-sync")]


def test_a_daily_full_read_zeroes_skus_amazon_no_longer_holds(env):
    # Given two SKUs in FBA, and an own warehouse beside one of them
    sync, stock, clock, us, _, _ = env
    us.put("A", 5)
    us.put("B", 3)
    sync.run()
    stock.change_sku("B", lambda item: item.on_hand.update({"own:sz": 2}) or True, now=START)
    # When B leaves FBA (an incremental read never reports that) and a day passes
    del us.summaries_by_sku["B"]
    us.changed.clear()
    clock.tick(3600)
    sync.run()
    assert stock.sku("B").on_hand["fba:amz-us"] == 3
    clock.tick(23 * 3600)
    report = sync.run()
    # Then the full read sets B's FBA warehouse to 0 and keeps its own warehouse
    assert us.reads[-1] is None and "amz-us" in report.full_reads
    assert stock.sku("B").on_hand == {"fba:amz-us": 0, "own:sz": 2}
    assert stock.sku("A").on_hand == {"fba:amz-us": 5}


def test_seller_skus_map_to_skus_through_the_shops_listings(env):
    # Given an Amazon listing whose seller SKU differs from crossdock's SKU
    sync, stock, _, us, _, _ = env
    ListingModel(
        "BT-EAR-01", "amazon#amz-us", channel="amazon", shop_id="amz-us", ref={"seller_sku": "AMZ-EAR"}
    ).save()
    us.put("AMZ-EAR", 12)
    # When synced
    sync.run()
    # Then the units land on crossdock's SKU
    assert stock.sku("BT-EAR-01").on_hand == {"fba:amz-us": 12}
    assert int(stock.sku("AMZ-EAR").version) == 0


def test_each_shop_keeps_its_own_fba_warehouse(env):
    # Given one SKU in two shops' FBA
    sync, stock, _, us, jp, _ = env
    us.put("A", 5)
    jp.put("A", 7)
    # When synced
    sync.run()
    # Then both count, separately
    assert stock.sku("A").on_hand == {"fba:amz-us": 5, "fba:amz-jp": 7}


def test_refused_read_alerts_and_the_other_shops_still_sync(env):
    # Given the US shop's authorization is revoked
    sync, stock, _, us, jp, _ = env
    us.error = AuthError("amazon", "HTTP 403 Unauthorized")
    jp.put("A", 7)
    # When synced
    report = sync.run()
    # Then the JP shop synced, the US shop is reported and alerted, its sync time unchanged
    assert stock.sku("A").on_hand == {"fba:amz-jp": 7}
    assert list(report.failed) == ["amz-us"]
    assert "FBA inventory cannot be read" in sync.alerts.sent[0].subject
    assert ShopModel.get("amz-us").fba_synced_at is None
