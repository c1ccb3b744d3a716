"""Pre-order check: central sellable with the SKU's buffer, FBA read live first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from crossdock.core.errors import RetriesExhaustedError, RetryableError
from crossdock.shops.storage.shops import ShopRepository
from crossdock.shops.storage.tables import ShopModel
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.storage.tables import ListingModel
from crossdock.stock.usecases.check import StockCheck
from crossdock.stock.usecases.fba_sync import FbaSync

from tests.support.aws import moto_resources
from tests.support.stock_fakes import Alerts, Announced, FakeInventory, Inventories

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def env():
    with moto_resources() as settings:
        stock = StockRepository(settings)
        ShopModel("amz-us", channel="amazon", secret_name="s", created_at=NOW).save()
        stock.change_sku("A", lambda item: item.on_hand.update({"own:sz": 10}) or True, now=NOW)
        ListingModel("A", "amazon#amz-us", channel="amazon", shop_id="amz-us", ref={}).save()
        inventory, announced = FakeInventory(), Announced()
        sync = FbaSync(
            stock,
            ShopRepository().all,
            Inventories(**{"amz-us": inventory}),
            lambda name: name == "amazon",
            announced,
            Alerts(),
            lambda: NOW,
        )
        yield StockCheck(stock, ShopRepository().get, sync), stock, inventory, announced


def test_enough_when_central_sellable_covers_the_quantity(env):
    # Given 10 units, 2 reserved, the default 5 % buffer: floor(10 × 0.95) − 2 = 7 sellable
    check, stock, _, _ = env
    stock.change_sku("A", lambda item: setattr(item, "reserved", 2) or True, now=NOW)
    # When 7 and 8 units are checked without a live FBA read
    ok = check.check("A", 7, live_fba=False)
    short = check.check("A", 8, live_fba=False)
    # Then 7 can be promised, 8 cannot, and the answer says why
    assert (ok.ok, short.ok, short.sellable) == (True, False, 7)
    assert "NOT ENOUGH: asked 8, sellable 7 (short by 1)" in short.explain()
    assert "reserved by orders 2" in short.explain() and "buffer 5 %" in short.explain()


def test_the_fba_warehouse_is_read_live_before_answering(env):
    # Given Amazon's warehouse holds 20 fulfillable units (and 50 inbound, never counted)
    check, stock, inventory, announced = env
    inventory.put("A", 20, inbound=50)
    # When 25 units are checked
    result = check.check("A", 25)
    # Then FBA was read first: floor(30 × 0.95) = 28 sellable, and the change was announced
    assert result.ok and result.sellable == 28 and result.on_hand == {"own:sz": 10, "fba:amz-us": 20}
    assert stock.sku("A").on_hand["fba:amz-us"] == 20 and announced.skus == {"A"}
    assert "FBA of shop amz-us read live" in result.notes


def test_a_failed_live_read_answers_from_the_last_sync_and_says_so(env):
    # Given Amazon fails
    check, _, inventory, _ = env
    inventory.error = RetriesExhaustedError("amazon", RetryableError("amazon", "HTTP 503"), 5)
    # When checked
    result = check.check("A", 5)
    # Then the stored figures answer, with a note
    assert result.ok and "live FBA read of shop amz-us failed" in result.explain()


def test_unknown_sku_is_never_enough(env):
    check, _, _, _ = env
    result = check.check("GHOST", 1)
    assert not result.ok and "keeps no stock for this SKU" in result.explain()
