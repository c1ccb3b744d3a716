"""The eBay sandbox's stock side: Sell Inventory routes, read handlers and the stock helpers.

- `POST /sell/inventory/v1/bulk_update_price_quantity` (scope sell.inventory): `inventory.py`.
- `POST /sell/inventory/v1/bulk_get_inventory_item` (sell.inventory or .readonly): 1..25 skus (25727
  beyond), unique (25734), each answered with its `inventoryItem` or a 404 entry with 25702; 200 when
  all were found, else 207.
- `GET /sell/inventory/v1/offer/{offerId}` (sell.inventory or .readonly): `EbayOfferDetailsWithAll`,
  or 404 with 25713.
Helpers: `add_listing` (→ Listing.ref {"sku", "offer_id"}), `quantity` (what the listing shows:
min(item, offer)), `freeze`, `revisions_per_day` (eBay's 250; lower it to test the cap), and scripted
per-item refusals in a 207: `refuse_updates` (permanent by default: a 400 entry with 25713 "This Offer
is not available", every update from now on), `fail_next_update` (transient: the next update gets a
500 entry with 25001, the one after succeeds) and `accept_updates` (stop refusing).
"""

from __future__ import annotations

from typing import Any

from crossdock_local.sandboxes.base import Reply, Request, Route, route
from crossdock_local.sandboxes.ebay.filter import EbayRequestError
from crossdock_local.sandboxes.ebay.identity import (
    INVENTORY_READ_SCOPES,
    INVENTORY_WRITE_SCOPES,
    EbayIdentity,
)
from crossdock_local.sandboxes.ebay.inventory import (
    DOMAIN,
    INVENTORY_PATH,
    MAX_REQUESTS,
    EntryError,
    bulk_requests,
    bulk_update,
)
from crossdock_local.sandboxes.ebay.inventory_store import InventoryStore, Scripted

STOCK_OPERATIONS = ("bulkUpdatePriceQuantity", "bulkGetInventoryItem", "getOffer")
# Texts of the errorIds a test may script (sell_inventory_v1_oas3.json); 5xx for the APPLICATION ones.
REFUSAL_TEXTS = {
    25001: "A system error has occurred.",
    25002: "Any User error.",
    25019: "Cannot revise listing.",
    25025: "Concurrent access of Inventory or InventoryItemGroup. Please try again later",
    25702: "{sku} could not be found or is not available in the system.",
    25709: "Invalid value for availableQuantity.",
    25713: "This Offer is not available : {offer_id}.",
    25759: "shipToLocationAvailability quantity value should be greater than or equal to auction allocation.",
}
SERVER_ERRORS = frozenset({25001, 25025})


class EbayStockSide:
    """Mixed into EbaySandbox, which provides `identity`, `sellers` (shop → marketplace, book)."""

    identity: EbayIdentity
    sellers: dict[str, Any]
    store: InventoryStore

    def stock_routes(self) -> list[Route]:
        return [
            route("POST", INVENTORY_PATH + r"/bulk_update_price_quantity", STOCK_OPERATIONS[0], self._update),
            route("POST", INVENTORY_PATH + r"/bulk_get_inventory_item", STOCK_OPERATIONS[1], self._items),
            route("GET", INVENTORY_PATH + r"/offer/(?P<offer_id>[^/]+)", STOCK_OPERATIONS[2], self._offer),
        ]

    # -- helpers ---------------------------------------------------------------------------------
    def add_listing(self, shop_id: str, sku: str, quantity: int = 0) -> dict[str, str]:
        """An inventory item with one published offer on the seller's marketplace; returns Listing.ref."""
        seller = self.sellers[shop_id]
        listing = self.store.add(
            shop_id, sku, quantity, marketplace=seller.marketplace, currency=seller.book.currency
        )
        return {"sku": sku, "offer_id": listing.offer_id}

    def quantity(self, shop_id: str, sku: str) -> int:
        """What the listing shows buyers: min(item level, offer level)."""
        return self.store.listing(shop_id, sku).shown

    def freeze(self, shop_id: str, sku: str) -> None:
        """From now on updates of this listing are answered 200 but not applied."""
        self.store.listing(shop_id, sku).frozen = True

    def refuse_updates(
        self, shop_id: str, sku: str, error_id: int = 25713, *, times: int | None = None
    ) -> None:
        """Answer this listing's updates with an error entry carrying `error_id`: every one from now on,
        or the next `times`. 400 for a REQUEST error (by default 25713, the offer is gone), 500 for the
        APPLICATION ones (25001, 25025)."""
        listing = self.store.listing(shop_id, sku)
        text = REFUSAL_TEXTS.get(error_id, "Any User error.").format(
            sku=listing.sku, offer_id=listing.offer_id
        )
        status = 500 if error_id in SERVER_ERRORS else 400
        self.store.script(shop_id, sku, Scripted(error_id, text, status, times))

    def fail_next_update(self, shop_id: str, sku: str, times: int = 1, error_id: int = 25001) -> None:
        """The next `times` updates of this listing get a 500 entry (25001 system error); later ones succeed."""
        self.refuse_updates(shop_id, sku, error_id, times=times)

    def accept_updates(self, shop_id: str, sku: str) -> None:
        """Stop refusing this listing's updates."""
        self.store.script(shop_id, sku, None)

    @property
    def revisions_per_day(self) -> int:
        return self.store.revisions_per_day

    @revisions_per_day.setter
    def revisions_per_day(self, limit: int) -> None:
        self.store.revisions_per_day = limit

    # -- handlers --------------------------------------------------------------------------------
    def _update(self, request: Request, match: Any) -> Reply:
        try:
            return bulk_update(self.store, self.identity.authorize(request, INVENTORY_WRITE_SCOPES), request)
        except EbayRequestError as error:
            return error.reply()

    def _items(self, request: Request, match: Any) -> Reply:
        try:
            shop_id = self.identity.authorize(request, INVENTORY_READ_SCOPES)
            limit = (25727, f"The number of InventoryItems in the request cannot exceed {MAX_REQUESTS}.")
            skus = [e.get("sku") if isinstance(e, dict) else None for e in bulk_requests(request, limit)]
            if not all(isinstance(sku, str) and sku for sku in skus):
                raise EbayRequestError(25708, "Invalid SKU.", domain=DOMAIN)
            if len(set(skus)) < len(skus):
                raise EbayRequestError(25734, "SKU should be unique in the request.", domain=DOMAIN)
        except EbayRequestError as error:
            return error.reply()
        responses = []
        for sku in map(str, skus):
            listing = self.store.get(shop_id, sku)
            if listing is None:
                missing = EntryError(25702, f"SKU {sku} is not available in the system", status=404)
                responses.append({"sku": sku, "statusCode": 404, "errors": [missing.as_error()]})
            else:
                responses.append({"sku": sku, "statusCode": 200, "inventoryItem": listing.render_item()})
        status = 200 if all(r["statusCode"] == 200 for r in responses) else 207
        return Reply(status, {"responses": responses})

    def _offer(self, request: Request, match: Any) -> Reply:
        try:
            shop_id = self.identity.authorize(request, INVENTORY_READ_SCOPES)
        except EbayRequestError as error:
            return error.reply()
        listing = self.store.offer(shop_id, match["offer_id"])
        if listing is None:
            message = f"This Offer is not available : {match['offer_id']}."
            return EbayRequestError(25713, message, status=404, domain=DOMAIN).reply()
        return Reply(200, listing.render_offer())
