"""Shopify stock on the wire (pure): the mutation document and variables per API version, idempotency
keys, the reference URI, userErrors mapping, and the read-back query and its cost."""

from __future__ import annotations

from typing import Any

import pytest
from crossdock.channels.shopify.cost import MAX_QUERY_COST
from crossdock.channels.shopify.levels import READ_BATCH, available_quantities, levels_query
from crossdock.channels.shopify.stock_wire import (
    SET_COST,
    PreviousAttemptFailed,
    idempotency_key,
    reference_uri,
    set_document,
    set_input,
    user_errors,
)
from crossdock.core.errors import InvalidResponseError, RequestRejectedError, RetryableError
from crossdock.stock.rules.sellable import Listing, QuantityUpdate
from crossdock_local.sandboxes.shopify.cost import requested_cost
from crossdock_local.sandboxes.shopify.schema import schema_for, selections
from graphql import OperationDefinitionNode, parse, validate
from graphql.execution.values import get_variable_values


def update(n: int, quantity: int = 7, last: int | None = 5, version: int = 1) -> QuantityUpdate:
    ref = {"inventory_item_id": f"gid://shopify/InventoryItem/{n}", "location_id": "gid://shopify/Location/9"}
    return QuantityUpdate(Listing(f"SKU-{n}", "shopify", "shop-1", ref, last), quantity, version)


def sandbox_cost_and_problems(version: str, text: str, variables: dict[str, Any]) -> tuple[int, list[str]]:
    """What the sandbox's schema slice for `version` says of a document: its cost and its problems."""
    schema = schema_for(version)
    document = parse(text)
    problems = [p.message for p in validate(schema, document)]
    if problems:
        return 0, problems
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables)
    if isinstance(coerced, list):
        return 0, [p.message for p in coerced]
    return requested_cost(selections(operation, {}, coerced, schema)), []


def test_before_2026_each_quantity_carries_compare_quantity_and_no_idempotency_key() -> None:
    # Given
    updates = [update(1, 7, last=5), update(2, 0, last=3)]

    # When
    document, wire = set_document("2025-10"), set_input(updates, "2025-10", "gid://crossdock/StockPush/r1")

    # Then
    assert "@idempotent" not in document and "$key" not in document
    assert wire == {
        "name": "available",
        "reason": "correction",
        "referenceDocumentUri": "gid://crossdock/StockPush/r1",
        "ignoreCompareQuantity": False,
        "quantities": [
            {
                "inventoryItemId": "gid://shopify/InventoryItem/1",
                "locationId": "gid://shopify/Location/9",
                "quantity": 7,
                "compareQuantity": 5,
            },
            {
                "inventoryItemId": "gid://shopify/InventoryItem/2",
                "locationId": "gid://shopify/Location/9",
                "quantity": 0,
                "compareQuantity": 3,
            },
        ],
    }


def test_before_2026_listings_never_pushed_skip_the_check_for_their_whole_call() -> None:
    # When
    wire = set_input([update(1, last=None), update(2, last=None)], "2025-07", "gid://crossdock/StockPush/r")

    # Then
    assert wire["ignoreCompareQuantity"] is True
    assert all("compareQuantity" not in q for q in wire["quantities"])


@pytest.mark.parametrize("version", ["2026-01", "2026-04", "2026-07", "unstable"])
def test_from_2026_change_from_quantity_and_the_idempotent_directive(version: str) -> None:
    # When
    document = set_document(version)
    wire = set_input([update(1, last=5), update(2, last=None)], version, "gid://crossdock/StockPush/r")

    # Then: explicit null only for the listing never pushed; no legacy fields
    assert "inventorySetQuantities(input: $input) @idempotent(key: $key)" in document
    assert "$key: String!" in document
    assert [q["changeFromQuantity"] for q in wire["quantities"]] == [5, None]
    assert "changeFromQuantity" in wire["quantities"][1]
    assert "ignoreCompareQuantity" not in wire
    assert all("compareQuantity" not in q for q in wire["quantities"])


@pytest.mark.parametrize("version", ["2025-10", "2026-01", "2026-04"])
def test_each_versions_mutation_validates_against_that_versions_schema_at_10_points(version: str) -> None:
    # Given
    wire = set_input(
        [update(1), update(2, last=None)][: 1 if version < "2026" else 2], version, "gid://a/B/1"
    )
    variables = {"input": wire, "key": "k-1"} if version >= "2026" else {"input": wire}

    # When
    cost, problems = sandbox_cost_and_problems(version, set_document(version), variables)

    # Then
    assert problems == [] and cost == SET_COST == 10


def test_the_2026_document_is_refused_by_the_2025_schema_and_the_legacy_one_by_2026_04() -> None:
    # When
    _, new_on_old = sandbox_cost_and_problems("2025-10", set_document("2026-04"), {})
    legacy_input = set_input([update(1)], "2025-10", "gid://a/B/1")
    _, old_on_new = sandbox_cost_and_problems("2026-04", set_document("2025-10"), {"input": legacy_input})

    # Then
    assert any("idempotent" in problem for problem in new_on_old)
    assert any("compareQuantity" in problem for problem in old_on_new)


def test_idempotency_keys_follow_the_content_only() -> None:
    # Given
    first = set_input([update(1, 7)], "2026-04", "gid://crossdock/StockPush/r")
    same = set_input([update(1, 7)], "2026-04", "gid://crossdock/StockPush/r")
    other = set_input([update(1, 8)], "2026-04", "gid://crossdock/StockPush/r")

    # When
    key = idempotency_key("shop-1", first)

    # Then
    assert key == idempotency_key("shop-1", same)
    assert len({key, idempotency_key("shop-1", other), idempotency_key("shop-2", first)}) == 3
    assert idempotency_key("shop-1", first, 1) not in (key, idempotency_key("shop-1", first, 2))
    assert len(key) == 36 and key.count("-") == 4


def test_the_reference_uri_names_the_push_by_its_listings_and_versions() -> None:
    # When
    uri = reference_uri([update(1, version=3), update(2, version=4)])

    # Then
    assert uri.startswith("gid://crossdock/StockPush/") and len(uri.rpartition("/")[2]) == 16
    assert uri == reference_uri([update(2, version=4), update(1, version=3)])
    assert uri != reference_uri([update(1, version=3), update(2, version=5)])


def payload(*errors: dict[str, Any]) -> dict[str, Any]:
    group = None if errors else {"id": "gid://shopify/InventoryAdjustmentGroup/1"}
    return {"inventorySetQuantities": {"inventoryAdjustmentGroup": group, "userErrors": list(errors)}}


def test_user_errors_name_their_item_by_the_field_path() -> None:
    # Given
    answer = payload(
        {
            "code": "CHANGE_FROM_QUANTITY_STALE",
            "field": ["input", "quantities", "1", "changeFromQuantity"],
            "message": "stale",
        },
        {
            "code": "INVALID_INVENTORY_ITEM",
            "field": ["input", "quantities", "0", "inventoryItemId"],
            "message": "gone",
        },
        {"code": "ITEM_NOT_STOCKED_AT_LOCATION", "field": None, "message": "vague"},
        {
            "code": "INVALID_LOCATION",
            "field": ["input", "quantities", "7", "locationId"],
            "message": "beyond",
        },
    )

    # When
    errors = user_errors(answer, 3)

    # Then: an index past the call's items names nothing
    assert [(e.code, e.index) for e in errors] == [
        ("CHANGE_FROM_QUANTITY_STALE", 1),
        ("INVALID_INVENTORY_ITEM", 0),
        ("ITEM_NOT_STOCKED_AT_LOCATION", None),
        ("INVALID_LOCATION", None),
    ]
    assert user_errors(payload(), 3) == []


@pytest.mark.parametrize(
    ("error", "fault"),
    [
        ({"code": "IDEMPOTENCY_CONCURRENT_REQUEST", "field": None}, RetryableError),
        ({"code": "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED", "field": None}, PreviousAttemptFailed),
        ({"code": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH", "field": None}, RequestRejectedError),
        ({"code": "INVALID_REASON", "field": ["input", "reason"]}, RequestRejectedError),
        (
            {"code": "COMPARE_QUANTITY_REQUIRED", "field": ["input", "quantities", "0", "compareQuantity"]},
            RequestRejectedError,
        ),
        ({"code": None, "field": ["input", "referenceDocumentUri"]}, RequestRejectedError),
    ],
)
def test_call_level_user_errors_raise_their_typed_fault(
    error: dict[str, Any], fault: type[Exception]
) -> None:
    # When / Then
    with pytest.raises(fault) as caught:
        user_errors(payload({**error, "message": "m"}), 2)
    assert type(caught.value) is fault


def test_the_retryable_concurrent_request_keeps_its_code() -> None:
    # When
    with pytest.raises(RetryableError) as caught:
        user_errors(payload({"code": "IDEMPOTENCY_CONCURRENT_REQUEST", "field": None, "message": "busy"}), 1)

    # Then
    assert caught.value.code == "IDEMPOTENCY_CONCURRENT_REQUEST"


@pytest.mark.parametrize("data", [{}, {"inventorySetQuantities": None}, {"inventorySetQuantities": {}}])
def test_an_answer_without_the_payload_is_invalid_never_accepted(data: dict[str, Any]) -> None:
    with pytest.raises(InvalidResponseError):
        user_errors(data, 1)


def test_the_read_back_reads_250_listings_per_query_within_the_cost_limit() -> None:
    # Given
    refs = [update(n).listing.ref for n in range(READ_BATCH)]

    # When
    text, variables, cost = levels_query(refs)

    # Then: 3 points per listing, priced alike by the sandbox
    assert READ_BATCH == 250 and cost == 750 <= MAX_QUERY_COST
    assert variables["item249"] == "gid://shopify/InventoryItem/249"
    assert sandbox_cost_and_problems("2026-04", text, variables) == (750, [])
    assert sandbox_cost_and_problems("2025-10", text, variables) == (750, [])


def test_levels_are_read_per_alias_and_unknown_items_are_none() -> None:
    # Given
    level = {"inventoryLevel": {"quantities": [{"name": "available", "quantity": 4}]}}
    data = {"level0": level, "level1": None, "level2": {"id": "x", "inventoryLevel": None}}

    # When / Then
    assert available_quantities(data, 3) == [4, None, None]


@pytest.mark.parametrize(
    "data",
    [
        {"level0": {"inventoryLevel": {"quantities": [{"name": "available", "quantity": 4}]}}},
        {"level0": None, "level1": {"inventoryLevel": {"quantities": []}}},
        {"level0": None, "level1": {"inventoryLevel": {"quantities": [{"name": "on_hand", "quantity": 1}]}}},
    ],
)
def test_a_missing_alias_or_quantity_is_invalid_never_zero(data: dict[str, Any]) -> None:
    with pytest.raises(InvalidResponseError):
        available_quantities(data, 2)
