"""FBA sync: fulfillable only, incremental with overlap, a full read a day, versions only on change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from crossdock.core.errors import AuthError
from crossdock.shops.storage.tables import ShopModel
from crossdock.stock.rules.counts import RefusedSummary
from crossdock.stock.rules.sellable import FbaSummary
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.storage.tables import ListingModel
from crossdock.stock.usecases.fba_sync import OVERLAP, FbaSync, believed

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
            max_units=1000,
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


def refused_alerts(sync: FbaSync) -> list:
    return [a for a in sync.alerts.sent if a.dedupe_key.startswith("fba-counts-refused:")]


def test_impossible_counts_are_refused_alerted_once_and_the_other_skus_still_sync(env):
    # Given A, B and C synced, then Amazon reports A at -3, B at 10**40 (the ceiling is 1000), C at 2
    sync, stock, clock, us, _, announced = env
    for sku, units in (("A", 5), ("B", 3), ("C", 1)):
        us.put(sku, units)
    sync.run()
    us.put("A", -3)
    us.put("B", 10**40)
    us.put("C", 2)
    # When the next hourly sync runs
    clock.tick(3600)
    report = sync.run()
    # Then A and B keep their counts and versions and are not announced; C syncs as usual
    assert stock.sku("A").on_hand == {"fba:amz-us": 5} and int(stock.sku("A").version) == 1
    assert stock.sku("B").on_hand == {"fba:amz-us": 3} and int(stock.sku("B").version) == 1
    assert stock.sku("C").on_hand == {"fba:amz-us": 2}
    assert announced.calls[-1] == ({"C": 2}, "fba-sync") and report.changed == {"C": 2}
    # And both refusals are reported, naming shop, SKU and value, in one alert for the shop
    assert sorted(report.refused) == [
        "FBA fulfillable for SKU A in shop amz-us: -3 is negative",
        "FBA fulfillable for SKU B in shop amz-us: 100000000000… (41 digits) is above the ceiling of 1,000 "
        "units (CROSSDOCK_STOCK_MAX_UNITS)",
    ]
    (alert,) = refused_alerts(sync)
    assert alert.shop_id == "amz-us" and sorted(alert.details) == sorted(report.refused)
    assert "Kept those SKUs' FBA counts" in alert.what_we_did


def test_a_refused_sku_is_not_zeroed_by_the_daily_full_read(env):
    # Given A and B synced, then a day later Amazon reports A's reserved units negative and B unreadable
    sync, stock, clock, us, _, _ = env
    us.put("A", 5)
    us.put("B", 3)
    sync.run()
    us.put("A", 4, reserved=-1)
    us.refuse("B", "FBA fulfillableQuantity for SKU B in shop amz-us is missing")
    # When the full read runs
    clock.tick(24 * 3600)
    report = sync.run()
    # Then neither is stored nor zeroed as "no longer in FBA"; both are in the one alert
    assert "amz-us" in report.full_reads and report.changed == {}
    assert stock.sku("A").on_hand == {"fba:amz-us": 5} and stock.sku("B").on_hand == {"fba:amz-us": 3}
    assert report.refused == [
        "FBA reserved for SKU A in shop amz-us: -1 is negative",
        "FBA fulfillableQuantity for SKU B in shop amz-us is missing",
    ]
    assert len(refused_alerts(sync)) == 1


def test_the_same_refusal_keys_its_alert_alike_and_a_new_value_alerts_again(env):
    # Given A reported at -3 by two reads, then at -4
    sync, _, clock, us, _, _ = env
    keys = []
    for units in (-3, -3, -4):
        us.put("A", units)
        sync.run()
        clock.tick(3600)
        keys.append(refused_alerts(sync)[-1].dedupe_key)
    # Then the repeat shares its key (the sender suppresses it) and the new value has its own
    assert keys[0] == keys[1] != keys[2] and keys[0].startswith("fba-counts-refused:amz-us:")


def test_one_bad_seller_sku_makes_its_skus_sum_unknown_and_so_does_an_absurd_sum():
    # Given two seller SKUs of one SKU, one refused by the reader; and two whose sum exceeds the ceiling
    names = {"X-1": "X", "X-2": "X", "Y-1": "Y", "Y-2": "Y"}
    summaries = [
        FbaSummary("X-1", 5),
        RefusedSummary("X-2", ("FBA fulfillableQuantity for SKU X-2 in shop s is missing",)),
        FbaSummary("Y-1", 600),
        FbaSummary("Y-2", 600),
        FbaSummary("Z", 7),
    ]
    # When believed with a ceiling of 1000
    read = believed(summaries, names, shop_id="s", ceiling=1000)
    # Then only Z is counted; X and Y are refused, each naming why
    assert read.summaries == 5 and read.by_sku == {"Z": FbaSummary("Z", 7)}
    assert read.refused == {
        "X": ["FBA fulfillableQuantity for SKU X-2 in shop s is missing"],
        "Y": [
            "FBA fulfillable for SKU Y (seller SKUs summed) in shop s: 1200 is above the ceiling of 1,000 units "
            "(CROSSDOCK_STOCK_MAX_UNITS)"
        ],
    }
