"""Daily check: forced full push, read-back drift re-pushed and alerted, sold versus shipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.storage.tables import ListingModel, ReservationModel
from crossdock.stock.usecases.daily import StockDaily
from crossdock.stock.usecases.push import StockPusher

from tests.support.aws import moto_resources
from tests.support.fake_channel import ManualClock
from tests.support.stock_fakes import Alerts, FakeWriter, Writers

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
KEY_A = "shopify#uk#A"


@pytest.fixture
def env():
    with moto_resources() as settings:
        stock = StockRepository(settings)
        for sku in ("A", "B"):
            stock.change_sku(sku, lambda item: item.on_hand.update({"own:sz": 100}) or True, now=NOW)
            ListingModel(sku, "shopify#uk", channel="shopify", shop_id="uk", ref={}).save()
        writer, alerts, clock = FakeWriter(), Alerts(), ManualClock(NOW)
        pusher = StockPusher(stock, Writers(writer), alerts, clock)
        yield StockDaily(stock, pusher, Writers(writer), alerts, settings, clock), writer, alerts, clock


def test_everything_is_pushed_even_when_nothing_seems_to_differ(env):
    # Given both listings already show what is sellable
    daily, writer, alerts, _ = env
    daily.run()
    writer.pushes.clear()
    # When the daily check runs again
    report = daily.run()
    # Then both SKUs were sent anyway, read back equal, and nothing was alerted
    assert sorted(u.listing.sku for u in writer.pushes[0]) == ["A", "B"]
    assert report.read_back == 2 and report.drifted == [] and alerts.sent == []


def test_small_drift_is_repushed_and_alerted_on_the_second_day_running(env):
    # Given the channel keeps showing 93 for A although it accepted 95
    daily, writer, alerts, clock = env
    writer.override[KEY_A] = 93
    # When the daily check runs on two days
    first = daily.run()
    clock.tick(86400)
    second = daily.run()
    # Then A was re-pushed both days, counted, and alerted only on the second
    assert first.drifted == [KEY_A] and first.repushed is not None and first.repushed.pushed >= 1
    assert second.drifted == [KEY_A]
    assert [a.dedupe_key for a in alerts.sent] == ["stock-drift:2026-11-22"]
    assert "read back 93, last accepted 95 (2 day(s) running)" in alerts.sent[0].details[0]
    # When the channel shows the right quantity again, the count resets
    del writer.override[KEY_A]
    clock.tick(86400)
    daily.run()
    assert int(ListingModel.get("A", "shopify#uk").drift_count) == 0


def test_large_drift_is_alerted_at_once(env):
    # Given the channel shows 10 units more than it accepted
    daily, writer, alerts, _ = env
    writer.override[KEY_A] = 105
    # When the daily check runs
    report = daily.run()
    # Then one digest names it
    assert len(alerts.sent) == 1 and "read back 105, last accepted 95 (1 day(s) running)" in report.alerted[0]
    assert int(ListingModel.get("A", "shopify#uk").drift_count) == 1


def line(sku: str, key: str, quantity: int, state: str, at: datetime) -> None:
    ReservationModel(
        sku,
        key,
        quantity=quantity,
        state=state,
        channel="taobao",
        shop_id="t1",
        order_id=key,
        updated_at=at,
    ).save()


def test_skus_sold_but_not_shipped_beyond_the_tolerance_are_alerted(env):
    # Given A sold 10 and shipped 10; B sold 15 and shipped 5; a released and an old line of C
    daily, _, alerts, _ = env
    recent, old = NOW - timedelta(days=2), NOW - timedelta(days=9)
    line("A", "o1", 10, "consumed", recent)
    line("B", "o2", 10, "reserved", recent)
    line("B", "o3", 5, "consumed", recent)
    line("C", "o4", 4, "released", recent)
    line("C", "o5", 4, "reserved", old)
    # When the daily check runs
    report = daily.run()
    # Then only B is in the digest
    assert report.sold_shipped == ["B: sold 15, shipped 5 (67% not shipped)"]
    assert alerts.sent[-1].dedupe_key == "sold-vs-shipped:2026-11-21"


def test_lines_sold_within_the_handling_time_are_not_yet_unshipped(env):
    # Given B sold yesterday (not due to ship yet) and shipped nothing
    daily, _, _, _ = env
    line("B", "o6", 10, "reserved", NOW - timedelta(hours=20))
    line("B", "o7", 2, "consumed", NOW - timedelta(hours=20))
    # When the daily check runs
    report = daily.run()
    # Then B is not reported
    assert report.sold_shipped == []
