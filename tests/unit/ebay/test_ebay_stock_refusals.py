"""eBay's per-entry refusals: the errorId table that makes one "rejected" (permanent, a person looks) or
"failed" (transient, retried), the rules for ids the table does not know, and the outcome's code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from crossdock.channels.ebay.stock_wire import ERROR_OUTCOMES, REVISION_CAP, entry_verdict, outcome_of
from crossdock.stock.rules.sellable import Listing, QuantityUpdate
from crossdock_local.sandboxes.ebay import inventory as ebay_inventory
from crossdock_local.sandboxes.ebay import stock as ebay_stock

MODEL = Path(__file__).resolve().parents[2] / "contracts" / "models" / "ebay" / "sell_inventory_v1_oas3.json"
UPDATE = QuantityUpdate(Listing("SKU-1", "ebay", "shop-1", {"sku": "SKU-1", "offer_id": "9483012010"}), 3, 1)


def entry(status: int, *error_ids: int, offer: bool = True) -> dict[str, Any]:
    errors = [{"errorId": i, "domain": "API_INVENTORY", "message": f"text {i}"} for i in error_ids]
    found: dict[str, Any] = {"sku": "SKU-1", "statusCode": status, "errors": errors}
    return {**found, "offerId": "9483012010"} if offer else found


def documented_ids() -> dict[str, str]:
    """Every errorId the vendored Sell Inventory model documents, with its category."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for error_id, spec in node.get("x-response-codes", {}).get("errors", {}).items():
                found[error_id] = spec["category"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(MODEL.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize(
    ("status", "error_ids", "expected"),
    [
        (400, (25002,), ("rejected", "25002")),  # any user error: unknown or foreign offer
        (400, (25709,), ("rejected", "25709")),  # invalid value
        (400, (25713,), ("rejected", "25713")),  # offer not available
        (404, (25702,), ("rejected", "25702")),  # SKU not available
        (400, (25759,), ("rejected", "25759")),  # below the auction allocation
        (400, (25019,), ("failed", "25019")),  # the daily revision cap: clears tomorrow
        (500, (25001,), ("failed", "25001")),  # system error
        (500, (25025,), ("failed", "25025")),  # concurrent access, try again later
        (500, (25002,), ("failed", "25002")),  # a 5xx entry is transient whatever its id
        (429, (), ("failed", "")),
        (400, (), ("rejected", "")),  # a 4xx without an id: a person looks
        (400, (99999,), ("rejected", "99999")),  # an id we do not know: a person looks
        (400, (25019, 25709), ("rejected", "25709")),  # one permanent error makes the entry permanent
        (200, (), ("accepted", "")),
    ],
)
def test_each_entry_is_classed_by_its_error_ids_and_status(
    status: int, error_ids: tuple[int, ...], expected: tuple[str, str]
) -> None:
    # When
    verdict = entry_verdict(entry(status, *error_ids))

    # Then
    assert verdict == expected


def test_the_table_holds_only_documented_ids_and_every_id_the_operation_documents() -> None:
    # Given
    documented = documented_ids()

    # Then: every classified id is eBay's; bulkUpdatePriceQuantity's own four are all classified
    assert set(ERROR_OUTCOMES) <= set(documented)
    assert {ERROR_OUTCOMES[i] for i in ("25002", "25709", "25759")} == {"rejected"}
    assert ERROR_OUTCOMES["25001"] == "failed" and documented["25001"] == "APPLICATION"
    assert ERROR_OUTCOMES[REVISION_CAP] == "failed"
    assert set(ERROR_OUTCOMES.values()) == {"rejected", "failed"}


def test_the_sandbox_scripts_only_ebays_ids_and_caps_revisions_with_the_adapters_id() -> None:
    # Given
    documented = documented_ids()

    # Then
    assert {str(i) for i in ebay_stock.REFUSAL_TEXTS} <= set(documented)
    assert str(ebay_inventory.REVISION_CAP) == REVISION_CAP
    assert {documented[str(i)] for i in ebay_stock.SERVER_ERRORS} == {"APPLICATION"}


def test_the_worst_entry_of_an_update_decides_and_its_error_id_is_the_code() -> None:
    # Given: the offer entry met a system error, the item-level entry a permanent refusal
    entries = [entry(500, 25001), entry(400, 25759, offer=False)]

    # When
    outcome = outcome_of(UPDATE, entries)

    # Then
    assert (outcome.status, outcome.code) == ("rejected", "25759")
    assert outcome.detail == "25001: text 25001; 25759: text 25759"


def test_a_transient_refusal_carries_its_code_and_message() -> None:
    # When
    outcome = outcome_of(UPDATE, [entry(200, offer=False), entry(400, 25019)])

    # Then
    assert (outcome.status, outcome.code, outcome.detail) == ("failed", "25019", "25019: text 25019")
    assert outcome.observed is None
