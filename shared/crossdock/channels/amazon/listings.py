"""Listings Items API 2021-08-01, one SKU per call: `patchListingsItem` sets a quantity,
`getListingsItem` reads it back.

`PATCH /listings/2021-08-01/items/{sellerId}/{sku}?marketplaceIds=…` (rate 5/s, burst 5) with
`{"productType", "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
"value": [{"fulfillment_channel_code": "DEFAULT", "quantity": n}]}]}` answers 200 for accepted and
refused submissions alike: `status` ACCEPTED → accepted; INVALID → its ERROR issues judged by
issues.py: "rejected" (permanent) or "failed" (transient, e.g. 4000000 internal error), `code` the
deciding issue's. A 4xx for one SKU (400 InvalidInput, 413, 415) rejects that update with the error
envelope's code, and the others go on.
`GET …?marketplaceIds=…&includedData=fulfillmentAvailability` (rate 5/s, burst 10) → the DEFAULT
entry's quantity. The SKU is percent-encoded into the path (`/`, spaces and `#` are legal in SKUs).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from crossdock.channels.amazon.feed_document import QUANTITY_PATH, SELLER_FULFILLED
from crossdock.channels.amazon.issues import verdict
from crossdock.channels.amazon.normalize import CHANNEL
from crossdock.channels.amazon.spapi import SpApi, sp_api_json
from crossdock.core.errors import InvalidResponseError, RequestRejectedError
from crossdock.stock.rules.sellable import Listing, PushOutcome, QuantityUpdate

PATCH = "patchListingsItem"
GET = "getListingsItem"
ITEMS_PATH = "/listings/2021-08-01/items"


def seller_sku(listing: Listing) -> str:
    return listing.ref.get("seller_sku") or listing.sku


def item_path(seller_id: str, sku: str) -> str:
    return f"{ITEMS_PATH}/{quote(seller_id, safe='')}/{quote(sku, safe='')}"


def patch_body(product_type: str, quantity: int) -> dict[str, Any]:
    value = [{"fulfillment_channel_code": SELLER_FULFILLED, "quantity": quantity}]
    return {
        "productType": product_type,
        "patches": [{"op": "replace", "path": QUANTITY_PATH, "value": value}],
    }


def submission_outcome(update: QuantityUpdate, body: dict[str, Any]) -> PushOutcome:
    """A `ListingsItemSubmissionResponse` → the update's outcome."""
    status = body.get("status")
    issues = [i for i in body.get("issues") or [] if isinstance(i, dict)]
    if status == "ACCEPTED":
        return PushOutcome(update, "accepted", f"submission {body.get('submissionId', '')}".strip())
    if status == "INVALID":
        errors = [i for i in issues if i.get("severity") == "ERROR"] or issues
        if not errors:  # nothing to judge: the safe default (see issues.py)
            return PushOutcome(update, "rejected", "INVALID without issues")
        refused = verdict(errors)
        return PushOutcome(update, refused.status, refused.detail, code=refused.code)
    raise InvalidResponseError(CHANNEL, f"{PATCH} answered status {status!r}: {str(body)[:200]}")


def listed_quantity(body: dict[str, Any]) -> int:
    """The seller-fulfilled (DEFAULT) quantity of an `Item` fetched with fulfillmentAvailability."""
    entries = body.get("fulfillmentAvailability")
    if not isinstance(entries, list):
        raise InvalidResponseError(CHANNEL, f"{GET} 200 without fulfillmentAvailability: {str(body)[:200]}")
    for entry in entries:
        if isinstance(entry, dict) and entry.get("fulfillmentChannelCode") == SELLER_FULFILLED:
            quantity = entry.get("quantity", 0)
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
                raise InvalidResponseError(CHANNEL, f"{GET} quantity is {quantity!r}")
            return quantity
    return 0  # no seller-fulfilled offer: nothing is shown for sale by the seller


class ListingsItems:
    """Per-SKU writes and reads for one seller."""

    def __init__(self, api: SpApi) -> None:
        self.api = api

    def patch(self, update: QuantityUpdate, marketplace_id: str, product_type: str) -> PushOutcome:
        path = item_path(self.api.require_seller_id(), seller_sku(update.listing))
        body = patch_body(product_type, update.quantity)
        try:
            return self.api.call(
                PATCH,
                "PATCH",
                path,
                lambda response: submission_outcome(update, sp_api_json(self.api.http, PATCH, response)),
                params={"marketplaceIds": marketplace_id},
                body=body,
            )
        except RequestRejectedError as exc:  # a 4xx for this SKU: retrying it cannot help
            return PushOutcome(update, "rejected", str(exc), code=exc.code or "")

    def quantity(self, listing: Listing, marketplace_id: str) -> int | None:
        """What the listing shows now; None when Amazon has no such SKU (404 NotFound)."""
        path = item_path(self.api.require_seller_id(), seller_sku(listing))
        params = {"marketplaceIds": marketplace_id, "includedData": "fulfillmentAvailability"}
        return self.api.call(GET, "GET", path, self._parse_quantity, params=params)

    def _parse_quantity(self, response: requests.Response) -> int | None:
        if response.status_code == 404 and _error_code(response) == "NotFound":
            return None  # any other 404 (a wrong host, a gateway page) stays a fault
        return listed_quantity(sp_api_json(self.api.http, GET, response))


def _error_code(response: requests.Response) -> str | None:
    try:
        errors = response.json().get("errors") or [{}]
        return str(errors[0].get("code"))
    except (ValueError, AttributeError, IndexError):
        return None
