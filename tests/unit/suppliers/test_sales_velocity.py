"""Reading replenishment's inputs: 7-day units sold per SKU from stored orders, and stock positions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from crossdock.orders.rules.order import Order, OrderLine, OrderStatus
from crossdock.orders.storage.orders import OrderRepository
from crossdock.orders.storage.tables import OrderModel
from crossdock.shops.storage.tables import ShopModel
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.storage.tables import SkuModel
from crossdock.suppliers.rules.replenishment import StockPosition
from crossdock.suppliers.storage.velocity import stock_positions, units_sold_last_7_days

from tests.support.aws import moto_resources

NOW = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def shop(shop_id: str, channel: str) -> ShopModel:
    model = ShopModel(shop_id, channel=channel, secret_name="s", created_at=NOW - 90 * DAY)
    model.save()
    return model


def order(
    channel: str,
    shop_id: str,
    order_id: str,
    created_at: datetime,
    *lines: tuple[str, int],
    status: OrderStatus = OrderStatus.PAID,
) -> Order:
    return Order(
        channel=channel,
        shop_id=shop_id,
        order_id=order_id,
        status=status,
        raw_status=str(status).upper(),
        created_at=created_at,
        modified_at=created_at + timedelta(minutes=5),
        total=None,
        lines=tuple(OrderLine(f"{order_id}-{i}", sku, qty) for i, (sku, qty) in enumerate(lines)),
    )


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch):
    with moto_resources() as settings:

        def no_scan(*_: object, **__: object) -> None:
            raise AssertionError("the orders table must be queried by shop, never scanned")

        monkeypatch.setattr(OrderModel, "scan", no_scan)
        yield settings


def test_units_sold_per_sku_over_every_shop_in_the_last_7_days(aws) -> None:
    # Given an eBay shop and a Shopify shop with orders in and out of the window
    shop("ebay-1", "ebay")
    shop("shopify-1", "shopify")
    china = timezone(timedelta(hours=8))
    OrderRepository().store_page(
        [
            order("ebay", "ebay-1", "E1", NOW - 1 * DAY, ("BT-EAR-01", 2), ("CABLE-USB", 1)),
            order("ebay", "ebay-1", "E2", NOW - 7 * DAY, ("BT-EAR-01", 3)),  # exactly 7 days: counted
            order("ebay", "ebay-1", "E3", NOW - 7 * DAY - timedelta(seconds=1), ("BT-EAR-01", 50)),
            order("ebay", "ebay-1", "E4", NOW - 2 * DAY, ("BT-EAR-01", 9), status=OrderStatus.CANCELLED),
            order("ebay", "ebay-1", "E5", NOW - 2 * DAY, ("CABLE-USB", 9), status=OrderStatus.REFUNDED),
            order("ebay", "ebay-1", "E6", NOW - 3 * DAY, ("BT-EAR-01", 1), status=OrderStatus.PENDING),
            order("ebay", "ebay-1", "E7", NOW - 3 * DAY, ("CABLE-USB", 4), status=OrderStatus.COMPLETED),
        ],
        now=NOW,
    )
    OrderRepository().store_page(
        [
            order("shopify", "shopify-1", "S1", (NOW - DAY).astimezone(china), ("BT-EAR-01", 4)),
            order("shopify", "shopify-1", "S2", NOW - 6 * DAY, ("BT-EAR-01", 1), ("BT-EAR-01", 1)),
            order("shopify", "shopify-1", "S3", NOW - 30 * DAY, ("LAMP-02", 7)),
            order("shopify", "shopify-1", "S4", NOW - DAY, ("MUG-03", 2), status=OrderStatus.SHIPPED),
        ],
        now=NOW,
    )
    # When the 7-day sales are read
    sold = units_sold_last_7_days(NOW)
    # Then each SKU's units are summed across shops; old, cancelled and refunded orders are left out
    assert sold == {"BT-EAR-01": 2 + 3 + 1 + 4 + 1 + 1, "CABLE-USB": 1 + 4, "MUG-03": 2}
    assert list(sold) == sorted(sold)


def test_only_the_given_shops_are_read(aws) -> None:
    # Given two shops on the same channel, each with one recent order
    first, _ = shop("ebay-1", "ebay"), shop("ebay-2", "ebay")
    OrderRepository().store_page(
        [
            order("ebay", "ebay-1", "A", NOW - DAY, ("BT-EAR-01", 2)),
            order("ebay", "ebay-2", "A", NOW - DAY, ("BT-EAR-01", 5)),
        ],
        now=NOW,
    )
    # When only the first shop is asked about
    sold = units_sold_last_7_days(NOW, shops=[first])
    # Then only its orders count (an order id repeated in another shop is another order)
    assert sold == {"BT-EAR-01": 2}


def test_a_shop_without_orders_sells_nothing(aws) -> None:
    # Given a shop with no stored orders
    shop("amz-us", "amazon")
    # When the 7-day sales are read
    # Then there is nothing to count
    assert units_sold_last_7_days(NOW) == {}


def test_stock_positions_sum_warehouses_and_fba_inbound(aws) -> None:
    # Given a SKU in two warehouses plus FBA, with reserved units and inbound to two FBA shops
    SkuModel(
        "BT-EAR-01",
        version=3,
        on_hand={"shenzhen": 12, "fba:amz-us": 5},
        reserved=4,
        fba_details={
            "fba:amz-us": {"inbound": 10, "reserved": 2, "researching": 0, "unfulfillable": 1},
            "fba:amz-jp": {"inbound": 6, "reserved": 0, "researching": 0, "unfulfillable": 0},
        },
    ).save()
    SkuModel("CABLE-USB", version=1, on_hand={"shenzhen": 1}, reserved=3).save()
    # When the positions of those SKUs, one repeated, and an unknown SKU are read
    positions = stock_positions(["BT-EAR-01", "CABLE-USB", "BT-EAR-01", "NEVER-SEEN"], StockRepository(aws))
    # Then warehouses are summed, FBA's own reserved is not ours, inbound is summed, unknown is zeros
    assert positions == {
        "BT-EAR-01": StockPosition("BT-EAR-01", on_hand=17, reserved=4, inbound=16),
        "CABLE-USB": StockPosition("CABLE-USB", on_hand=1, reserved=3, inbound=0),
        "NEVER-SEEN": StockPosition("NEVER-SEEN", on_hand=0, reserved=0, inbound=0),
    }
    assert positions["BT-EAR-01"].available == 13 and positions["CABLE-USB"].available == 0
