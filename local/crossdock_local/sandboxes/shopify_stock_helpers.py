"""The stock helpers every stock sandbox offers (`add_listing`, `quantity`, `freeze`), and the Shopify
sandbox's own levers on its inventory for tests and the demo.

`add_listing` returns the `Listing.ref` crossdock stores: {"inventory_item_id", "location_id"} (gids).
"""

from __future__ import annotations

from crossdock_local.sandboxes.shopify_inventory import StockItem
from crossdock_local.sandboxes.shopify_store import Store


class ShopifyStockHelpers:
    """Mixed into `ShopifySandbox`, whose `_stores` it reads."""

    _stores: dict[str, Store]

    def add_listing(self, shop_id: str, sku: str, quantity: int = 0) -> dict[str, str]:
        """A tracked inventory item for `sku` stocked at the shop's first location."""
        return self._stores[shop_id].inventory.add_item(sku, quantity)

    def quantity(self, shop_id: str, sku: str) -> int:
        """The `available` quantity the shop shows for `sku` at its first location."""
        item = self._item(shop_id, sku)
        return item.levels[min(item.levels)]

    def freeze(self, shop_id: str, sku: str) -> None:
        """From now on accept updates for `sku` but do not apply them."""
        self._item(shop_id, sku).frozen = True

    def add_location(self, shop_id: str, name: str) -> str:
        """Another location of the shop (nothing stocked there); its gid."""
        return self._stores[shop_id].inventory.add_location(name)

    def set_available(self, shop_id: str, sku: str, quantity: int) -> None:
        """Someone else changed the quantity (a sale, the merchant in the admin): CAS must notice."""
        inventory = self._stores[shop_id].inventory
        with inventory.lock:
            item = self._item(shop_id, sku)
            item.levels[min(item.levels)] = quantity

    def history(self, shop_id: str, sku: str) -> list[int]:
        """The quantities `inventorySetQuantities` really applied to `sku`, in order."""
        return list(self._item(shop_id, sku).history)

    def hold_keys(self, shop_id: str, times: int = 1) -> None:
        """The next `times` keyed calls answer IDEMPOTENCY_CONCURRENT_REQUEST (a twin still running)."""
        self._stores[shop_id].inventory.hold = times

    def lose_answers(self, shop_id: str, times: int = 1) -> None:
        """The next `times` mutations are applied, then their connection is reset before the answer."""
        self._stores[shop_id].inventory.lose = times

    def _item(self, shop_id: str, sku: str) -> StockItem:
        item = self._stores[shop_id].inventory.sku_item(sku)
        if item is None:
            raise KeyError(f"{shop_id} has no listing for {sku!r}")
        return item
