"""Crossdock's stock beside the channels' truth: what crossdock may offer per listing (its sellable
quantity under the channel's policy) and what the channel's sandbox shows for it."""

from __future__ import annotations

from collections.abc import Iterable

from crossdock.stock.rules.sellable import sellable
from crossdock.stock.storage.fba import fba_warehouse
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.usecases.push import policy_for, sellable_for

from crossdock_local.demos.orders.shops import DemoShops
from crossdock_local.demos.stock.report import FbaNote, SkuRow


class StockView:
    def __init__(self, shops: DemoShops, stock: StockRepository) -> None:
        self.shops = shops
        self.stock = stock

    def shown(self, shop_id: str, sku: str) -> int:
        return self.shops.sandbox_of(shop_id).quantity(shop_id, sku)

    def version(self, sku: str) -> int:
        return int(self.stock.sku(sku).version)

    def sellable(self, sku: str) -> dict[str, int]:
        """Listed shop → the quantity crossdock may offer there now."""
        item = self.stock.sku(sku)
        order = list(self.shops.plans)
        listings = sorted(
            self.stock.listings(sku),
            key=lambda li: order.index(li.shop_id) if li.shop_id in order else len(order),
        )
        return {listing.shop_id: sellable_for(item, listing.channel) for listing in listings}

    def agree(self, skus: Iterable[str], shop_ids: Iterable[str] | None = None) -> bool:
        """Whether these shops (default: every listed one) show what is sellable for these SKUs."""
        wanted = None if shop_ids is None else set(shop_ids)
        for sku in skus:
            for shop_id, units in self.sellable(sku).items():
                if (wanted is None or shop_id in wanted) and self.shown(shop_id, sku) != units:
                    return False
        return True

    def row(self, sku: str) -> SkuRow:
        item = self.stock.sku(sku)
        offered = self.sellable(sku)
        return SkuRow(
            sku=sku,
            on_hand={w: int(n) for w, n in (item.on_hand or {}).items()},
            reserved=int(item.reserved),
            sellable=offered,
            shown={shop_id: self.shown(shop_id, sku) for shop_id in offered},
        )

    def fba(self, shop_id: str, sku: str) -> FbaNote:
        """What the FBA sync recorded: fulfillable counted, Amazon's other counts beside it."""
        item = self.stock.sku(sku)
        warehouse = fba_warehouse(shop_id)
        details = (item.fba_details or {}).get(warehouse) or {}
        inbound, reserved = int(details.get("inbound", 0)), int(details.get("reserved", 0))
        on_hand = item.on_hand_total + inbound + reserved
        return FbaNote(
            shop_id=shop_id,
            sku=sku,
            counted=int((item.on_hand or {}).get(warehouse, 0)),
            inbound=inbound,
            reserved=reserved,
            sellable_with_inbound=sellable(on_hand, int(item.reserved), policy_for(item, "amazon")),
        )
