"""The Amazon sandbox's Listings Items 2021-08-01 and FBA Inventory v1 routes.

- `PATCH /listings/2021-08-01/items/{sellerId}/{sku}?marketplaceIds=…` `{productType, patches}` →
  200 `{sku, status: ACCEPTED|INVALID, submissionId, issues}` (listings.py judges the patch).
- `GET /listings/2021-08-01/items/{sellerId}/{sku}?marketplaceIds=…[&includedData=…]` → the Item
  with `summaries` (the default) and/or `fulfillmentAvailability`; an unknown SKU is 404 `NotFound`.
- `GET /fba/inventory/v1/summaries?…` → one page of summaries (fba.py).
The SKU arrives percent-encoded in the path and is decoded here, as Amazon does.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from crossdock_local.sandboxes.amazon.query import InvalidInput
from crossdock_local.sandboxes.amazon.stock import SellerAccount, StockApi, invalid_input, rate_headers
from crossdock_local.sandboxes.amazon.wire import sp_api_error
from crossdock_local.sandboxes.base import Reply, Request, Route, route
from crossdock_local.sandboxes.clock import iso_z

ITEM = r"/listings/2021-08-01/items/(?P<seller>[^/]+)/(?P<sku>[^/]+)"
INCLUDED_DATA = frozenset(
    {
        "summaries",
        "attributes",
        "issues",
        "offers",
        "fulfillmentAvailability",
        "procurement",
        "relationships",
        "productTypes",
    }
)
DENIED = "Access to requested resource is denied."


def _item_request(
    api: StockApi, request: Request, match: re.Match[str], operation: str
) -> SellerAccount | Reply:
    """The seller a listings call may act for, or its 403/400."""
    account = api.authorize(request)
    if isinstance(account, Reply):
        return account
    if unquote(match["seller"]) != account.seller_id:
        return sp_api_error(
            403, "Unauthorized", DENIED, "The sellerId is not the caller's.", **rate_headers(operation)
        )
    marketplaces = [m for m in request.query.get("marketplaceIds", "").split(",") if m]
    if marketplaces != [account.marketplace_id]:
        return invalid_input(operation, f"Invalid marketplaceIds: {', '.join(marketplaces) or '(none)'}.")
    return account


def item_routes(api: StockApi) -> list[Route]:
    def patch(request: Request, match: re.Match[str]) -> Reply:
        account = _item_request(api, request, match, "patchListingsItem")
        if isinstance(account, Reply):
            return account
        try:
            body = request.json()
        except ValueError:
            body = None
        patches = body.get("patches") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not isinstance(body.get("productType"), str) or not patches:
            return invalid_input(
                "patchListingsItem", "The request body needs productType and at least one patch."
            )
        sku = unquote(match["sku"])
        problems = api.listings.apply(account.shop_id, sku, body["productType"], patches)
        answer = {
            "sku": sku,
            "status": "INVALID" if problems else "ACCEPTED",
            "submissionId": uuid.uuid4().hex,
            "issues": [problem.issue() for problem in problems],
        }
        return Reply(200, answer, rate_headers("patchListingsItem"))

    def get(request: Request, match: re.Match[str]) -> Reply:
        account = _item_request(api, request, match, "getListingsItem")
        if isinstance(account, Reply):
            return account
        included = [d for d in request.query.get("includedData", "summaries").split(",") if d]
        unknown = sorted(set(included) - INCLUDED_DATA)
        if unknown:
            return invalid_input("getListingsItem", f"Invalid includedData: {', '.join(unknown)}.")
        sku = unquote(match["sku"])
        listing = api.listings.get(account.shop_id, sku)
        if listing is None:
            return sp_api_error(404, "NotFound", f"SKU '{sku}' not found.", **rate_headers("getListingsItem"))
        item: dict[str, Any] = {"sku": sku}
        if "summaries" in included:
            item["summaries"] = [
                {
                    "marketplaceId": account.marketplace_id,
                    "productType": listing.product_type,
                    "conditionType": "new_new",
                    "status": ["BUYABLE", "DISCOVERABLE"] if listing.quantity else ["DISCOVERABLE"],
                    "itemName": f"Sandbox listing {sku}",
                    "createdDate": iso_z(listing.created_at),
                    "lastUpdatedDate": iso_z(listing.updated_at),
                }
            ]
        if "fulfillmentAvailability" in included:
            item["fulfillmentAvailability"] = [
                {"fulfillmentChannelCode": "DEFAULT", "quantity": listing.quantity}
            ]
        return Reply(200, item, rate_headers("getListingsItem"))

    def summaries(request: Request, _: re.Match[str]) -> Reply:
        account = api.authorize(request)
        if isinstance(account, Reply):
            return account
        try:
            body = api.fba.page(account.shop_id, account.marketplace_id, request.query, datetime.now(UTC))
        except InvalidInput as exc:
            return invalid_input("getInventorySummaries", str(exc))
        return Reply(200, body, rate_headers("getInventorySummaries"))

    return [
        route("PATCH", ITEM, "patchListingsItem", patch),
        route("GET", ITEM, "getListingsItem", get),
        route("GET", r"/fba/inventory/v1/summaries", "getInventorySummaries", summaries),
    ]
