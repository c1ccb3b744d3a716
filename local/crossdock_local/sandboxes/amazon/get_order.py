"""`getOrder` of the Amazon sandbox: `GET /orders/2026-01-01/orders/{orderId}` (Orders API 2026-01-01).

As the model documents it: a seller's token, `includedData` from the same enum as searchOrders
(400 `InvalidInput` otherwise), usage plan 0.5 r/s burst 30, `{"order": Order}` with the same Order
shape a searchOrders page holds (wire.render_order), 404 `NotFound` for an id the seller does not
have (another seller's order included).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from crossdock_local.sandboxes.amazon.query import InvalidInput, included_data
from crossdock_local.sandboxes.amazon.wire import Marketplace, amazon_order_id, render_order, sp_api_error
from crossdock_local.sandboxes.base import Reply
from crossdock_local.sandboxes.buckets import Rate
from crossdock_local.sandboxes.orderbook import OrderBook, SyntheticOrder

GET_ORDER = "getOrder"
GET_ORDER_RATE = Rate(0.5, 30)


def find(book: OrderBook, marketplace: Marketplace, order_id: str) -> SyntheticOrder | None:
    return next(
        (o for o in book.snapshot().values() if amazon_order_id(o.order_id, marketplace) == order_id), None
    )


def get_order(book: OrderBook, marketplace: Marketplace, query: Mapping[str, str], order_id: str) -> Reply:
    headers = {
        "x-amzn-RateLimit-Limit": str(GET_ORDER_RATE.per_second),
        "x-amzn-RequestId": str(uuid.uuid4()),
    }
    try:
        included = included_data(query)
    except InvalidInput as exc:
        return sp_api_error(400, "InvalidInput", str(exc), **headers)
    order = find(book, marketplace, order_id)
    if order is None:
        return sp_api_error(404, "NotFound", "The resource specified does not exist.", **headers)
    return Reply(200, {"order": render_order(order, marketplace, set(included))}, headers)
