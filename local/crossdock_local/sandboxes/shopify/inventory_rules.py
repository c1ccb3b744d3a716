"""The checks `inventorySetQuantities` makes before applying anything, and its payload shapes.

Messages are those of the `InventorySetQuantitiesUserErrorCode` descriptions. Compare-and-set by era
(contract 2.5): ≥ 2026-04 `changeFromQuantity` must be present on every quantity (null skips the
check; a missing one is an error without a code — the sandbox's choice, Shopify documents only that
it "returns an error"); 2026-01 uses `changeFromQuantity` when present, even null, else the legacy
rule; legacy requires `compareQuantity` unless `ignoreCompareQuantity` is true.
"""

from __future__ import annotations

import re
from typing import Any

from crossdock_local.sandboxes.shopify.inventory_sdl import ERAS

MAX_QUANTITY = 1_000_000_000
NAMES = ("available", "on_hand")
REASONS = frozenset(
    [
        "correction",
        "cycle_count_available",
        "damaged",
        "movement_created",
        "movement_updated",
        "movement_received",
        "movement_canceled",
        "other",
        "promotion",
        "quality_control",
        "received",
        "reservation_created",
        "reservation_deleted",
        "reservation_updated",
        "restock",
        "safety_stock",
        "shrinkage",
    ]
)
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


def user_error(code: str | None, path: list[str] | None, message: str) -> dict[str, Any]:
    return {"code": code, "field": path, "message": message}


def payload(errors: list[dict[str, Any]], group: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"inventoryAdjustmentGroup": group, "userErrors": errors}


Problem = tuple[str | None, str, str]  # (code, input field, message)

# Item errors: the input field each names and its message (the error code descriptions).
ITEM_ERRORS: dict[str, tuple[str, str]] = {
    "INVALID_INVENTORY_ITEM": ("inventoryItemId", "The specified inventory item could not be found."),
    "INVALID_LOCATION": ("locationId", "The specified location could not be found."),
    "ITEM_NOT_STOCKED_AT_LOCATION": (
        "locationId",
        "The specified inventory item is not stocked at the location.",
    ),
    "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR": (
        "inventoryItemId",
        "The combination of inventoryItemId and locationId must be unique.",
    ),
    "NON_MUTABLE_INVENTORY_ITEM": (
        "inventoryItemId",
        "The specified inventory item is not allowed to be adjusted via API. Example: if the inventory item is a parent bundle.",
    ),
    "INVALID_QUANTITY_NEGATIVE": ("quantity", "The quantity can't be negative."),
    "INVALID_QUANTITY_TOO_HIGH": ("quantity", "The quantity can't be higher than 1,000,000,000."),
    "INVALID_QUANTITY_TOO_LOW": ("quantity", "The quantity can't be lower than -1,000,000,000."),
    # The sandbox's reading when scripted on one item: another request on it is still running.
    "IDEMPOTENCY_CONCURRENT_REQUEST": (
        "inventoryItemId",
        "This request is currently in progress, please try again.",
    ),
}


def item_error(code: str) -> Problem:
    field, message = ITEM_ERRORS[code]
    return code, field, message


def call_errors(data: dict[str, Any]) -> list[dict[str, Any]]:
    errors = []
    if data["name"] not in NAMES:
        errors.append(
            user_error(
                "INVALID_NAME",
                ["input", "name"],
                "The quantity name must be either 'available' or 'on_hand'.",
            )
        )
    if data["reason"] not in REASONS:
        errors.append(user_error("INVALID_REASON", ["input", "reason"], "The specified reason is invalid."))
    uri = data.get("referenceDocumentUri")
    if uri is not None and not URI.fullmatch(uri):
        message = "The specified reference document is invalid."
        errors.append(user_error("INVALID_REFERENCE_DOCUMENT", ["input", "referenceDocumentUri"], message))
    return errors


def item_problem(
    levels: dict[int, int] | None, location: int | None, duplicate: bool, quantity: int
) -> Problem | None:
    """`levels` of the item (None: unknown item), `location` number (None: unknown location)."""
    if levels is None:
        return item_error("INVALID_INVENTORY_ITEM")
    if location is None:
        return item_error("INVALID_LOCATION")
    if location not in levels:
        return item_error("ITEM_NOT_STOCKED_AT_LOCATION")
    if duplicate:
        return item_error("NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR")
    if quantity < 0:
        return item_error("INVALID_QUANTITY_NEGATIVE")
    if quantity > MAX_QUANTITY:
        return item_error("INVALID_QUANTITY_TOO_HIGH")
    return None


def expected_problem(
    quantity: dict[str, Any], era: str, data: dict[str, Any], current: int
) -> Problem | None:
    """The compare-and-set check of one quantity against the `current` available quantity."""
    if "changeFromQuantity" in quantity:
        expected = quantity["changeFromQuantity"]
        if expected is not None and expected != current:
            message = "The changeFromQuantity value does not match persisted value."
            return "CHANGE_FROM_QUANTITY_STALE", "changeFromQuantity", message
        return None
    if era == ERAS[-1]:
        message = "changeFromQuantity must be given: the expected quantity, or null to skip the check."
        return None, "changeFromQuantity", message
    if data.get("ignoreCompareQuantity"):
        return None
    if quantity.get("compareQuantity") is None:
        message = "The compareQuantity argument must be given to each quantity or ignored using ignoreCompareQuantity."
        return "COMPARE_QUANTITY_REQUIRED", "compareQuantity", message
    if quantity["compareQuantity"] != current:
        return (
            "COMPARE_QUANTITY_STALE",
            "compareQuantity",
            "The compareQuantity value does not match persisted value.",
        )
    return None
