"""The read-back of stock levels (pure): one aliased `inventoryItem` per listing, as many per query as
the 1000-point single-query limit and the 250-item cap allow (3 points each: 250 per query).

    level<i>: inventoryItem(id: $item<i>) { id inventoryLevel(locationId: $location<i>) {
      quantities(names: ["available"]) { name quantity } } }

Aliases rather than `nodes(ids:)`: each listing names its own location, and the document and its
cost come from the same `Selection` tree the sandbox prices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crossdock.channels.shopify.cost import Kind, Selection, largest_first, query_cost
from crossdock.channels.shopify.query import document
from crossdock.channels.shopify.stock_wire import MAX_QUANTITIES, QUANTITY_NAME
from crossdock.channels.shopify.wire import CHANNEL
from crossdock.core.errors import InvalidResponseError


def levels_selection(count: int) -> tuple[Selection, ...]:
    """`level<i>: inventoryItem(id: $item<i>) { id inventoryLevel(locationId: $location<i>) {
    quantities(names: ["available"]) { name quantity } } }` for i < count: 3 points each."""
    quantities = Selection(
        "quantities",
        Kind.OBJECT,
        (Selection("name"), Selection("quantity")),
        arguments='names: ["available"]',
    )
    return tuple(
        Selection(
            "inventoryItem",
            Kind.OBJECT,
            (
                Selection("id"),
                Selection(
                    "inventoryLevel", Kind.OBJECT, (quantities,), arguments=f"locationId: $location{i}"
                ),
            ),
            arguments=f"id: $item{i}",
            alias=f"level{i}",
        )
        for i in range(count)
    )


READ_BATCH = largest_first(levels_selection, limit=MAX_QUANTITIES)


def levels_query(refs: Sequence[dict[str, str]]) -> tuple[str, dict[str, str], int]:
    """(document, variables, requestedQueryCost) reading the available quantity of each ref."""
    roots = levels_selection(len(refs))
    declared = ", ".join(f"$item{i}: ID!, $location{i}: ID!" for i in range(len(refs)))
    variables: dict[str, str] = {}
    for i, ref in enumerate(refs):
        variables[f"item{i}"], variables[f"location{i}"] = ref["inventory_item_id"], ref["location_id"]
    return document("CrossdockStockLevels", declared, roots), variables, query_cost(roots)


def available_quantities(data: dict[str, Any], count: int) -> list[int | None]:
    """Each alias's `available` quantity; None when Shopify knows no such item or it is not stocked at
    the location. A missing alias or quantity is InvalidResponseError, never "no stock"."""
    found: list[int | None] = []
    for i in range(count):
        if f"level{i}" not in data:
            raise InvalidResponseError(CHANNEL, f"answer lacks data.level{i}")
        level = (data[f"level{i}"] or {}).get("inventoryLevel")
        if level is None:
            found.append(None)
            continue
        quantity = next(
            (q.get("quantity") for q in level.get("quantities") or [] if q.get("name") == QUANTITY_NAME), None
        )
        if not isinstance(quantity, int):
            raise InvalidResponseError(CHANNEL, f"level{i} lacks an `available` quantity")
        found.append(quantity)
    return found
