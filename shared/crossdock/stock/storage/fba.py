"""FBA counts on a SKU: the fulfillable units as the `fba:<shop>` warehouse (versioned, it changes what
is sellable) and Amazon's other counts as information beside it (written without a version bump:
no push depends on them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from crossdock.stock.storage.stock import RETRIES, StockRepository, VersionConflict, _conflict
from crossdock.stock.storage.tables import SkuModel


def fba_warehouse(shop_id: str) -> str:
    return f"fba:{shop_id}"


def set_fba(
    stock: StockRepository,
    sku: str,
    warehouse: str,
    *,
    fulfillable: int,
    details: dict[str, int],
    now: datetime,
) -> int | None:
    """Set the warehouse to `fulfillable`; the new SKU version when that changed, else None."""

    def change(item: SkuModel) -> bool:
        on_hand = {k: int(v) for k, v in (item.on_hand or {}).items()}
        if on_hand.get(warehouse) == fulfillable:
            return False
        item.on_hand = {**on_hand, warehouse: fulfillable}
        item.fba_details = {**(item.fba_details or {}), warehouse: details}
        return True

    saved = stock.change_sku(sku, change, now=now)
    if saved is not None:
        return int(saved.version)
    _set_details(stock, sku, warehouse, details)
    return None


def _set_details(stock: StockRepository, sku: str, warehouse: str, details: dict[str, Any]) -> None:
    for _ in range(RETRIES):
        item = stock.sku(sku)
        current = dict(item.fba_details or {})
        if int(item.version) == 0 or current.get(warehouse) == details:
            return
        current[warehouse] = details
        try:
            item.update(
                actions=[SkuModel.fba_details.set(current)], condition=SkuModel.version == int(item.version)
            )
            return
        except UpdateError as exc:
            if not _conflict(exc):
                raise
    raise VersionConflict(f"SKU {sku} kept changing while noting its FBA details")
