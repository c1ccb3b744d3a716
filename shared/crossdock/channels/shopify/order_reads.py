"""One Shopify order by id, for an order notice: `order(id: "gid://shopify/Order/<id>")`.

The same fields as the pull's page query (`query.orders_selection`: its order node, asked at the
root), normalized by the same `orders.to_order`, its line items completed the same way when the order
has more than the query asks for, and sent through the same store client and cost bucket
(`shop.ShopifyStore`): an order read by notice and the same order read by the pull are one Order.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from crossdock.channels.shopify.cost import Kind, Selection, query_cost
from crossdock.channels.shopify.notices import LEGACY_ID
from crossdock.channels.shopify.orders import to_order
from crossdock.channels.shopify.query import document, orders_selection
from crossdock.channels.shopify.wire import CHANNEL, connection, has_more_line_items
from crossdock.core.errors import InvalidResponseError, RequestRejectedError

if TYPE_CHECKING:
    from crossdock.channels.spec import ShopContext
    from crossdock.orders.rules.order import Order

ORDER_VARIABLES = "$id: ID!, $lineItems: Int!"


def order_gid(order_id: str) -> str:
    return f"gid://shopify/Order/{order_id}"


def order_selection(line_items: int) -> tuple[Selection, ...]:
    """`order(id: $id) { … }` selecting exactly what one node of the orders page selects."""
    orders = orders_selection(1, line_items)[0]
    node = next(child for child in orders.children if child.name == "nodes")
    return (Selection("order", Kind.OBJECT, node.children, arguments="id: $id"),)


@lru_cache(maxsize=16)
def order_query(line_items: int) -> tuple[str, int]:
    """(document, requestedQueryCost) of the by-id query."""
    roots = order_selection(line_items)
    return document("CrossdockOrder", ORDER_VARIABLES, roots), query_cost(roots)


def read_order(ctx: ShopContext, order_id: str) -> Order | None:
    """The order as the pull would store it, or None when Shopify answers `order: null` (deleted,
    or beyond what the app's scopes may read)."""
    # Imported here: channel.py builds the SPEC from this module.
    from crossdock.channels.shopify.channel import ShopifyOrderSource

    if not LEGACY_ID.fullmatch(order_id):
        raise RequestRejectedError(CHANNEL, f"{order_id!r} is not a Shopify order id")
    source = ShopifyOrderSource(ctx)
    gid = order_gid(order_id)
    text, cost = order_query(source.line_items)

    def extract(data: dict[str, Any]) -> dict[str, Any] | None:
        return _order_node(data, gid)

    node = source.store.query(text, {"id": gid, "lineItems": source.line_items}, cost, extract)
    if node is None:
        return None
    if has_more_line_items(node):
        return source._with_all_line_items(node)
    return to_order(ctx.shop_id, node)


def _order_node(data: dict[str, Any], gid: str) -> dict[str, Any] | None:
    """`data.order`, checked inside the call (a malformed answer is retried like any other)."""
    if "order" not in data:
        raise InvalidResponseError(CHANNEL, "answer lacks data.order")
    node = data["order"]
    if node is None:
        return None
    if not isinstance(node, dict) or node.get("id") != gid:
        raise InvalidResponseError(CHANNEL, f"data.order is not order {gid}: {str(node)[:120]}")
    connection(node.get("lineItems"), f"lineItems of order {gid}")
    return node
