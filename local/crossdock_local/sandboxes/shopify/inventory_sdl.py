"""The inventory slice of the Shopify Admin GraphQL schema, per API version era.

Types follow the Admin API reference for `inventorySetQuantities`, `InventoryItem.inventoryLevel`
and `InventoryLevel.quantities`. What differs by version (contract 2.5):
- `legacy` (≤ 2025-10): `InventoryQuantityInput.compareQuantity`, `ignoreCompareQuantity`; no
  `changeFromQuantity`, no `@idempotent` directive (a document using either fails validation).
- `2026-01`: adds `changeFromQuantity` (nullable; an explicit null skips the check) and the optional
  `@idempotent(key:)` directive, with the CHANGE_FROM_QUANTITY_STALE and IDEMPOTENCY_* codes.
- `2026-04` (and later, `unstable`): `compareQuantity` and `ignoreCompareQuantity` removed;
  `changeFromQuantity` must be given on every quantity and the directive on every call (runtime
  checks: the schema cannot say "present but nullable").
"""

from __future__ import annotations

ERAS = ("legacy", "2026-01", "2026-04")

LEGACY_CODES = """
  COMPARE_QUANTITY_REQUIRED COMPARE_QUANTITY_STALE INVALID_INVENTORY_ITEM INVALID_LOCATION INVALID_NAME
  INVALID_QUANTITY_NEGATIVE INVALID_QUANTITY_TOO_HIGH INVALID_QUANTITY_TOO_LOW INVALID_REASON
  INVALID_REFERENCE_DOCUMENT ITEM_NOT_STOCKED_AT_LOCATION NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR
  NON_MUTABLE_INVENTORY_ITEM
"""
NEW_CODES = """
  CHANGE_FROM_QUANTITY_STALE IDEMPOTENCY_CONCURRENT_REQUEST IDEMPOTENCY_KEY_PARAMETER_MISMATCH
  IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED
"""

COMMON = """
extend schema { mutation: Mutation }
extend type QueryRoot {
  inventoryItem(id: ID!): InventoryItem
  location(id: ID): Location
}
type Location { id: ID! name: String! }
type InventoryQuantity { id: ID! name: String! quantity: Int! updatedAt: DateTime }
type InventoryLevel {
  id: ID! item: InventoryItem! location: Location! updatedAt: DateTime!
  quantities(names: [String!]!): [InventoryQuantity!]!
}
type InventoryItem {
  id: ID! sku: String tracked: Boolean! legacyResourceId: UnsignedInt64!
  inventoryLevel(locationId: ID!): InventoryLevel
}
type InventoryChange {
  delta: Int! item: InventoryItem location: Location name: String! quantityAfterChange: Int
}
type InventoryAdjustmentGroup {
  id: ID! createdAt: DateTime! reason: String! referenceDocumentUri: String
  changes(inventoryItemIds: [ID!], locationIds: [ID!], quantityNames: [String!]): [InventoryChange!]!
}
type InventorySetQuantitiesUserError {
  code: InventorySetQuantitiesUserErrorCode field: [String!] message: String!
}
type InventorySetQuantitiesPayload {
  inventoryAdjustmentGroup: InventoryAdjustmentGroup
  userErrors: [InventorySetQuantitiesUserError!]!
}
type Mutation { inventorySetQuantities(input: InventorySetQuantitiesInput!): InventorySetQuantitiesPayload }
"""

INPUTS = {
    "legacy": """
input InventoryQuantityInput { compareQuantity: Int inventoryItemId: ID! locationId: ID! quantity: Int! }
input InventorySetQuantitiesInput {
  ignoreCompareQuantity: Boolean = false name: String! quantities: [InventoryQuantityInput!]!
  reason: String! referenceDocumentUri: String
}
""",
    "2026-01": """
directive @idempotent(key: String!) on FIELD
input InventoryQuantityInput {
  changeFromQuantity: Int compareQuantity: Int inventoryItemId: ID! locationId: ID! quantity: Int!
}
input InventorySetQuantitiesInput {
  ignoreCompareQuantity: Boolean = false name: String! quantities: [InventoryQuantityInput!]!
  reason: String! referenceDocumentUri: String
}
""",
    "2026-04": """
directive @idempotent(key: String!) on FIELD
input InventoryQuantityInput { changeFromQuantity: Int inventoryItemId: ID! locationId: ID! quantity: Int! }
input InventorySetQuantitiesInput {
  name: String! quantities: [InventoryQuantityInput!]! reason: String! referenceDocumentUri: String
}
""",
}


def era(version: str) -> str:
    """The era an API version ("YYYY-MM" or "unstable") belongs to."""
    if version >= "2026-04":
        return "2026-04"
    return "2026-01" if version >= "2026-01" else "legacy"


def inventory_sdl(name: str) -> str:
    codes = LEGACY_CODES if name == "legacy" else LEGACY_CODES + NEW_CODES
    return f"{COMMON}\nenum InventorySetQuantitiesUserErrorCode {{ {codes} }}\n{INPUTS[name]}"
