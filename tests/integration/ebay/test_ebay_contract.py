"""The eBay adapter's requests and the eBay sandbox's answers, checked against eBay's own Sell Fulfillment
model (tests/contracts/models/ebay, v1.19.2). Object schemas are closed here (`additionalProperties:
false`) so a misspelt or invented field fails; `Buyer.buyerRegistrationAddress`, newer than v1.19.2, is
declared as the `ExtendedContact` it is in current versions."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from contracts.openapi import MODEL_URI, ContractViolation, OpenApiModel
from crossdock.channels.ebay.channel import SPEC, EbayOrderSource
from crossdock.channels.ebay.oauth import FULFILLMENT_READONLY_SCOPE
from crossdock.channels.ebay.wire import BASE_PATH
from crossdock.channels.spec import ShopContext
from crossdock.core.http import ChannelHttp
from crossdock.orders.rules.windows import Window
from crossdock_local.sandboxes.base import FaultProfile
from crossdock_local.sandboxes.ebay.server import EbaySandbox
from crossdock_local.sandboxes.orderbook import OrderBook

MODEL_FILE = (
    Path(__file__).resolve().parents[2] / "contracts" / "models" / "ebay" / "sell_fulfillment_v1_oas3.json"
)
NEWER_FIELDS = {"Buyer": {"buyerRegistrationAddress": {"$ref": "#/components/schemas/ExtendedContact"}}}


def closed(document: dict[str, Any]) -> dict[str, Any]:
    strict = copy.deepcopy(document)
    for name, schema in strict["components"]["schemas"].items():
        schema.setdefault("properties", {}).update(NEWER_FIELDS.get(name, {}))
        if schema.get("type", "object") == "object":
            schema["additionalProperties"] = False
    return strict


@pytest.fixture(scope="module")
def model() -> OpenApiModel:
    return OpenApiModel(closed(json.loads(MODEL_FILE.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def exchanges() -> Iterator[tuple[EbaySandbox, list[requests.Response]]]:
    """Pulls over a book holding every status (two pages, then tracking for the recent changes),
    recording each request and answer."""
    now = datetime.now(UTC)
    book = OrderBook("ebay-contract", "USD", seed=21)
    book.populate(260, start=now - timedelta(days=2), end=now - timedelta(hours=1))
    book.mutate(40, now=now - timedelta(minutes=30))
    sandbox = EbaySandbox(rate_scale=1000)
    sandbox.start()
    shop = sandbox.add_shop(book.shop, book)
    http = ChannelHttp(SPEC.name, SPEC.rates, rate_scale=1000)
    recorded: list[requests.Response] = []
    http.session.hooks["response"].append(lambda response, *args, **kwargs: recorded.append(response))
    for tracking, since in ((False, timedelta(days=3)), (True, timedelta(hours=2))):  # tracking: recent only
        options = {**shop.options, "fetch_tracking": tracking}
        source = EbayOrderSource(ShopContext(book.shop, shop.credentials, http, shop.endpoints, options))
        for _ in source.pages(Window(now - since, now - timedelta(minutes=5))):
            pass
    yield sandbox, recorded
    sandbox.stop()


def only(kind: str) -> FaultProfile:
    """Every request meets the fault `kind`."""
    profile = FaultProfile(name=kind)
    setattr(profile, kind, 1.0)
    return profile


def api_calls(recorded: list[requests.Response]) -> list[requests.Response]:
    return [r for r in recorded if urlsplit(r.url).path.startswith(BASE_PATH)]


def test_every_request_is_an_operation_of_the_model_with_declared_parameters(
    model: OpenApiModel, exchanges: tuple[EbaySandbox, list[requests.Response]]
) -> None:
    # Given
    _, recorded = exchanges
    calls = api_calls(recorded)

    # When
    operations = []
    for response in calls:
        parts = urlsplit(response.request.url or "")
        path = parts.path.removeprefix(BASE_PATH)
        operation = model.find("get", path)
        model.validate_request(operation.operation_id, query=parse_qs(parts.query), path=path)
        operations.append(operation.operation_id)

    # Then
    assert set(operations) == {"getOrders", "getShippingFulfillments"}
    for operation_id in set(operations):
        [security] = model.document["paths"][model.operation(operation_id).path]["get"]["security"]
        assert FULFILLMENT_READONLY_SCOPE in security["api_auth"]


def test_every_sandbox_answer_matches_the_models_response_schema(
    model: OpenApiModel, exchanges: tuple[EbaySandbox, list[requests.Response]]
) -> None:
    # Given
    _, recorded = exchanges
    calls = api_calls(recorded)

    # When / Then
    assert len(calls) > 3
    for response in calls:
        operation = model.find("get", urlsplit(response.url).path.removeprefix(BASE_PATH))
        model.validate_response(operation.operation_id, response.status_code, response.json())


def test_the_closed_model_refuses_an_invented_field(
    model: OpenApiModel, exchanges: tuple[EbaySandbox, list[requests.Response]]
) -> None:
    # Given: a real sandbox page with one line item field misspelt
    _, recorded = exchanges
    page = next(r.json() for r in api_calls(recorded) if urlsplit(r.url).path.endswith("/order"))
    page["orders"] = page["orders"][:2]
    model.validate_response("getOrders", 200, page)
    page["orders"][0]["lineItems"][0]["lineItemID"] = page["orders"][0]["lineItems"][0].pop("lineItemId")

    # When / Then
    with pytest.raises(ContractViolation, match="lineItemID"):
        model.validate_response("getOrders", 200, page)


@pytest.mark.parametrize("kind", ["silent_empty", "error_envelope", "throttled", "unauthorized", "bad_limit"])
def test_fault_answers_use_the_models_error_shape(
    model: OpenApiModel, exchanges: tuple[EbaySandbox, list[requests.Response]], kind: str
) -> None:
    # Given
    sandbox, recorded = exchanges
    token = next(r.json()["access_token"] for r in recorded if r.url.endswith("/oauth2/token"))
    query = "filter=lastmodifieddate:%5B2025-01-01T00:00:00.000Z..%5D&limit=" + (
        "500" if kind == "bad_limit" else "1"
    )
    headers = {"Authorization": "Bearer " + ("expired" if kind == "unauthorized" else token)}
    saved_faults, saved_limiter = sandbox.faults, sandbox.limiter
    if kind in ("silent_empty", "error_envelope"):
        sandbox.faults = only(kind)
    if kind == "throttled":
        sandbox.limiter.take = lambda *_: 0.25  # type: ignore[method-assign]

    # When
    try:
        answer = requests.get(f"{sandbox.url}{BASE_PATH}/order?{query}", headers=headers, timeout=5)
    finally:
        sandbox.faults, sandbox.limiter = saved_faults, saved_limiter
        sandbox.limiter.__dict__.pop("take", None)

    # Then
    body = answer.json()
    if kind == "silent_empty":
        model.validate_response("getOrders", 200, body)
        assert answer.status_code == 200 and body["total"] > 0 and "orders" not in body
        return
    error = model.validator({"$ref": MODEL_URI + "#/components/schemas/Error"})
    assert set(body) == {"errors"} and len(body["errors"]) == 1
    assert not list(error.iter_errors(body["errors"][0]))
    expected = {"error_envelope": (500, 2003), "throttled": (429, 2001), "unauthorized": (401, 1001)}
    assert (answer.status_code, body["errors"][0]["errorId"]) == expected.get(kind, (400, 31100))
    if kind == "throttled":
        assert float(answer.headers["Retry-After"]) == 0.25
