"""The two GraphQL documents the Shopify adapter sends, written once as `Selection` trees so their text
and their cost come from the same definition.

`orders(first: $first, after: $cursor, query: $q, sortKey: UPDATED_AT)` reads a window page by page;
`order(id:) { lineItems(after:) }` fetches the rest of an order's line items when it has more than the
`lineItems(first:)` of the page query (rare). Page sizes are the largest whose requestedQueryCost stays
within Shopify's single-query maximum (see `cost.py`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from crossdock.channels.shopify.cost import Kind, Selection, largest_first, query_cost
from crossdock.core.times import iso_z

if TYPE_CHECKING:
    from crossdock.orders.rules.windows import Window

LINE_ITEMS_PER_ORDER = 5  # most orders have 1-3 items; each extra item slot costs 3 points per order
FULFILLMENTS_PER_ORDER = 5

PAGE_INFO = Selection("pageInfo", Kind.OBJECT, (Selection("hasNextPage"), Selection("endCursor")))


def _object(name: str, *fields: Selection | str) -> Selection:
    children = tuple(Selection(f) if isinstance(f, str) else f for f in fields)
    return Selection(name, Kind.OBJECT, children)


def _money(name: str) -> Selection:
    return _object(name, _object("shopMoney", "amount", "currencyCode"))


LINE_ITEM = _object("nodes", "id", "sku", "name", "quantity", _money("originalUnitPriceSet"))


def _line_items(first: int, arguments: str) -> Selection:
    return Selection("lineItems", Kind.CONNECTION, (PAGE_INFO, LINE_ITEM), first, arguments)


def orders_selection(first: int, line_items: int) -> tuple[Selection, ...]:
    """The page query's root field: `first` orders, each with up to `line_items` line items."""
    order = _object(
        "nodes",
        *("id", "name", "createdAt", "updatedAt", "cancelledAt", "closed", "note"),
        *("displayFinancialStatus", "displayFulfillmentStatus", "currencyCode"),
        _money("totalPriceSet"),
        _object("customer", "displayName"),
        _object("billingAddress", "name"),
        _line_items(line_items, "first: $lineItems"),
        Selection(
            "fulfillments",
            Kind.LIST,
            (_object("trackingInfo", "company", "number"),),
            FULFILLMENTS_PER_ORDER,
            f"first: {FULFILLMENTS_PER_ORDER}",
        ),
    )
    arguments = "first: $first, after: $cursor, query: $q, sortKey: UPDATED_AT"
    return (Selection("orders", Kind.CONNECTION, (PAGE_INFO, order), first, arguments),)


def line_items_selection(first: int) -> tuple[Selection, ...]:
    """The follow-up query's root field: the next `first` line items of one order."""
    line_items = _line_items(first, "first: $first, after: $cursor")
    return (Selection("order", Kind.OBJECT, (Selection("id"), line_items), arguments="id: $id"),)


def render(selection: Selection) -> str:
    head = f"{selection.alias}: {selection.name}" if selection.alias else selection.name
    if selection.arguments:
        head += f"({selection.arguments})"
    if selection.children:
        head += " { " + " ".join(render(child) for child in selection.children) + " }"
    return head


def document(operation: str, variables: str, roots: tuple[Selection, ...]) -> str:
    return f"query {operation}({variables}) {{ " + " ".join(render(root) for root in roots) + " }"


ORDERS_VARIABLES = "$first: Int!, $lineItems: Int!, $cursor: String, $q: String!"
LINE_ITEMS_VARIABLES = "$id: ID!, $first: Int!, $cursor: String"


@lru_cache(maxsize=16)
def orders_page_size(line_items: int = LINE_ITEMS_PER_ORDER) -> int:
    """The largest `first` whose page query stays within the single-query maximum."""
    return largest_first(lambda first: orders_selection(first, line_items))


LINE_ITEMS_PAGE_SIZE = largest_first(line_items_selection)


def orders_query(line_items: int) -> tuple[str, int, int]:
    """(document, page size, requestedQueryCost) of the page query."""
    first = orders_page_size(line_items)
    roots = orders_selection(first, line_items)
    return document("CrossdockOrders", ORDERS_VARIABLES, roots), first, query_cost(roots)


def line_items_query() -> tuple[str, int, int]:
    """(document, page size, requestedQueryCost) of the line-item follow-up query."""
    roots = line_items_selection(LINE_ITEMS_PAGE_SIZE)
    return (
        document("CrossdockOrderLineItems", LINE_ITEMS_VARIABLES, roots),
        LINE_ITEMS_PAGE_SIZE,
        query_cost(roots),
    )


def search_filter(window: Window) -> str:
    """Shopify search syntax for "modified within the window", both ends inclusive. Shopify stamps
    `updatedAt` in whole seconds, so seconds precision loses nothing at the end."""
    return f"updated_at:>='{iso_z(window.start)}' AND updated_at:<='{iso_z(window.end)}'"
