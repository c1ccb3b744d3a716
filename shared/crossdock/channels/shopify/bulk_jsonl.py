"""A bulk operation's JSONL file → pages of normalized Orders, one line at a time (pure).

Each line is one object. A nested connection's nodes are lines of their own carrying
`"__parentId": "<parent gid>"`; objects that are not connections stay inline (push-contracts §3.4).
With `groupObjects: true` (which we pass) each order's line items follow it, before the next order,
so an order is complete when the next order's line (or the end of the file) arrives: memory holds one
page of orders, never the file. A child line whose parent is not the order just read means the file is
not grouped: InvalidResponseError (retried), never an order missing its line items.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from crossdock.channels.shopify.orders import to_order
from crossdock.channels.shopify.wire import CHANNEL
from crossdock.core.errors import InvalidResponseError
from crossdock.orders.rules.order import Order

PAGE_ORDERS = 250
PARENT = "__parentId"
LINE_ITEM = "gid://shopify/LineItem/"


def complete(order: dict[str, Any], line_items: list[dict[str, Any]]) -> dict[str, Any]:
    """The order node as the page query answers it, its line items all in."""
    done = {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": line_items}
    return {**order, "lineItems": done}


def order_nodes(lines: Iterable[bytes | str]) -> Iterator[dict[str, Any]]:
    """Each order of the file with its `lineItems` reassembled from its child lines."""
    order: dict[str, Any] | None = None
    items: list[dict[str, Any]] = []
    for number, raw in enumerate(lines, 1):
        if not raw or not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise InvalidResponseError(CHANNEL, f"bulk file line {number} is not JSON") from exc
        if not isinstance(value, dict) or not isinstance(value.get("id"), str):
            raise InvalidResponseError(CHANNEL, f"bulk file line {number} is not an object with an id")
        parent = value.pop(PARENT, None)
        if parent is None:
            if order is not None:
                yield complete(order, items)
            order, items = value, []
        elif order is not None and parent == order["id"]:
            if value["id"].startswith(LINE_ITEM):
                items.append(value)
        else:
            raise InvalidResponseError(
                CHANNEL, f"bulk file line {number}: child of {parent!r} not after its parent (not grouped)"
            )
    if order is not None:
        yield complete(order, items)


def order_pages(shop_id: str, lines: Iterable[bytes | str], size: int = PAGE_ORDERS) -> Iterator[list[Order]]:
    """Pages of `size` normalized Orders (the last one shorter); nothing for an empty file."""
    page: list[Order] = []
    for node in order_nodes(lines):
        page.append(to_order(shop_id, node))
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page
