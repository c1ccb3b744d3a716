"""Shopify order source: the Admin GraphQL `orders` query by `updated_at` window, cursor-paged.

Request. `POST {api}/admin/api/{version}/graphql.json` with `X-Shopify-Access-Token`; `api` defaults
to `https://{shop_domain}` (shop option `shop_domain`, e.g. mystore.myshopify.com), `version` to
2025-10 (option `api_version`). GraphQL, not REST: REST is legacy since 2024-10 and new public apps
must be GraphQL-only.

Two readings of a window. Windows expected to hold many orders — spanning at least the shop option
`bulk_from_minutes` (default 60: first backfills, reconciliations, hourly full pulls of degraded
shops, manual backfills) — are read by one bulk operation (`bulk.py`): no cost limit, a handful of
calls for any number of orders (10,000 orders: 345 pages, or 4 calls), the JSONL streamed. The
5-minute incremental windows keep the paged query below: a bulk operation is asynchronous (start,
poll, download), slower than one or two pages when a window holds a few orders.

Paging. `orders(first:, after:, query: "updated_at:>='start' AND updated_at:<='end'",
sortKey: UPDATED_AT)`. Shopify's cursors are keyset cursors (the last row's sort value and id), not
offsets: an order modified while we page gets a new `updatedAt` past the window's end (windows end in
the past), so it leaves the window without shifting the orders behind it, and the pull of the next
window reads it. Each page is as large as the single-query cost limit allows (`query.py`); an
order with more line items than the page asks for gets the rest from `order(id) { lineItems }`.

Pacing. One cost bucket per app and store. Each call reserves its requestedQueryCost; every answer
resets the bucket to Shopify's `throttleStatus`, so pages wait for the points instead of meeting
THROTTLED. Default Rate(100 pts/s, 1000): the Standard plan's documented restore rate; the bucket size
and rate of other plans are read from the answers.

Stock: `stock.py` (inventorySetQuantities), on the same endpoint and bucket (`shop.py`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from crossdock.channels.shopify import notices, subscriptions
from crossdock.channels.shopify.bulk import BulkOrders, reads_in_bulk
from crossdock.channels.shopify.order_reads import read_order
from crossdock.channels.shopify.orders import to_order
from crossdock.channels.shopify.query import (
    LINE_ITEMS_PER_ORDER,
    line_items_query,
    orders_page_size,
    orders_query,
    search_filter,
)
from crossdock.channels.shopify.shop import ENDPOINTS, OPERATION, ShopifyStore
from crossdock.channels.shopify.stock import ShopifyStockWriter
from crossdock.channels.shopify.wire import (
    CHANNEL,
    Connection,
    has_more_line_items,
    line_items_page,
    orders_page,
)
from crossdock.channels.spec import ChannelSpec, PushSpec, ShopContext
from crossdock.core.errors import InvalidResponseError, RequestRejectedError
from crossdock.core.ratelimit import Rate
from crossdock.orders.rules.windows import ChannelLimits, Window

if TYPE_CHECKING:
    from crossdock.orders.rules.order import Order

T = TypeVar("T")


class ShopifyOrderSource:
    """One Shopify store's orders. Options: shop_domain, api_version, line_items_per_order."""

    def __init__(self, ctx: ShopContext) -> None:
        self.ctx = ctx
        self.store = ShopifyStore(ctx)
        self.line_items = _line_items_per_order(ctx)

    def pages(self, window: Window) -> Iterator[list[Order]]:
        if reads_in_bulk(self.ctx.settings, window):
            yield from BulkOrders(self.ctx, self.store).pages(window)
            return
        document, first, cost = orders_query(self.line_items)
        variables: dict[str, Any] = {"first": first, "lineItems": self.line_items, "q": search_filter(window)}
        cursor: str | None = None
        while True:
            page, orders = self._query(document, {**variables, "cursor": cursor}, cost, self._orders_page)
            yield [
                order or self._with_all_line_items(node)
                for node, order in zip(page.nodes, orders, strict=True)
            ]
            if not page.has_next:
                return
            cursor = page.end_cursor

    def _orders_page(self, data: dict[str, Any]) -> tuple[Connection, list[Order | None]]:
        """The page, and each order normalized unless it has more line items to fetch. Runs inside the
        call, so a malformed page is retried like any other invalid answer."""
        page = orders_page(data)
        return page, [
            None if has_more_line_items(node) else to_order(self.ctx.shop_id, node) for node in page.nodes
        ]

    def _with_all_line_items(self, node: dict[str, Any]) -> Order:
        """The order, its line items completed by `order(id) { lineItems(after:) }` queries."""
        document, first, cost = line_items_query()
        items = node["lineItems"]
        nodes, cursor = list(items["nodes"]), items["pageInfo"]["endCursor"]
        while True:
            variables = {"id": node["id"], "first": first, "cursor": cursor}
            page = self._query(document, variables, cost, line_items_page)
            nodes.extend(page.nodes)
            if not page.has_next:
                break
            cursor = page.end_cursor
        complete = {"pageInfo": {"hasNextPage": False, "endCursor": cursor}, "nodes": nodes}
        return to_order(self.ctx.shop_id, {**node, "lineItems": complete})

    def _query(
        self, document: str, variables: dict[str, Any], cost: int, extract: Callable[[dict[str, Any]], T]
    ) -> T:
        return self.store.query(document, variables, cost, extract)


def _line_items_per_order(ctx: ShopContext) -> int:
    value = ctx.settings.get("line_items_per_order") or LINE_ITEMS_PER_ORDER
    if not str(value).isdigit() or not 1 <= int(value) <= 250:
        raise RequestRejectedError(CHANNEL, f"option line_items_per_order {value!r} is not in 1..250")
    return int(value)


PAGE_SIZE = orders_page_size()


def minimum_calls(changed_orders: int) -> int:
    """`orders` calls for N changed orders in one paged window: one per page, at least one. A window
    read in bulk takes `bulk.MINIMUM_CALLS` whatever N (the bench compares against that)."""
    return max(1, math.ceil(changed_orders / PAGE_SIZE))


SHOP_QUERY = "query Probe { shop { name } }"


def probe(ctx: ShopContext) -> None:
    """`shop { name }`, one point of the store's bucket: the store checks the access token
    (401/403 → AuthError)."""

    def name(data: dict[str, Any]) -> str:
        shop = data.get("shop")
        if not isinstance(shop, dict) or not isinstance(shop.get("name"), str):
            raise InvalidResponseError(CHANNEL, "the shop query answered without the shop's name", status=200)
        return shop["name"]

    ShopifyStore(ctx).query(SHOP_QUERY, {}, 1, name)


SPEC = ChannelSpec(
    name=CHANNEL,
    limits=ChannelLimits(
        max_window=timedelta(
            days=1
        ),  # no documented maximum; keeps a window under the 25,000-object paging depth
        settle_lag=timedelta(minutes=2),  # the `query:` filter reads a search index updated asynchronously
        history=timedelta(days=60),  # older orders need the read_all_orders scope (PARTIAL)
        page_size=PAGE_SIZE,
    ),
    rates={OPERATION: Rate(100.0, 1000.0)},
    endpoints=ENDPOINTS,
    credential_fields=("access_token",),
    build=ShopifyOrderSource,
    minimum_calls=minimum_calls,
    stock=ShopifyStockWriter,
    probe=probe,
    # Order webhooks through Shopify's Amazon EventBridge integration (notices.py, subscriptions.py).
    push=PushSpec(
        destination_kind="eventbridge",
        account=notices.account,
        parse=notices.parse,
        read_order=read_order,
        subscribe=subscriptions.subscribe,
        unsubscribe=subscriptions.unsubscribe,
    ),
)
