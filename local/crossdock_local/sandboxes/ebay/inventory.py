"""The eBay sandbox's bulkUpdatePriceQuantity, checked as eBay does, and the bulk request grammar.

`POST /sell/inventory/v1/bulk_update_price_quantity` (`Content-Type: application/json`): 1..25
`requests` (more → 400 errorId 25709 for the whole call). Each request is checked alone and answered in
`responses[]`: one entry per offer it names (`sku`, `offerId`), or one `sku` entry when it sets the item
level only. Per entry: a quantity that is not a non-negative integer → 400 / 25709; an unknown sku or
offer, an offer of another sku, a sku or offer named twice in the call → 400 / 25002 (eBay's "any user
error"); a scripted refusal of the listing (`InventoryStore.script`) → its own status and errorId; a
listing already revised `revisions_per_day` (250) times today → 400 / 25019 "Cannot revise listing"
(the id eBay uses for the cap is UNCONFIRMED; 25019 is the sandbox's and the adapter's choice). HTTP 200
when every entry succeeded, else 207 Multi-Status. A frozen listing answers 200 without changing. An
unparsable body or a wrong Content-Type is 400 errorId 2004 (eBay's generic "Invalid request").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from crossdock_local.sandboxes.base import Reply, Request
from crossdock_local.sandboxes.ebay.filter import EbayRequestError
from crossdock_local.sandboxes.ebay.inventory_store import InventoryListing, InventoryStore

INVENTORY_PATH = "/sell/inventory/v1"
MAX_REQUESTS = 25
INT32_MAX = 2**31 - 1
DOMAIN = "API_INVENTORY"
REVISION_CAP = 25019  # "Cannot revise listing": the sandbox's id for the 250-revisions-a-day cap


class EntryError(Exception):
    """One request of a bulk call failed; the others go on."""

    def __init__(self, error_id: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.error_id, self.message, self.status = error_id, message, status

    def as_error(self) -> dict[str, Any]:
        category = "APPLICATION" if self.status >= 500 else "REQUEST"
        return {"errorId": self.error_id, "domain": DOMAIN, "category": category, "message": self.message}


@dataclass
class Change:
    listing: InventoryListing
    item: int | None = None
    offer: int | None = None
    price: str | None = None


def bulk_requests(request: Request, limit: tuple[int, str]) -> list[Any]:
    """The `requests` list of a bulk call, or eBay's whole-call 400."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise EbayRequestError(
            2004, "Invalid request. Content-Type must be application/json", domain="ACCESS"
        )
    try:
        body = request.json()
    except ValueError:
        raise EbayRequestError(2004, "Invalid request. The body is not valid JSON", domain="ACCESS") from None
    entries = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(entries, list) or not entries:
        raise EbayRequestError(25709, "Invalid value for requests.", domain=DOMAIN)
    if len(entries) > MAX_REQUESTS:
        raise EbayRequestError(limit[0], limit[1], domain=DOMAIN)
    return entries


def _quantity(container: Any, name: str) -> int:
    value = container.get(name) if isinstance(container, dict) else None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= INT32_MAX:
        raise EntryError(25709, f"Invalid value for {name}.")
    return value


def _price(price: Any, listing: InventoryListing) -> str:
    try:
        value = Decimal(str(price["value"])) if isinstance(price, dict) else Decimal(-1)
    except (KeyError, InvalidOperation):
        value = Decimal(-1)
    if value <= 0 or price.get("currency", listing.currency) != listing.currency:
        raise EntryError(25709, "Invalid value for price.")
    return str(price["value"])


def _target(store: InventoryStore, shop_id: str, entry: Any, seen: set[str]) -> Change:
    sku = entry.get("sku") if isinstance(entry, dict) else None
    if not isinstance(sku, str) or not sku:
        raise EntryError(25709, "Invalid value for sku.")
    listing = store.get(shop_id, sku)
    if listing is None:
        raise EntryError(25002, f"Any User error. SKU {sku} is not available in the system.")
    offers = entry.get("offers", [])
    if not isinstance(offers, list) or not all(isinstance(o, dict) for o in offers):
        raise EntryError(25709, "Invalid value for offers.")
    names = ["sku:" + sku] + [f"offer:{o.get('offerId')}" for o in offers]
    if seen & set(names) or len(set(names)) < len(names):
        raise EntryError(25002, f"Any User error. SKU {sku} or one of its offers is repeated in the request.")
    seen.update(names)
    if "shipToLocationAvailability" not in entry and not offers:
        raise EntryError(25709, "Invalid value for shipToLocationAvailability.")
    return Change(listing)


def _check(store: InventoryStore, shop_id: str, entry: Any, seen: set[str]) -> Change:
    """Everything one request asks for, fully checked before anything is applied."""
    change = _target(store, shop_id, entry, seen)
    listing = change.listing
    if "shipToLocationAvailability" in entry:
        change.item = _quantity(entry["shipToLocationAvailability"], "quantity")
    for offer in entry.get("offers", []):
        if store.offer(shop_id, str(offer.get("offerId"))) is not listing:
            message = f"Any User error. Offer {offer.get('offerId')} is not available for SKU {listing.sku}."
            raise EntryError(25002, message)
        if "availableQuantity" not in offer and "price" not in offer:
            raise EntryError(
                25709, "Invalid value for offers. Either availableQuantity or price is required."
            )
        if "availableQuantity" in offer:
            change.offer = _quantity(offer, "availableQuantity")
        if "price" in offer:
            change.price = _price(offer["price"], listing)
    scripted = store.take_scripted(shop_id, listing.sku)
    if scripted is not None:
        raise EntryError(scripted.error_id, scripted.message, status=scripted.status)
    if listing.revisions_today() >= store.revisions_per_day:
        limit = store.revisions_per_day
        raise EntryError(
            REVISION_CAP,
            f"Cannot revise listing. This listing was revised {limit} times today, the daily limit.",
        )
    return change


def _apply(change: Change) -> None:
    listing = change.listing
    listing.revised()
    if listing.frozen:
        return
    listing.item_quantity = listing.item_quantity if change.item is None else change.item
    listing.offer_quantity = listing.offer_quantity if change.offer is None else change.offer
    listing.price = change.price or listing.price


def bulk_update(store: InventoryStore, shop_id: str, request: Request) -> Reply:
    limit = (25709, f"Invalid value for requests. The number of requests cannot exceed {MAX_REQUESTS}.")
    responses: list[dict[str, Any]] = []
    seen: set[str] = set()
    with store.lock:
        for entry in bulk_requests(request, limit):
            answer: dict[str, Any] = {"statusCode": 200}
            try:
                _apply(_check(store, shop_id, entry, seen))
            except EntryError as error:
                answer = {"statusCode": error.status, "errors": [error.as_error()]}
            sku = entry.get("sku") if isinstance(entry, dict) else None
            offers = entry.get("offers") if isinstance(entry, dict) else None
            named = (
                [o.get("offerId") for o in offers if isinstance(o, dict)] if isinstance(offers, list) else []
            )
            base = {"sku": sku} if isinstance(sku, str) else {}
            responses.extend([{**base, "offerId": str(o), **answer} for o in named] or [{**base, **answer}])
    status = 200 if all(r["statusCode"] == 200 for r in responses) else 207
    return Reply(status, {"responses": responses})
