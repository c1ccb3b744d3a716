"""What replenishment reads: units sold per SKU in the last 7 days, and each SKU's stock position.

Sales come from the stored orders, shop by shop: a Query on the shop's partition (`<channel>#<shop>`)
with a filter on the creation time and the status, never a table Scan. Cancelled and refunded orders
sold nothing; every other status counts (a pending order is demand that usually gets paid). Orders
count by when they were placed, so a late status change never moves a sale into another week.
A shop that is disabled still counts: what it sold is real demand until it stops selling.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from crossdock.core.times import utc
from crossdock.orders.rules.order import OrderStatus
from crossdock.orders.storage.tables import OrderModel
from crossdock.shops.storage.shops import ShopRepository
from crossdock.suppliers.rules.replenishment import WINDOW_DAYS, StockPosition

if TYPE_CHECKING:
    from crossdock.shops.storage.tables import ShopModel
    from crossdock.stock.storage.tables import SkuModel

WINDOW = timedelta(days=WINDOW_DAYS)
NOT_SOLD = (str(OrderStatus.CANCELLED), str(OrderStatus.REFUNDED))


class SkuSource(Protocol):
    """The one call of `StockRepository` this needs: a SKU's item, zeros when it has none."""

    def sku(self, sku: str) -> SkuModel: ...


def shop_key(shop: ShopModel) -> str:
    return f"{shop.channel}#{shop.shop_id}"


def units_sold_last_7_days(now: datetime, *, shops: Iterable[ShopModel] | None = None) -> dict[str, int]:
    """Units per SKU in orders placed within [now − 7 days, …), all shops summed, SKUs sorted."""
    since = utc(now) - WINDOW
    sold: Counter[str] = Counter()
    for shop in ShopRepository().all() if shops is None else shops:
        recent = OrderModel.query(
            shop_key(shop),
            filter_condition=(OrderModel.created_at >= since) & ~OrderModel.status.is_in(*NOT_SOLD),
            attributes_to_get=["lines"],  # the raw payload stays on the server
        )
        for order in recent:
            _count_lines(sold, order.lines or [])
    return {sku: sold[sku] for sku in sorted(sold) if sold[sku] > 0}


def _count_lines(sold: Counter[str], lines: Iterable[Mapping[str, Any]]) -> None:
    for line in lines:
        sku, quantity = line.get("sku") or "", int(line.get("quantity") or 0)
        if sku and quantity > 0:
            sold[sku] += quantity


def stock_positions(skus: Iterable[str], stock: SkuSource) -> dict[str, StockPosition]:
    """Each SKU's units on hand in every warehouse, reserved, and inbound to FBA (zeros if unknown)."""
    return {sku: position_of(stock.sku(sku)) for sku in dict.fromkeys(skus)}


def position_of(item: SkuModel) -> StockPosition:
    details = item.fba_details or {}
    inbound = sum(int((d or {}).get("inbound") or 0) for d in details.values())
    return StockPosition(
        sku=item.sku,
        on_hand=item.on_hand_total,
        reserved=int(item.reserved or 0),
        inbound=inbound,
    )
