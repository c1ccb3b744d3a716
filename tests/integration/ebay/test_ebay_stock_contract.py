"""The eBay stock writer's requests and the eBay sandbox's answers, checked against eBay's own Sell Inventory
model (tests/contracts/models/ebay, v1.13.0). Object schemas are closed here (`additionalProperties:
false`) so a misspelt or invented field fails. The model declares 207 without a body: a 207 is checked
against the operation's 200 schema, and every errorId against the codes the operation documents."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from contracts.openapi import MODEL_URI, ContractViolation, OpenApiModel
from crossdock.channels.ebay.channel import SPEC
from crossdock.channels.ebay.stock import SELL_INVENTORY_SCOPE
from crossdock.channels.ebay.stock_wire import INVENTORY_PATH
from crossdock.channels.spec import ShopContext
from crossdock.core.http import ChannelHttp
from crossdock.stock.rules.sellable import Listing, QuantityUpdate
from crossdock_local.sandboxes.ebay.server import EbaySandbox
from crossdock_local.sandboxes.orderbook import OrderBook

MODEL_FILE = (
    Path(__file__).resolve().parents[2] / "contracts" / "models" / "ebay" / "sell_inventory_v1_oas3.json"
)
SHOP = "ebay-stock-contract"


def closed(document: dict[str, Any]) -> dict[str, Any]:
    strict = copy.deepcopy(document)
    for schema in strict["components"]["schemas"].values():
        if schema.get("type", "object") == "object":
            schema["additionalProperties"] = False
    return strict


@pytest.fixture(scope="module")
def model() -> OpenApiModel:
    return OpenApiModel(closed(json.loads(MODEL_FILE.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def exchanges() -> Iterator[tuple[EbaySandbox, list[requests.Response]]]:
    """Full and mixed pushes, then a read-back that meets an unknown sku and an unknown offer."""
    sandbox = EbaySandbox(rate_scale=1000)
    sandbox.start()
    shop = sandbox.add_shop(SHOP, OrderBook(SHOP, "USD", seed=2))
    listings = [
        Listing(f"SKU-{i}", "ebay", SHOP, sandbox.add_listing(SHOP, f"SKU-{i}", 10)) for i in range(30)
    ]
    http = ChannelHttp(SPEC.name, SPEC.rates, rate_scale=1000)
    recorded: list[requests.Response] = []
    http.session.hooks["response"].append(lambda response, *args, **kwargs: recorded.append(response))
    writer = (
        SPEC.stock(ShopContext(SHOP, shop.credentials, http, shop.endpoints, shop.options))
        if SPEC.stock
        else None
    )
    assert writer is not None
    writer.push([QuantityUpdate(x, i, 1) for i, x in enumerate(listings)])
    sandbox.fail_next_update(SHOP, "SKU-3")
    ghost_offer = Listing("SKU-4", "ebay", SHOP, {"sku": "SKU-4", "offer_id": "1111111111"})
    ghost_sku = Listing("SKU-X", "ebay", SHOP, {"sku": "SKU-X", "offer_id": "2222222222"})
    writer.push(
        [
            QuantityUpdate(listings[1], -1, 2),
            QuantityUpdate(listings[3], 2, 2),
            QuantityUpdate(ghost_offer, 3, 2),
            QuantityUpdate(ghost_sku, 4, 2),
        ]
    )
    writer.read([*listings[:3], ghost_offer, ghost_sku])
    yield sandbox, recorded
    sandbox.stop()


def api_calls(recorded: list[requests.Response]) -> list[requests.Response]:
    return [r for r in recorded if urlsplit(r.url).path.startswith(INVENTORY_PATH)]


def operation_of(model: OpenApiModel, response: requests.Response) -> tuple[str, dict[str, Any]]:
    method = str(response.request.method).lower()
    path = urlsplit(response.url).path.removeprefix(INVENTORY_PATH)
    found = model.find(method, path)
    return found.operation_id, model.document["paths"][found.path][method]


def documented_error_ids(operation: dict[str, Any]) -> set[int]:
    return {
        int(code)
        for answer in operation["responses"].values()
        for code in answer.get("x-response-codes", {}).get("errors", {})
    }


def test_every_request_is_an_operation_of_the_model_with_a_valid_body_and_scope(
    model: OpenApiModel, exchanges: tuple[EbaySandbox, list[requests.Response]]
) -> None:
    # Given
    _, recorded = exchanges

    # When
    seen = []
    for response in api_calls(recorded):
        operation_id, operation = operation_of(model, response)
        model.validate_request(operation_id, path=urlsplit(response.url).path.removeprefix(INVENTORY_PATH))
        if "requestBody" in operation:
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            errors = list(model.validator(schema).iter_errors(json.loads(response.request.body or b"null")))
            assert not errors, f"{operation_id}: {errors[0].message}"
            assert response.request.headers["Content-Type"] == "application/json"
        [security] = operation["security"]
        assert SELL_INVENTORY_SCOPE in security["api_auth"]
        seen.append(operation_id)

    # Then
    assert set(seen) == {"bulkUpdatePriceQuantity", "bulkGetInventoryItem", "getOffer"}


def test_every_sandbox_answer_matches_the_model_and_uses_documented_error_ids(
    model: OpenApiModel, exchanges: tuple[EbaySandbox, list[requests.Response]]
) -> None:
    # Given
    _, recorded = exchanges
    error = model.validator({"$ref": MODEL_URI + "#/components/schemas/Error"})

    # When / Then
    statuses = set()
    for response in api_calls(recorded):
        operation_id, operation = operation_of(model, response)
        body = response.json()
        statuses.add((operation_id, response.status_code))
        if response.status_code in (200, 207):
            model.validate_response(operation_id, 200, body)
        errors = body.get("errors", []) + [
            e for entry in body.get("responses", []) for e in entry.get("errors", [])
        ]
        for item in errors:
            assert not list(error.iter_errors(item))
            assert item["errorId"] in documented_error_ids(operation), f"{operation_id}: {item}"
    assert {("bulkUpdatePriceQuantity", 200), ("bulkUpdatePriceQuantity", 207)} <= statuses
    assert {("bulkGetInventoryItem", 207), ("getOffer", 200), ("getOffer", 404)} <= statuses


def test_a_mixed_207_answers_every_offer_with_its_sku(
    model: OpenApiModel, exchanges: tuple[EbaySandbox, list[requests.Response]]
) -> None:
    # Given
    _, recorded = exchanges
    mixed = next(
        r
        for r in api_calls(recorded)
        if r.status_code == 207 and r.url.endswith("bulk_update_price_quantity")
    )

    # When
    entries = {
        (e["sku"], e["offerId"]): (e["statusCode"], [x["errorId"] for x in e.get("errors", [])])
        for e in mixed.json()["responses"]
    }

    # Then
    offers = {e["sku"]: e["offerId"] for e in mixed.json()["responses"]}
    assert entries == {
        ("SKU-1", offers["SKU-1"]): (400, [25709]),
        ("SKU-3", offers["SKU-3"]): (500, [25001]),
        ("SKU-4", "1111111111"): (400, [25002]),
        ("SKU-X", "2222222222"): (400, [25002]),
    }


def test_the_closed_model_refuses_an_invented_field(
    model: OpenApiModel, exchanges: tuple[EbaySandbox, list[requests.Response]]
) -> None:
    # Given: a real request with the offer quantity misspelt
    _, recorded = exchanges
    sent = next(r for r in api_calls(recorded) if r.url.endswith("bulk_update_price_quantity"))
    body = json.loads(sent.request.body or b"null")
    schema = {"$ref": MODEL_URI + "#/components/schemas/BulkPriceQuantity"}
    assert not list(model.validator(schema).iter_errors(body))
    body["requests"][0]["offers"][0]["availableQty"] = body["requests"][0]["offers"][0].pop(
        "availableQuantity"
    )

    # When / Then
    assert list(model.validator(schema).iter_errors(body))
    answer = next(r for r in api_calls(recorded) if r.url.endswith("bulk_get_inventory_item")).json()
    answer["responses"][0]["inventoryItem"]["quantity"] = 3
    with pytest.raises(ContractViolation, match="quantity"):
        model.validate_response("bulkGetInventoryItem", 200, answer)
