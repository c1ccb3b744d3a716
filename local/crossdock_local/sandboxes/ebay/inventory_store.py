"""The eBay sandbox's inventory: per seller, inventory items (sku, ship-to-home quantity) each with one
published fixed-price offer (offerId, availableQuantity), rendered as the Sell Inventory model's
`InventoryItemWithSkuLocaleGroupKeys` and `EbayOfferDetailsWithAll` (v1.13.0).

A listing shows min(item quantity, offer quantity), as eBay documents. Revisions are counted per listing
and calendar day (UTC here; eBay counts 250 a day). A frozen listing accepts updates without applying
them (the "accepted but not applied" fault a read-back must catch). A scripted refusal answers the
next updates of a listing with an error entry of the test's choosing (`Scripted`), so both kinds of
per-item refusal — permanent and transient — can be met on demand.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

REVISIONS_PER_DAY = 250


@dataclass
class InventoryListing:
    shop_id: str
    sku: str
    offer_id: str
    listing_id: str
    marketplace: str
    currency: str
    item_quantity: int
    offer_quantity: int
    price: str = "19.99"
    frozen: bool = False
    revisions: dict[date, int] = field(default_factory=dict)

    @property
    def shown(self) -> int:
        return min(self.item_quantity, self.offer_quantity)

    def revisions_today(self) -> int:
        return self.revisions.get(datetime.now(UTC).date(), 0)

    def revised(self) -> None:
        today = datetime.now(UTC).date()
        self.revisions[today] = self.revisions.get(today, 0) + 1

    def render_item(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "locale": "en_US",
            "condition": "NEW",
            "availability": {"shipToLocationAvailability": {"quantity": self.item_quantity}},
            "product": {"title": f"Crossdock sandbox item {self.sku}"},
        }

    def render_offer(self) -> dict[str, Any]:
        return {
            "offerId": self.offer_id,
            "sku": self.sku,
            "marketplaceId": self.marketplace,
            "format": "FIXED_PRICE",
            "availableQuantity": self.offer_quantity,
            "categoryId": "11450",
            "merchantLocationKey": "crossdock-warehouse",
            "pricingSummary": {"price": {"value": self.price, "currency": self.currency}},
            "listing": {"listingId": self.listing_id, "listingStatus": "ACTIVE", "soldQuantity": 0},
            "status": "PUBLISHED",
        }


@dataclass
class Scripted:
    """The error entry the next updates of one listing get: `times` more, or every one (None)."""

    error_id: int
    message: str
    status: int = 400
    times: int | None = None


def _digits(seed: str, count: int) -> str:
    return str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[-count:].rjust(count, "0")


class InventoryStore:
    """Every seller's listings, by (shop, sku) and by offer id."""

    def __init__(self) -> None:
        self.listings: dict[tuple[str, str], InventoryListing] = {}
        self.offers: dict[str, InventoryListing] = {}
        self.revisions_per_day = REVISIONS_PER_DAY
        self.scripted: dict[tuple[str, str], Scripted] = {}  # (shop, sku) → refusal its updates meet
        self.lock = threading.RLock()

    def add(
        self, shop_id: str, sku: str, quantity: int, *, marketplace: str, currency: str
    ) -> InventoryListing:
        with self.lock:
            if (shop_id, sku) in self.listings:
                raise ValueError(f"{shop_id} already lists {sku}")
            offer_id = _digits(f"offer:{shop_id}:{sku}", 10)
            while offer_id in self.offers or offer_id[0] == "0":
                offer_id = _digits("again:" + offer_id, 10)
            listing = InventoryListing(
                shop_id=shop_id,
                sku=sku,
                offer_id=offer_id,
                listing_id=_digits(f"listing:{offer_id}", 12),
                marketplace=marketplace,
                currency=currency,
                item_quantity=quantity,
                offer_quantity=quantity,
            )
            self.listings[(shop_id, sku)] = listing
            self.offers[offer_id] = listing
            return listing

    def get(self, shop_id: str, sku: str) -> InventoryListing | None:
        with self.lock:
            return self.listings.get((shop_id, sku))

    def offer(self, shop_id: str, offer_id: str) -> InventoryListing | None:
        with self.lock:
            listing = self.offers.get(offer_id)
        return listing if listing is not None and listing.shop_id == shop_id else None

    def listing(self, shop_id: str, sku: str) -> InventoryListing:
        found = self.get(shop_id, sku)
        if found is None:
            raise KeyError(f"{shop_id} has no listing {sku}")
        return found

    def script(self, shop_id: str, sku: str, refusal: Scripted | None) -> None:
        """Answer the listing's next updates with `refusal` (None: stop refusing)."""
        with self.lock:
            key = (shop_id, self.listing(shop_id, sku).sku)
            if refusal is None:
                self.scripted.pop(key, None)
            else:
                self.scripted[key] = refusal

    def take_scripted(self, shop_id: str, sku: str) -> Scripted | None:
        """The refusal this update of the listing meets, if any, counting it against `times`."""
        with self.lock:
            refusal = self.scripted.get((shop_id, sku))
            if refusal is not None and refusal.times is not None:
                refusal.times -= 1
                if refusal.times <= 0:
                    del self.scripted[(shop_id, sku)]
            return refusal
