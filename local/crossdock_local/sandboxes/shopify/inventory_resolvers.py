"""GraphQL resolvers of the Shopify sandbox's inventory slice: `inventoryItem`, `location`,
`InventoryItem.inventoryLevel`, `InventoryLevel.quantities`, `InventoryAdjustmentGroup.changes` and
the `inventorySetQuantities` mutation, attached to every era's schema.

The mutation reads its idempotency key from the `@idempotent(key:)` directive on the field; from
2026-04 a call without it is a top-level error with no data (Shopify: "calling these mutations
without an idempotency directive will result in an error at runtime").
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from graphql import FieldNode, GraphQLError, GraphQLResolveInfo, GraphQLSchema
from graphql.execution.values import VariableValues, get_directive_values

from crossdock_local.sandboxes.clock import iso_z
from crossdock_local.sandboxes.shopify.inventory import Inventory, StockItem
from crossdock_local.sandboxes.shopify.inventory_sdl import ERAS, era
from crossdock_local.sandboxes.shopify.request import Prepared
from crossdock_local.sandboxes.shopify.resolvers import attach
from crossdock_local.sandboxes.shopify.store import Served

QUANTITY_NAMES = (
    "available",
    "committed",
    "damaged",
    "incoming",
    "on_hand",
    "quality_control",
    "reserved",
    "safety_stock",
)
MISSING_KEY = "The @idempotent directive with a key is required for inventorySetQuantities."


def idempotency_key(schema: GraphQLSchema, node: FieldNode, variables: VariableValues | None) -> str | None:
    directive = schema.get_directive("idempotent")
    values = get_directive_values(directive, node, variables) if directive else None
    key = (values or {}).get("key")
    return key if isinstance(key, str) else None


def mutation_key(prepared: Prepared) -> str | None:
    """The idempotency key of a prepared mutation request (before or without executing it)."""
    if not prepared.mutation or prepared.schema is None or prepared.operation is None:
        return None
    node = prepared.operation.selection_set.selections[0]
    return idempotency_key(prepared.schema, node, prepared.coerced) if isinstance(node, FieldNode) else None


def _inventory(info: GraphQLResolveInfo) -> Inventory:
    served: Served = info.context
    return served.store.inventory


def resolve_set_quantities(_root: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    served: Served = info.context
    name = era(served.version)
    key = idempotency_key(info.schema, info.field_nodes[0], info.variable_values)
    if key is None and name == ERAS[-1]:
        raise GraphQLError(MISSING_KEY, extensions={"code": "BAD_REQUEST"})
    return served.store.inventory.set_quantities(input, name, key)


def resolve_inventory_item(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    inventory = _inventory(info)
    with inventory.lock:
        item = inventory.item(id)
        return item.render() if item else None


def resolve_location(_root: Any, info: GraphQLResolveInfo, id: str | None = None) -> dict[str, Any] | None:
    inventory = _inventory(info)
    with inventory.lock:
        number = inventory.number(id) if id else min(inventory.locations, default=None)
        return inventory.render_location(number) if number is not None else None


def resolve_inventory_level(
    item: dict[str, Any], info: GraphQLResolveInfo, locationId: str
) -> dict[str, Any] | None:
    inventory, stock = _inventory(info), item["_item"]
    assert isinstance(stock, StockItem)
    with inventory.lock:
        number = inventory.number(locationId)
        if number is None or number not in stock.levels:
            return None
        return {
            "id": f"gid://shopify/InventoryLevel/{number}?inventory_item_id={stock.number}",
            "item": item,
            "location": inventory.render_location(number),
            "quantity": stock.levels[number],
            "updatedAt": iso_z(datetime.now(UTC)),
        }


def resolve_quantities(level: dict[str, Any], _info: GraphQLResolveInfo, names: list[str]) -> list[Any]:
    found = []
    for name in names:
        if name in QUANTITY_NAMES:
            quantity = level["quantity"] if name in ("available", "on_hand") else 0
            row = f"gid://shopify/InventoryQuantity/{level['location']['id'].rpartition('/')[2]}"
            found.append({"id": f"{row}?name={name}", "name": name, "quantity": quantity, "updatedAt": None})
    return found


def resolve_changes(group: dict[str, Any], _info: GraphQLResolveInfo, **filters: Any) -> list[Any]:
    names, items, locations = (filters.get(k) for k in ("quantityNames", "inventoryItemIds", "locationIds"))
    return [
        change
        for change in group["changes"]
        if (names is None or change["name"] in names)
        and (items is None or change["item"]["id"] in items)
        and (locations is None or change["location"]["id"] in locations)
    ]


attach("Mutation", "inventorySetQuantities", resolve_set_quantities)
attach("QueryRoot", "inventoryItem", resolve_inventory_item)
attach("QueryRoot", "location", resolve_location)
attach("InventoryItem", "inventoryLevel", resolve_inventory_level)
attach("InventoryLevel", "quantities", resolve_quantities)
attach("InventoryAdjustmentGroup", "changes", resolve_changes)
