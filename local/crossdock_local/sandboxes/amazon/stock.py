"""The stock side of the Amazon sandbox: Feeds 2021-06-30, Listings Items 2021-08-01, FBA Inventory v1.

Every SP-API route needs a live `x-amz-access-token` (403 `Unauthorized` otherwise, lwa.py),
checks its parameters as Amazon does (400 `InvalidInput`, 404 `NotFound`; a `sellerId` in the path
other than the token's seller is 403) and sends `x-amzn-RateLimit-Limit` (the unscaled rate). The
presigned document URLs are S3-like and need no token (documents.py). Rates per operation are
`STOCK_RATES`; createFeed of a JSON_LISTINGS_FEED also draws from `FEED_TYPE_THROTTLE` (5 feeds per
5 minutes per seller and region). Handlers for the feed routes live in stock_feeds.py, those for
listings and FBA in stock_items.py.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crossdock_local.sandboxes.amazon.documents import DocumentStore, s3_error
from crossdock_local.sandboxes.amazon.fba import FbaStore
from crossdock_local.sandboxes.amazon.feeds import FeedProcessor
from crossdock_local.sandboxes.amazon.listings import INTERNAL_ERROR, ListingStore, Problem, not_in_catalog
from crossdock_local.sandboxes.amazon.lwa import LwaAuthority
from crossdock_local.sandboxes.amazon.wire import sp_api_error
from crossdock_local.sandboxes.base import Reply, Request, ServerRateLimiter
from crossdock_local.sandboxes.buckets import Rate

FEED_TYPE_THROTTLE = "JSON_LISTINGS_FEED"
STOCK_RATES = {
    "createFeedDocument": Rate(0.5, 15),
    "createFeed": Rate(0.0083, 15),
    FEED_TYPE_THROTTLE: Rate(5 / 300, 5),
    "getFeed": Rate(2.0, 15),
    "getFeedDocument": Rate(0.0222, 10),
    "patchListingsItem": Rate(5.0, 5),
    "getListingsItem": Rate(5.0, 10),
    "getInventorySummaries": Rate(2.0, 2),
}
S3_OPERATIONS = frozenset({"uploadFeedDocument", "downloadReport"})


@dataclass(frozen=True)
class SellerAccount:
    shop_id: str
    seller_id: str
    marketplace_id: str


def rate_headers(operation: str) -> dict[str, str]:
    headers = {"x-amzn-RequestId": str(uuid.uuid4())}
    if operation in STOCK_RATES:
        headers["x-amzn-RateLimit-Limit"] = str(STOCK_RATES[operation].per_second)
    return headers


def invalid_input(operation: str, message: str) -> Reply:
    return sp_api_error(400, "InvalidInput", message, **rate_headers(operation))


def take_all(limiter: ServerRateLimiter, caller: str, operations: tuple[str, ...]) -> float:
    """A token from every bucket, or none taken and the longest wait."""
    waits = []
    for operation in operations:
        tokens, rate = limiter.available(caller, operation) or (1.0, Rate(1.0, 1))
        waits.append(max(0.0, (1.0 - tokens) / rate.per_second))
    if max(waits) > 0:
        return max(waits)
    return max(limiter.take(caller, operation) for operation in operations)


class StockApi:
    """The state behind the stock routes; `base_url` is read when a presigned URL is issued."""

    def __init__(self, lwa: LwaAuthority, rate_scale: float) -> None:
        self.lwa = lwa
        self.base_url = ""
        self.listings = ListingStore()
        self.documents = DocumentStore()
        self.feeds = FeedProcessor(self.listings, self.documents, rate_scale)
        self.fba = FbaStore(rate_scale)
        self.accounts: dict[str, SellerAccount] = {}
        self._silent_empties = 0
        self._lock = threading.Lock()

    def register(self, shop_id: str, marketplace_id: str) -> SellerAccount:
        """A merchant token like Amazon's (`A` + 13 upper-case letters and digits)."""
        seller_id = "A" + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(13))
        account = SellerAccount(shop_id, seller_id, marketplace_id)
        self.accounts[shop_id] = account
        return account

    def authorize(self, request: Request) -> SellerAccount | Reply:
        owner = self.lwa.authorize(request)
        return owner if isinstance(owner, Reply) else self.accounts[owner]

    def render_fault(self, kind: str, request: Request, operation: str) -> Reply | None:
        """The stock routes' own shapes of `error_envelope` / `silent_empty` (None: not a stock route)."""
        if operation in S3_OPERATIONS:
            if kind == "error_envelope":
                return s3_error(500, "InternalError", "We encountered an internal error. Please try again.")
            return Reply(200, b"") if operation == "downloadReport" else None
        if operation not in STOCK_RATES:
            return None
        headers = rate_headers(operation)
        if kind == "error_envelope":
            message = "We encountered an internal error. Please try again."
            return sp_api_error(500, "InternalFailure", message, **headers)
        if operation == "getInventorySummaries":
            with self._lock:
                self._silent_empties += 1
                bare = self._silent_empties % 2 == 1
            summary = {"sellerSku": "SILENT-1", "asin": "B000000001", "totalQuantity": 7}
            payload: dict[str, Any] = {"granularity": {"granularityType": "Marketplace"}}
            if bare:  # a summary without inventoryDetails: details were not returned
                return Reply(200, {"payload": {**payload, "inventorySummaries": [summary]}}, headers)
            claim = {"pagination": {"nextToken": secrets.token_urlsafe(24)}}
            return Reply(200, {"payload": {**payload, "inventorySummaries": []}, **claim}, headers)
        status = {"createFeedDocument": 201, "createFeed": 202}.get(operation, 200)
        return Reply(status, {}, headers)


class StockHelpers:
    """The public stock helpers of the Amazon sandbox (every stock sandbox offers the first three)."""

    stock: StockApi

    def add_listing(self, shop_id: str, sku: str, quantity: int = 0) -> dict[str, str]:
        """A seller-fulfilled listing; returns its Listing.ref (seller_sku, marketplace_id, product_type)."""
        listing = self.stock.listings.add(shop_id, sku, quantity)
        marketplace = self.stock.accounts[shop_id].marketplace_id
        return {"seller_sku": sku, "marketplace_id": marketplace, "product_type": listing.product_type}

    def quantity(self, shop_id: str, sku: str) -> int:
        """The DEFAULT fulfillment_availability quantity the listing shows now."""
        self.stock.feeds.advance()
        return self.stock.listings.quantity(shop_id, sku)

    def freeze(self, shop_id: str, sku: str) -> None:
        """From now on accept updates for the listing but do not apply them."""
        self.stock.listings.freeze(shop_id, sku)

    def set_fba(self, shop_id: str, sku: str, *, at: datetime | None = None, **quantities: int) -> None:
        """FBA stock of a SKU: fulfillable, inbound_working, inbound_shipped, inbound_receiving,
        reserved, researching, unfulfillable (the ones not given keep their value). A change other
        than inbound moves its lastUpdatedTime to `at` (default now)."""
        self.stock.fba.set(shop_id, sku, at, **quantities)

    def hold_feeds(self, hold: bool = True) -> None:
        """Keep feeds IN_PROGRESS (a slow Amazon) until released."""
        self.stock.feeds.hold = hold

    def fail_next_feed(self, shop_id: str, reason: str = INTERNAL_ERROR[1]) -> None:
        """The shop's next feed ends FATAL with this reason in its report."""
        self.fail_next_feeds(shop_id, 1, reason)

    def fail_next_feeds(
        self, shop_id: str, count: int = 1, reason: str = INTERNAL_ERROR[1], code: str = INTERNAL_ERROR[0]
    ) -> None:
        """The shop's next `count` feeds end FATAL, nothing applied, their report holding one ERROR
        issue (`code`, `reason`) and a summary of 0 messages processed; later feeds process as usual."""
        self.stock.feeds.fail_next(shop_id, count, reason, code)

    def refuse_sku(self, shop_id: str, sku: str, code: str | None = None, message: str | None = None) -> None:
        """Every submission of the SKU, per patch or in a feed, is refused with one ERROR issue: by
        default Amazon's 8560 "doesn't match any ASINs" (a SKU the catalog does not know: permanent)."""
        default_code, default_message = not_in_catalog(sku)
        problem = Problem(code or default_code, message or default_message)
        self.stock.listings.refuse(shop_id, sku, problem)

    def fail_sku(self, shop_id: str, sku: str, times: int = 1) -> None:
        """The SKU's next `times` submissions meet Amazon's internal error (4000000 "An internal error
        has occurred. Please try again.": transient); the submission after them succeeds."""
        self.stock.listings.refuse(shop_id, sku, Problem(*INTERNAL_ERROR), times)

    def expire_fba_tokens(self, count: int = 1) -> None:
        """The next `count` FBA nextTokens presented count as expired (a caller that paused > 30 s)."""
        self.stock.fba.expire_next_tokens(count)
