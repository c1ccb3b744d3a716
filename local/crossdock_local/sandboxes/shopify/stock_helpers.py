"""The stock helpers every stock sandbox offers (`add_listing`, `quantity`, `freeze`), and the Shopify
sandbox's own levers on its inventory for tests and the demo.

`add_listing` returns the `Listing.ref` crossdock stores: {"inventory_item_id", "location_id"} (gids).
Per-item refusals on demand: `refuse_updates` (permanent by default: ITEM_NOT_STOCKED_AT_LOCATION on
every update from now on, or any other item error code), `fail_next_update` (transient:
IDEMPOTENCY_CONCURRENT_REQUEST naming the item once, then the update goes through) and
`accept_updates`.
"""

from __future__ import annotations

from crossdock_local.sandboxes.shopify.inventory import Scripted, StockItem
from crossdock_local.sandboxes.shopify.store import Store


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

    def refuse_updates(
        self, shop_id: str, sku: str, code: str = "ITEM_NOT_STOCKED_AT_LOCATION", *, times: int | None = None
    ) -> None:
        """Answer updates of `sku` with the userError `code` naming its item: every one from now on,
        or the next `times`. Nothing of a call carrying it is applied, as for any userError."""
        self._stores[shop_id].inventory.script(self._item(shop_id, sku), Scripted(code, times))

    def fail_next_update(self, shop_id: str, sku: str, times: int = 1) -> None:
        """The next `times` updates of `sku` meet IDEMPOTENCY_CONCURRENT_REQUEST naming its item (from
        2026-01, where the code exists); later ones go through."""
        self.refuse_updates(shop_id, sku, "IDEMPOTENCY_CONCURRENT_REQUEST", times=times)

    def accept_updates(self, shop_id: str, sku: str) -> None:
        """Stop refusing updates of `sku`."""
        self._stores[shop_id].inventory.script(self._item(shop_id, sku), None)

    def _item(self, shop_id: str, sku: str) -> StockItem:
        item = self._stores[shop_id].inventory.sku_item(sku)
        if item is None:
            raise KeyError(f"{shop_id} has no listing for {sku!r}")
        return item
