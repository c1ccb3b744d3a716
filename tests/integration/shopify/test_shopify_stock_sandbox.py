"""The Shopify sandbox's inventory wire shapes, seen with a plain HTTP client: the contract's mutation,
cost, the 250-item cap, compare-and-set per version, idempotency keys, scripted per-item refusals and
the level query."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests
from crossdock_local.sandboxes.base import SandboxShop
from crossdock_local.sandboxes.orderbook import OrderBook
from crossdock_local.sandboxes.shopify.server import ShopifySandbox

CONTRACT_MUTATION = """
mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason referenceDocumentUri
      changes(quantityNames: ["available"]) { name delta quantityAfterChange item { id } location { id } } }
    userErrors { code field message }
  }
}"""
LEGACY_MUTATION = """
mutation Set($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) { inventoryAdjustmentGroup { id } userErrors { code field message } }
}"""
LEVEL = """
query($id: ID!, $location: ID!) { inventoryItem(id: $id) { id sku
  inventoryLevel(locationId: $location) { id quantities(names: ["available", "on_hand", "committed"]) { name quantity } } } }"""


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ShopifySandbox]:
    server = ShopifySandbox(rate_scale=20.0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def shop_id(request: pytest.FixtureRequest) -> str:
    return str(request.node.name)[:40]


@pytest.fixture
def shop(sandbox: ShopifySandbox, shop_id: str) -> SandboxShop:
    return sandbox.add_shop(shop_id, OrderBook(shop=shop_id, currency="USD", rate_to_cny=Decimal(7)))


def post(shop: SandboxShop, version: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    url = f"{shop.endpoints['api']}/admin/api/{version}/graphql.json"
    token = {"X-Shopify-Access-Token": shop.credentials["access_token"]}
    response = requests.post(url, json={"query": query, "variables": variables}, headers=token, timeout=5)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def quantities(refs: list[dict[str, str]], values: list[int], **compare: list[int | None]) -> dict[str, Any]:
    rows = []
    for i, (ref, value) in enumerate(zip(refs, values, strict=True)):
        row: dict[str, Any] = {
            "inventoryItemId": ref["inventory_item_id"],
            "locationId": ref["location_id"],
            "quantity": value,
        }
        row.update({name: given[i] for name, given in compare.items()})
        rows.append(row)
    return {
        "name": "available",
        "reason": "correction",
        "referenceDocumentUri": "gid://crossdock/StockPush/t",
        "quantities": rows,
    }


def test_the_contracts_mutation_applies_and_costs_10_points(
    sandbox: ShopifySandbox, shop: SandboxShop, shop_id: str
) -> None:
    # Given
    ref = sandbox.add_listing(shop_id, "MUG", 5)

    # When
    body = post(
        shop,
        "2026-04",
        CONTRACT_MUTATION,
        {"input": quantities([ref], [8], changeFromQuantity=[5]), "key": "k1"},
    )

    # Then
    result = body["data"]["inventorySetQuantities"]
    assert result["userErrors"] == []
    group = result["inventoryAdjustmentGroup"]
    assert group["reason"] == "correction" and group["referenceDocumentUri"] == "gid://crossdock/StockPush/t"
    assert group["changes"] == [
        {
            "name": "available",
            "delta": 3,
            "quantityAfterChange": 8,
            "item": {"id": ref["inventory_item_id"]},
            "location": {"id": ref["location_id"]},
        }
    ]
    assert (
        body["extensions"]["cost"]["requestedQueryCost"]
        == body["extensions"]["cost"]["actualQueryCost"]
        == 10
    )
    assert sandbox.quantity(shop_id, "MUG") == 8
    assert ref["inventory_item_id"].startswith("gid://shopify/InventoryItem/")
    assert ref["location_id"].startswith("gid://shopify/Location/")


def test_more_than_250_quantities_are_refused_uncharged(
    sandbox: ShopifySandbox, shop: SandboxShop, shop_id: str
) -> None:
    # Given
    refs = [sandbox.add_listing(shop_id, f"S{n}", 1) for n in range(251)]

    # When
    body = post(
        shop,
        "2026-04",
        CONTRACT_MUTATION,
        {"input": quantities(refs, [2] * 251, changeFromQuantity=[1] * 251), "key": "k"},
    )

    # Then
    assert "data" not in body and body["errors"][0]["extensions"]["code"] == "MAX_INPUT_SIZE_EXCEEDED"
    assert (
        body["errors"][0]["message"]
        == "The input array size of 251 is greater than the maximum allowed of 250."
    )
    assert body["extensions"]["cost"]["actualQueryCost"] == 0 and sandbox.quantity(shop_id, "S0") == 1


def test_a_stale_item_names_its_path_and_nothing_of_the_call_is_applied(
    sandbox: ShopifySandbox, shop: SandboxShop, shop_id: str
) -> None:
    # Given
    refs = [sandbox.add_listing(shop_id, "A", 5), sandbox.add_listing(shop_id, "B", 4)]

    # When
    body = post(
        shop,
        "2026-01",
        CONTRACT_MUTATION,
        {"input": quantities(refs, [9, 9], changeFromQuantity=[5, 5]), "key": "k"},
    )

    # Then
    result = body["data"]["inventorySetQuantities"]
    assert result["inventoryAdjustmentGroup"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("CHANGE_FROM_QUANTITY_STALE", ["input", "quantities", "1", "changeFromQuantity"])
    ]
    assert (sandbox.quantity(shop_id, "A"), sandbox.quantity(shop_id, "B")) == (5, 4)


def test_one_key_answers_one_input_once_and_refuses_another(
    sandbox: ShopifySandbox, shop: SandboxShop, shop_id: str
) -> None:
    # Given
    ref = sandbox.add_listing(shop_id, "K", 5)
    first_input = quantities([ref], [6], changeFromQuantity=[5])

    # When
    first = post(shop, "2026-04", CONTRACT_MUTATION, {"input": first_input, "key": "same"})
    again = post(shop, "2026-04", CONTRACT_MUTATION, {"input": first_input, "key": "same"})
    other = post(
        shop,
        "2026-04",
        CONTRACT_MUTATION,
        {"input": quantities([ref], [7], changeFromQuantity=[6]), "key": "same"},
    )

    # Then
    assert again["data"] == first["data"] and sandbox.history(shop_id, "K") == [6]
    [error] = other["data"]["inventorySetQuantities"]["userErrors"]
    assert error["code"] == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH" and sandbox.quantity(shop_id, "K") == 6


def test_a_scripted_refusal_names_its_item_and_nothing_of_the_call_is_applied(
    sandbox: ShopifySandbox, shop: SandboxShop, shop_id: str
) -> None:
    # Given
    refs = [sandbox.add_listing(shop_id, "A", 5), sandbox.add_listing(shop_id, "B", 4)]
    sandbox.refuse_updates(shop_id, "B", "NON_MUTABLE_INVENTORY_ITEM")

    # When
    body = post(shop, "2025-10", LEGACY_MUTATION, {"input": quantities(refs, [9, 9], compareQuantity=[5, 4])})

    # Then
    [error] = body["data"]["inventorySetQuantities"]["userErrors"]
    assert (error["code"], error["field"]) == (
        "NON_MUTABLE_INVENTORY_ITEM",
        ["input", "quantities", "1", "inventoryItemId"],
    )
    assert (sandbox.quantity(shop_id, "A"), sandbox.quantity(shop_id, "B")) == (5, 4)

    # When: the refusal is lifted
    sandbox.accept_updates(shop_id, "B")
    body = post(shop, "2025-10", LEGACY_MUTATION, {"input": quantities(refs, [9, 9], compareQuantity=[5, 4])})

    # Then
    assert body["data"]["inventorySetQuantities"]["userErrors"] == []
    assert (sandbox.quantity(shop_id, "A"), sandbox.quantity(shop_id, "B")) == (9, 9)


def test_a_scripted_concurrent_request_is_not_the_keys_answer(
    sandbox: ShopifySandbox, shop: SandboxShop, shop_id: str
) -> None:
    # Given: one concurrent request on K, and the legacy era, which has no such code
    ref = sandbox.add_listing(shop_id, "K", 5)
    sandbox.fail_next_update(shop_id, "K")
    legacy = post(shop, "2025-10", LEGACY_MUTATION, {"input": quantities([ref], [6], compareQuantity=[5])})
    keyed = {"input": quantities([ref], [7], changeFromQuantity=[6]), "key": "k1"}

    # When: the same keyed call twice
    first = post(shop, "2026-04", CONTRACT_MUTATION, keyed)
    second = post(shop, "2026-04", CONTRACT_MUTATION, keyed)

    # Then: legacy left it pending; the first keyed call met it, the same key then applied
    assert legacy["data"]["inventorySetQuantities"]["userErrors"] == []
    [error] = first["data"]["inventorySetQuantities"]["userErrors"]
    assert (error["code"], error["field"]) == (
        "IDEMPOTENCY_CONCURRENT_REQUEST",
        ["input", "quantities", "0", "inventoryItemId"],
    )
    assert second["data"]["inventorySetQuantities"]["userErrors"] == []
    assert sandbox.history(shop_id, "K") == [6, 7]


def test_from_2026_04_the_key_and_change_from_quantity_are_required(
    sandbox: ShopifySandbox, shop: SandboxShop, shop_id: str
) -> None:
    # Given
    ref = sandbox.add_listing(shop_id, "R", 5)

    # When
    keyless = post(
        shop, "2026-04", LEGACY_MUTATION, {"input": quantities([ref], [1], changeFromQuantity=[5])}
    )
    unchecked = post(shop, "2026-04", CONTRACT_MUTATION, {"input": quantities([ref], [1]), "key": "k"})

    # Then
    assert keyless["data"] == {"inventorySetQuantities": None}
    assert keyless["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    [error] = unchecked["data"]["inventorySetQuantities"]["userErrors"]
    assert error["field"] == ["input", "quantities", "0", "changeFromQuantity"] and error["code"] is None
    assert sandbox.quantity(shop_id, "R") == 5


def test_before_2026_compare_quantity_is_required_and_change_from_is_unknown(
    sandbox: ShopifySandbox, shop: SandboxShop, shop_id: str
) -> None:
    # Given
    ref = sandbox.add_listing(shop_id, "L", 5)

    # When
    missing = post(shop, "2025-10", LEGACY_MUTATION, {"input": quantities([ref], [1])})
    unknown = post(
        shop, "2025-10", LEGACY_MUTATION, {"input": quantities([ref], [1], changeFromQuantity=[5])}
    )
    stale = post(shop, "2025-10", LEGACY_MUTATION, {"input": quantities([ref], [1], compareQuantity=[4])})
    ignored = post(
        shop, "2025-10", LEGACY_MUTATION, {"input": {**quantities([ref], [2]), "ignoreCompareQuantity": True}}
    )

    # Then
    assert missing["data"]["inventorySetQuantities"]["userErrors"][0]["code"] == "COMPARE_QUANTITY_REQUIRED"
    assert "changeFromQuantity" in unknown["errors"][0]["message"] and "data" not in unknown
    assert stale["data"]["inventorySetQuantities"]["userErrors"][0]["code"] == "COMPARE_QUANTITY_STALE"
    assert (
        ignored["data"]["inventorySetQuantities"]["userErrors"] == [] and sandbox.quantity(shop_id, "L") == 2
    )


def test_an_item_level_shows_available_and_on_hand(
    sandbox: ShopifySandbox, shop: SandboxShop, shop_id: str
) -> None:
    # Given
    ref = sandbox.add_listing(shop_id, "Q", 17)

    # When
    body = post(shop, "2025-10", LEVEL, {"id": ref["inventory_item_id"], "location": ref["location_id"]})

    # Then
    item = body["data"]["inventoryItem"]
    assert item["sku"] == "Q"
    assert item["inventoryLevel"]["quantities"] == [
        {"name": "available", "quantity": 17},
        {"name": "on_hand", "quantity": 17},
        {"name": "committed", "quantity": 0},
    ]
    assert body["extensions"]["cost"]["requestedQueryCost"] == 3
