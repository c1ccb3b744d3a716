"""eBay Sell Inventory on the wire: request bodies and the one mapping of answers to outcomes or faults.

bulkUpdatePriceQuantity: `POST {api}/sell/inventory/v1/bulk_update_price_quantity`, JSON `{"requests":
[{"sku", "shipToLocationAvailability": {"quantity"}, "offers": [{"offerId", "availableQuantity"}]}]}`,
at most 25 requests. A quantity is set at BOTH levels (the listing shows the smaller one); no price.
The answer is 200 (every entry succeeded) or 207 Multi-Status, `{"responses": [{"sku", "offerId",
"statusCode", "errors", "warnings"}]}`; an entry carries `offerId` when it reports an offer, only `sku`
when it reports the item-level quantity. Entries are matched to updates by offerId and sku, never by
position. Whole-call answers go through `raise_for_ebay_error` (429 → ThrottledError, 401/403 →
AuthError, 400 → RequestRejectedError, 5xx → RetryableError); a 200/207 without a `responses` list is
InvalidResponseError (retried: an absolute quantity is safe to send again).

Per-entry refusals: `ERROR_OUTCOMES` is the one table of eBay errorIds, permanent ("rejected": the
listing is marked for a person, retrying cannot help) or transient ("failed": the caller retries with
backoff). Why a table and not the HTTP status alone: the 250-revisions-a-day cap is a 4xx that clears
tomorrow, and a 4xx we do not know should still reach a person rather than be retried for ever. Rules:
a 5xx or 429 entry is transient whatever its errorId (a server fault says nothing about the listing);
another 4xx entry takes its errorIds' classes, an errorId missing from the table (or none at all)
counting as permanent. An update is rejected if any of its entries is, else failed if any is, else
accepted; no entry at all → failed. Each refusal carries the deciding errorId as `code` and the
entries' errors as "errorId: message".

The cap's errorId is UNCONFIRMED: the operation documents only 25001/25002/25709/25759, and eBay's
pages name the limit but no id. We take 25019 "Cannot revise listing" (the Inventory API's id for a
live listing that cannot be revised, documented on updateOffer/publishOffer) and classify it
transient; a real 25019 for another reason is then retried and alerted on if it persists. If eBay
reports the cap as the generic 25002 instead, the listing is rejected — a person looks, nothing loops.

Read-back: bulkGetInventoryItem (`POST …/bulk_get_inventory_item`, ≤ 25 skus) for the item level and
getOffer (`GET …/offer/{offerId}`) for the offer level.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import requests

from crossdock.channels.ebay.wire import raise_for_ebay_error
from crossdock.core.errors import InvalidResponseError, RetryableError
from crossdock.core.http import json_body
from crossdock.stock.rules.sellable import PushOutcome, QuantityUpdate

INVENTORY_PATH = "/sell/inventory/v1"
MAX_REQUESTS = 25  # requests per bulkUpdatePriceQuantity and skus per bulkGetInventoryItem
OFFER_GONE = "25713"  # getOffer: "This Offer is not available"
REVISION_CAP = "25019"  # our choice for the 250-revisions-a-day cap (UNCONFIRMED, see above)

# errorId → outcome of a 4xx entry (sell_inventory_v1_oas3.json; unknown ids → "rejected").
ERROR_OUTCOMES: dict[str, str] = {
    "25001": "failed",  # System error (APPLICATION, HTTP 500)
    "25025": "failed",  # Concurrent access of the inventory item: "try again later" (HTTP 500)
    REVISION_CAP: "failed",  # Cannot revise listing: the daily revision cap, clears the next day
    "25002": "rejected",  # Any user error (unknown or foreign offer, repeated sku …)
    "25004": "rejected",  # Invalid quantity
    "25702": "rejected",  # SKU could not be found or is not available
    "25708": "rejected",  # Invalid SKU
    "25709": "rejected",  # Invalid value for a field (a negative quantity …)
    "25710": "rejected",  # The resource was not found
    "25713": "rejected",  # This Offer is not available
    "25725": "rejected",  # No offer found
    "25754": "rejected",  # An offerId that does not belong to the sku
    "25759": "rejected",  # Quantity below the auction allocation
}
SEVERITY = ("accepted", "failed", "rejected")  # an update takes the worst verdict of its entries


def price_quantity(update: QuantityUpdate) -> dict[str, Any]:
    """One `PriceQuantity` request: the update's quantity at item and offer level, nothing else."""
    ref = update.listing.ref
    return {
        "sku": ref["sku"],
        "shipToLocationAvailability": {"quantity": update.quantity},
        "offers": [{"offerId": ref["offer_id"], "availableQuantity": update.quantity}],
    }


def bulk_update_body(updates: Sequence[QuantityUpdate]) -> dict[str, Any]:
    if not 0 < len(updates) <= MAX_REQUESTS:
        raise ValueError(f"bulkUpdatePriceQuantity carries 1..{MAX_REQUESTS} requests, not {len(updates)}")
    return {"requests": [price_quantity(update) for update in updates]}


def _entries(channel: str, response: requests.Response, key: str) -> list[dict[str, Any]]:
    """The per-entry list of a 200/207 bulk answer, or the typed fault of the whole call."""
    raise_for_ebay_error(channel, response)
    status = response.status_code
    if status not in (200, 207):
        raise InvalidResponseError(channel, f"unexpected HTTP {status} to a bulk call", status=status)
    body = json_body(channel, response)
    entries = body.get(key) if isinstance(body, dict) else None
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise InvalidResponseError(channel, f"HTTP {status} without `{key}` entries", status=status)
    return entries


def _messages(entries: Sequence[dict[str, Any]], field: str) -> str:
    notes = []
    for entry in entries:
        for error in entry.get(field) or ():
            if isinstance(error, dict):
                notes.append(
                    f"{error.get('errorId')}: {error.get('message') or error.get('longMessage', '')}"
                )
    return "; ".join(notes)


def _status(entry: dict[str, Any]) -> int:
    code = entry.get("statusCode")
    return code if isinstance(code, int) and not isinstance(code, bool) else 500


def error_outcome(error_id: str) -> str:
    """The table's class of one errorId met in a 4xx entry: unknown ids are permanent."""
    return ERROR_OUTCOMES.get(error_id, "rejected")


def entry_verdict(entry: dict[str, Any]) -> tuple[str, str]:
    """(status, errorId) of one entry: accepted, or the refusal and the errorId that decided it."""
    status = _status(entry)
    if status < 300:
        return "accepted", ""
    ids = [
        str(error["errorId"])
        for error in entry.get("errors") or ()
        if isinstance(error, dict) and error.get("errorId") is not None
    ]
    if status >= 500 or status == 429 or status < 400:
        return "failed", ids[0] if ids else ""
    if not ids:
        return "rejected", ""
    return max(((error_outcome(i), i) for i in ids), key=lambda verdict: SEVERITY.index(verdict[0]))


def outcome_of(update: QuantityUpdate, entries: Sequence[dict[str, Any]]) -> PushOutcome:
    """What the entries about this update's offer (and its item-level quantity) say about it."""
    sku, offer_id = update.listing.ref["sku"], update.listing.ref["offer_id"]
    mine = [
        e
        for e in entries
        if str(e.get("offerId") or "") == offer_id or (e.get("sku") == sku and not e.get("offerId"))
    ]
    if not mine:
        return PushOutcome(update, "failed", f"no answer for sku {sku} / offer {offer_id}")
    status, code = max(map(entry_verdict, mine), key=lambda verdict: SEVERITY.index(verdict[0]))
    if status == "accepted":
        return PushOutcome(update, "accepted", _messages(mine, "warnings"))
    detail = _messages(mine, "errors") or f"HTTP {max(_status(entry) for entry in mine)}"
    return PushOutcome(update, status, detail, code=code)


def parse_bulk_update(
    channel: str, response: requests.Response, updates: Sequence[QuantityUpdate]
) -> list[PushOutcome]:
    entries = _entries(channel, response, "responses")
    return [outcome_of(update, entries) for update in updates]


def bulk_get_body(skus: Sequence[str]) -> dict[str, Any]:
    if not 0 < len(skus) <= MAX_REQUESTS:
        raise ValueError(f"bulkGetInventoryItem reads 1..{MAX_REQUESTS} skus, not {len(skus)}")
    return {"requests": [{"sku": sku} for sku in skus]}


def parse_bulk_get(channel: str, response: requests.Response, skus: Sequence[str]) -> dict[str, int]:
    """Item-level ship-to-home quantity per sku; a sku eBay does not know (4xx entry) is left out."""
    entries = {str(e.get("sku")): e for e in _entries(channel, response, "responses")}
    found: dict[str, int] = {}
    for sku in skus:
        entry = entries.get(sku)
        if entry is None:
            raise InvalidResponseError(
                channel, f"bulkGetInventoryItem answered nothing for {sku}", status=200
            )
        code = _status(entry)
        if code >= 500 or code == 429:
            raise RetryableError(channel, f"{sku}: {_messages([entry], 'errors')}", status=code)
        if code >= 300:
            continue
        item = entry.get("inventoryItem")
        if not isinstance(item, dict):
            raise InvalidResponseError(channel, f"{sku}: 200 entry without inventoryItem", status=200)
        ship_to = (item.get("availability") or {}).get("shipToLocationAvailability") or {}
        quantity = ship_to.get("quantity", 0)
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            raise InvalidResponseError(channel, f"{sku}: quantity {quantity!r} is not an integer", status=200)
        found[sku] = quantity
    return found


def offer_url(api: str, offer_id: str) -> str:
    return f"{api}{INVENTORY_PATH}/offer/{quote(offer_id, safe='')}"


def parse_offer(channel: str, response: requests.Response) -> int | None:
    """The quantity a published offer shows (0 when unpublished); None when eBay has no such offer."""
    if response.status_code == 404 or (response.status_code == 400 and OFFER_GONE in response.text):
        return None
    raise_for_ebay_error(channel, response)
    body = json_body(channel, response)
    quantity = body.get("availableQuantity") if isinstance(body, dict) else None
    if not isinstance(body, dict) or not body.get("offerId") or not isinstance(quantity, int):
        raise InvalidResponseError(channel, "getOffer answer without offerId/availableQuantity", status=200)
    return quantity if body.get("status") == "PUBLISHED" else 0
