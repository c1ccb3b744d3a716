"""Shopify's item errors: the userError code table that makes an item stale, rejected (permanent, a
person looks) or failed (transient, retried), and codes the table does not know."""

from __future__ import annotations

from typing import Any

import pytest
from crossdock.channels.shopify.stock_wire import (
    CALL_LEVEL,
    ITEM_OUTCOMES,
    PREVIOUS_FAILED,
    STALE,
    item_outcome,
    user_errors,
)
from crossdock_local.sandboxes.shopify.inventory_sdl import LEGACY_CODES, NEW_CODES


def named(code: str | None, index: int, message: str = "m") -> dict[str, Any]:
    return {"code": code, "field": ["input", "quantities", str(index), "inventoryItemId"], "message": message}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("CHANGE_FROM_QUANTITY_STALE", "stale"),
        ("COMPARE_QUANTITY_STALE", "stale"),
        ("INVALID_INVENTORY_ITEM", "rejected"),
        ("INVALID_LOCATION", "rejected"),
        ("ITEM_NOT_STOCKED_AT_LOCATION", "rejected"),
        ("NON_MUTABLE_INVENTORY_ITEM", "rejected"),
        ("INVALID_QUANTITY_NEGATIVE", "rejected"),
        ("INVALID_QUANTITY_TOO_HIGH", "rejected"),
        ("INVALID_QUANTITY_TOO_LOW", "rejected"),
        ("NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR", "rejected"),
        ("IDEMPOTENCY_CONCURRENT_REQUEST", "failed"),
        ("A_CODE_SHOPIFY_ADDS_LATER", "rejected"),  # unknown: a person looks
        (None, "rejected"),
    ],
)
def test_each_item_error_code_has_its_outcome(code: str | None, expected: str) -> None:
    # When / Then
    assert item_outcome(code) == expected


def test_every_documented_code_is_either_an_item_outcome_or_about_the_call() -> None:
    # Given: the enum of the sandbox's schema (contract 2.5)
    documented = set((LEGACY_CODES + NEW_CODES).split())

    # Then
    assert set(ITEM_OUTCOMES) | CALL_LEVEL | {PREVIOUS_FAILED} == documented
    assert not set(ITEM_OUTCOMES) & CALL_LEVEL
    assert {"CHANGE_FROM_QUANTITY_STALE", "COMPARE_QUANTITY_STALE"} == STALE


def test_a_concurrent_request_naming_an_item_is_that_items_error_not_a_call_fault() -> None:
    # Given
    data = {
        "inventorySetQuantities": {
            "inventoryAdjustmentGroup": None,
            "userErrors": [named("IDEMPOTENCY_CONCURRENT_REQUEST", 1, "in progress")],
        }
    }

    # When
    [error] = user_errors(data, 2)

    # Then
    assert (error.code, error.index, error.message) == ("IDEMPOTENCY_CONCURRENT_REQUEST", 1, "in progress")
