"""eBay Sell Fulfillment order source: getOrders by last-modified window, read without losing orders.

Paging. getOrders pages by offset over a result sorted by creation date, newest first. While we page,
orders of the window are modified again (shipped, refunded): their lastModifiedDate moves past the
window's end, they leave the result, and every order behind them moves one place forward, so a
first-to-last reader skips the order that slides over a page boundary. We read instead:
1. offset 0, for page 0 and `total`;
2. the other pages from the LAST one back to offset 200: an order that leaves only moves unread
   orders towards pages still to be read;
3. offset 0 again, only if `total` dropped meanwhile (orders may have slid into page 0).
A quiet window costs ceil(N/200) calls (`minimum_calls`), a busy one one call more. Orders can only
leave a window that ends in the past (a modification stamps "now"). If `total` grows instead (a window
reaching into the future, or late indexing) the guarantee fails: the window is re-read from offset 0,
at most MAX_PASSES times, then RetryableError so the checkpoint does not move. An order seen twice is
yielded once more only if its lastModifiedDate is newer.

Tracking. getOrders carries no tracking numbers; `fulfillmentHrefs` lists an order's shipping
fulfillments. For IN_PROGRESS/FULFILLED orders that have some, one getShippingFulfillments call per
(order, lastModifiedDate) seen by this adapter — its own operation in CallStats, not in
`minimum_calls`. Shop option `fetch_tracking: false` turns it off.

Rates. eBay publishes daily quotas only (Fulfillment API ~100,000/day, UNCONFIRMED; OAuth refresh
grant 50,000/day). Pacing at 100000/86400 ≈ 1.2/s would stretch a 50-page backfill for no benefit, so
each operation is paced at 5/s with a burst of 25; 429 + Retry-After is honoured, and the daily quota
is watched through CallStats rather than enforced by sleeping.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import requests

from crossdock.channels.ebay.marketplaces import home_zone
from crossdock.channels.ebay.oauth import FULFILLMENT_READONLY_SCOPE, TOKEN_OPERATION, EbayTokens
from crossdock.channels.ebay.orders import needs_tracking, shipments_from, to_order
from crossdock.channels.ebay.stock import STOCK_RATES, EbayStockWriter
from crossdock.channels.ebay.wire import (
    PAGE_SIZE,
    OrdersPage,
    fulfillments_url,
    orders_url,
    parse_fulfillments,
    parse_orders_page,
)
from crossdock.channels.spec import ChannelSpec, ShopContext
from crossdock.core.errors import RetryableError
from crossdock.core.ratelimit import Rate
from crossdock.core.times import iso_z
from crossdock.orders.rules.windows import ChannelLimits, Window

if TYPE_CHECKING:
    from crossdock.orders.rules.order import Order, Shipment

log = logging.getLogger(__name__)
T = TypeVar("T")

CHANNEL = "ebay"
ORDERS_OPERATION = "getOrders"
FULFILLMENTS_OPERATION = "getShippingFulfillments"
DEFAULT_MARKETPLACE = "EBAY_US"
MAX_PASSES = 3
OFF = frozenset({"false", "0", "no", "off"})  # option values that turn tracking off (CLI strings)
ENDPOINTS = {"api": "https://api.ebay.com", "identity": "https://api.ebay.com"}


class EbayOrderSource:
    """One eBay seller's orders. Options: marketplace_id, oauth_scope, fetch_tracking."""

    def __init__(self, ctx: ShopContext) -> None:
        self.ctx = ctx
        self.api = ctx.endpoint("api", ENDPOINTS["api"])
        self.marketplace = str(ctx.settings.get("marketplace_id") or DEFAULT_MARKETPLACE)
        self.fetch_tracking = str(ctx.settings.get("fetch_tracking", True)).lower() not in OFF
        now = ctx.now
        clock: Callable[[], float] = (lambda: now().timestamp()) if now else time.monotonic
        self.tokens = EbayTokens(
            ctx.http,
            identity_url=ctx.endpoint("identity", ENDPOINTS["identity"]),
            credentials=ctx.credentials,
            scope=str(ctx.settings.get("oauth_scope") or FULFILLMENT_READONLY_SCOPE),
            clock=clock,
        )
        self._tracking: dict[tuple[str, str], tuple[Shipment, ...]] = {}

    def pages(self, window: Window) -> Iterator[list[Order]]:
        seen: dict[str, datetime] = {}
        for attempt in range(1, MAX_PASSES + 1):
            complete = yield from self._read_window(window, seen)
            if complete:
                return
            log.warning("ebay window grew while paging; re-reading", extra={"attempt": attempt})
        span = f"{iso_z(window.start)}..{iso_z(window.end)}"
        raise RetryableError(CHANNEL, f"window {span} kept growing over {MAX_PASSES} reads", code="unstable")

    def _read_window(self, window: Window, seen: dict[str, datetime]) -> Generator[list[Order], None, bool]:
        """One pass; False when `total` grew, i.e. the pass may have missed orders."""
        first = self._page(window, 0)
        yield from self._fresh(first, seen)
        if not first.has_next:
            return True
        step = min(first.limit, PAGE_SIZE) if first.limit > 0 else PAGE_SIZE
        latest = first.total
        for offset in range(step * ((first.total - 1) // step), 0, -step):
            page = self._page(window, offset)
            yield from self._fresh(page, seen)
            if page.total > latest:
                return False
            latest = page.total
        if latest < first.total:
            again = self._page(window, 0)
            yield from self._fresh(again, seen)
            if again.total > latest:
                return False
        return True

    def _fresh(self, page: OrdersPage, seen: dict[str, datetime]) -> Iterator[list[Order]]:
        batch = []
        for raw in page.orders:
            order = to_order(CHANNEL, self.ctx.shop_id, raw)
            known = seen.get(order.order_id)
            if known is not None and known >= order.modified_at:
                continue
            seen[order.order_id] = order.modified_at
            if self.fetch_tracking and needs_tracking(raw):
                order = replace(order, shipments=self._shipments(raw))
            batch.append(order)
        if batch:
            yield batch

    def _headers(self, token: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "X-EBAY-C-MARKETPLACE-ID": self.marketplace,
        }

    def _get(self, operation: str, url: str, parse: Callable[[requests.Response], T]) -> T:
        def send(session: requests.Session, timeout: tuple[float, float], token: str) -> requests.Response:
            return session.get(url, headers=self._headers(token), timeout=timeout)

        return self.tokens.call(operation, send, parse)

    def _page(self, window: Window, offset: int) -> OrdersPage:
        url = orders_url(self.api, window, offset)
        return self._get(ORDERS_OPERATION, url, lambda response: parse_orders_page(CHANNEL, response))

    def _shipments(self, raw: dict[str, Any]) -> tuple[Shipment, ...]:
        key = (str(raw["orderId"]), str(raw.get("lastModifiedDate")))
        if key not in self._tracking:
            url = fulfillments_url(self.api, key[0])
            found = self._get(
                FULFILLMENTS_OPERATION, url, lambda response: parse_fulfillments(CHANNEL, response)
            )
            self._tracking[key] = shipments_from(found)
        return self._tracking[key]


def minimum_calls(changed_orders: int) -> int:
    """getOrders calls for N changed orders in one quiet window: one per 200, at least one."""
    return max(1, math.ceil(changed_orders / PAGE_SIZE))


def probe(ctx: ShopContext) -> None:
    """The OAuth refresh grant pulls start with: eBay checks the app keys, the seller's refresh
    token and the scope it granted (invalid_grant / invalid_client / invalid_scope → AuthError)."""
    EbayOrderSource(ctx).tokens.current()


SPEC = ChannelSpec(
    name=CHANNEL,
    limits=ChannelLimits(
        max_window=timedelta(days=30),  # eBay sets none; bounds one offset result set and its re-reads
        settle_lag=timedelta(minutes=2),  # search index lag (UNCONFIRMED); keeps windows in the past
        history=timedelta(days=730),  # current docs: orders up to two years old (older text: 90 days)
        page_size=PAGE_SIZE,
    ),
    rates={
        ORDERS_OPERATION: Rate(5.0, 25.0),
        FULFILLMENTS_OPERATION: Rate(5.0, 25.0),
        TOKEN_OPERATION: Rate(0.5, 5.0),
        **STOCK_RATES,  # bulkUpdatePriceQuantity, bulkGetInventoryItem, getOffer: 5/s, burst 25 each
    },
    endpoints=ENDPOINTS,
    credential_fields=("client_id", "client_secret", "refresh_token"),
    build=EbayOrderSource,
    minimum_calls=minimum_calls,
    stock=EbayStockWriter,
    probe=probe,
    home_zone=home_zone,
)
