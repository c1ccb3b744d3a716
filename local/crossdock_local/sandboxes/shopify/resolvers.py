"""GraphQL resolvers of the Shopify sandbox: `shop`, `orders` and `order` on the query root, and the lists
below an order, paged with keyset cursors like Shopify's.

`orders` requires `first` (0..250; `last`/`before` are not emulated), applies the `query:` search
syntax (`search.py`), sorts by `sortKey` (UPDATED_AT, CREATED_AT/PROCESSED_AT, else ID) and
`reverse`, and starts after the `after` cursor's (sort value, id), so rows that leave the result do not
shift the rows behind them. `attach` sets a resolver on every era's schema (`schema.py.SCHEMAS`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, GraphQLObjectType, GraphQLResolveInfo

from crossdock_local.sandboxes.clock import iso_z
from crossdock_local.sandboxes.shopify.schema import SCHEMAS
from crossdock_local.sandboxes.shopify.search import decode_cursor, encode_cursor, parse_search
from crossdock_local.sandboxes.shopify.store import Served, Store

MAX_FIRST = 250
UNPAGED = 10**9  # a bulk query reads whole connections (bulk_resolvers.py)

SORT_VALUE = {"UPDATED_AT": 1, "CREATED_AT": 2, "PROCESSED_AT": 2}


def _connection(
    rows: list[tuple[str, int, Any]],
    first: int,
    after: str | None,
    reverse: bool,
    render: Callable[[Any], Any] = lambda item: item,
) -> dict[str, Any]:
    """Keyset page over rows of (sort value, id, item); only the page's items are rendered."""
    rows = sorted(rows, key=lambda row: (row[0], row[1]), reverse=reverse)
    if after:
        try:
            mark = decode_cursor(after)
        except ValueError:
            raise GraphQLError("Invalid cursor for current pagination sort.") from None
        if reverse:
            rows = [row for row in rows if (row[0], row[1]) < mark]
        else:  # keyset seek: rows are sorted ascending by (value, id)
            rows = rows[bisect.bisect_right(rows, mark, key=lambda row: (row[0], row[1])) :]
    page = rows[:first]
    cursors = [encode_cursor(row[1], row[0]) for row in page]
    nodes = [render(row[2]) for row in page]
    return {
        "nodes": nodes,
        "edges": [{"cursor": cursor, "node": node} for cursor, node in zip(cursors, nodes, strict=True)],
        "pageInfo": {
            "hasNextPage": len(rows) > first,
            "hasPreviousPage": bool(after),
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }


def _page_size(first: int | None, last: int | None, before: str | None) -> int:
    if last is not None or before is not None:
        raise GraphQLError("The sandbox pages forward only (first/after).")
    if first is None:
        raise GraphQLError("you must provide one of first or last")
    if not 0 <= first <= MAX_FIRST:
        raise GraphQLError(f"The value of first must be between 0 and {MAX_FIRST}, got {first}.")
    return first


def resolve_orders(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    served: Served = info.context
    store = served.store
    first = UNPAGED if served.bulk else _page_size(args.get("first"), args.get("last"), args.get("before"))
    search = parse_search(args.get("query") or "")
    if search.warnings:
        served.search_warnings.append(
            {"path": ["orders"], "query": args.get("query"), "warnings": search.warnings}
        )
    column = SORT_VALUE.get(args.get("sortKey") or "PROCESSED_AT", 0)
    key = (id(store), args.get("query") or "", column, store.book.revision)
    rows = _MATCHES.get(key)
    if rows is None:  # the book changed or a new search: match and sort once, page many times
        rows = []
        for order, updated, created in store.orders(search):
            number = store.number(order)
            value = (str(number).zfill(16), iso_z(updated), iso_z(created))[column]
            rows.append((value, number, order))
        rows.sort(key=lambda row: (row[0], row[1]))
        if len(_MATCHES) >= 16:
            _MATCHES.pop(next(iter(_MATCHES)))
        _MATCHES[key] = rows
    return _connection(rows, first, args.get("after"), bool(args.get("reverse")), store.render)


_MATCHES: dict[tuple[int, str, int, int], list[tuple[str, int, Any]]] = {}


def resolve_order(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    store: Store = info.context.store
    prefix, _, number = id.rpartition("/")
    book_id = (
        store.by_number.get(int(number)) if prefix == "gid://shopify/Order" and number.isdigit() else None
    )
    order = store.book.get(book_id) if book_id else None
    return store.render(order) if order else None


def resolve_line_items(order: dict[str, Any], info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    bulk = info.context.bulk
    first = UNPAGED if bulk else _page_size(args.get("first"), args.get("last"), args.get("before"))
    rows = [("", int(item["id"].rpartition("/")[2]), item) for item in order["lineItems"]]
    return _connection(rows, first, args.get("after"), bool(args.get("reverse")))


def resolve_first(parent: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None) -> list[Any]:
    items = parent.get(info.field_name) or []
    return items if first is None else items[: max(first, 0)]


def attach(type_name: str, field_name: str, resolver: Any) -> None:
    for schema in SCHEMAS.values():
        object_type = schema.get_type(type_name)
        assert isinstance(object_type, GraphQLObjectType)
        object_type.fields[field_name].resolve = resolver


def resolve_shop(_root: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    """`shop { name }`: what `crossdock shops rotate` asks to check a store's token."""
    return {"name": info.context.store.book.shop}


attach("QueryRoot", "shop", resolve_shop)
attach("QueryRoot", "orders", resolve_orders)
attach("QueryRoot", "order", resolve_order)
attach("Order", "lineItems", resolve_line_items)
attach("Order", "fulfillments", resolve_first)
attach("Fulfillment", "trackingInfo", resolve_first)
