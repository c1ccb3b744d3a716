"""The adapter's requests and the Amazon sandbox's answers, checked against the official Orders model."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from contracts.openapi import ContractViolation, OpenApiModel
from crossdock.channels.amazon.channel import SPEC, AmazonOrders
from crossdock.channels.spec import ShopContext
from crossdock.core.http import ChannelHttp
from crossdock.orders.rules.windows import Window
from crossdock_local.sandboxes.amazon.server import AmazonSandbox
from crossdock_local.sandboxes.base import FaultProfile, SandboxShop
from crossdock_local.sandboxes.orderbook import OrderBook

MODEL = OpenApiModel.load(
    Path(__file__).resolve().parents[2] / "contracts/models/amazon/orders_2026-01-01.json"
)
SCALE = 1000.0
NOW = datetime.now(UTC).replace(microsecond=0)
WINDOW = Window(NOW - timedelta(hours=4), NOW - timedelta(minutes=5))


@pytest.fixture
def sandbox() -> Iterator[AmazonSandbox]:
    server = AmazonSandbox(rate_scale=SCALE)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def shop(sandbox: AmazonSandbox) -> SandboxShop:
    book = OrderBook(shop="jp", currency="JPY")
    book.populate(150, start=NOW - timedelta(hours=3), end=NOW - timedelta(hours=1))
    for _ in range(5):
        book.mutate(30, now=NOW - timedelta(minutes=30))  # every status, packages, cancellations
    return sandbox.add_shop("jp", book)


class Caller:
    """Calls the sandbox directly, as the model describes the operation."""

    def __init__(self, shop: SandboxShop) -> None:
        form = {"grant_type": "refresh_token", **shop.credentials}
        token = requests.post(shop.endpoints["token"], data=form, timeout=5).json()["access_token"]
        self.url = shop.endpoints["api"] + "/orders/2026-01-01/orders"
        self.headers = {"x-amz-access-token": token, "x-amz-date": NOW.strftime("%Y%m%dT%H%M%SZ")}
        self.params = {
            "lastUpdatedAfter": WINDOW.start.isoformat().replace("+00:00", "Z"),
            "lastUpdatedBefore": WINDOW.end.isoformat().replace("+00:00", "Z"),
            "marketplaceIds": shop.options["marketplace_ids"][0],
            "maxResultsPerPage": "40",
            "includedData": "BUYER,PROCEEDS,FULFILLMENT,PACKAGES,CANCELLATION",
        }

    def get(self, **changes: str) -> tuple[int, Any]:
        params = {k: v for k, v in {**self.params, **changes}.items() if v}
        MODEL.validate_request("searchOrders", query=params)
        response = requests.get(self.url, params=params, headers=self.headers, timeout=5)
        return response.status_code, response.json()


def test_every_request_the_adapter_sends_is_one_the_model_allows(
    sandbox: AmazonSandbox, shop: SandboxShop
) -> None:
    # Given
    sandbox.keep_log = True
    http = ChannelHttp(SPEC.name, SPEC.rates, rate_scale=SCALE)
    source = AmazonOrders(ShopContext("jp", shop.credentials, http, shop.endpoints, shop.options))
    # When
    pages = list(source.pages(WINDOW))
    # Then
    searches = [r for r in sandbox.log if r.method == "GET"]
    assert len(searches) == len(pages) == 2
    for request in searches:
        assert MODEL.find(request.method, request.path).operation_id == "searchOrders"
        MODEL.validate_request("searchOrders", query=request.query, path=request.path)
        assert request.headers["x-amz-access-token"].startswith("Atza|")
        assert len(request.headers["x-amz-date"]) == 16
    assert "paginationToken" in searches[1].query


def test_the_validator_refuses_what_the_model_does_not_allow() -> None:
    # Given
    bad = {"lastUpdatedAfter": "2025-01-01", "includedData": "ITEMS", "maxResultsPerPage": "many"}
    # When / Then
    for name, value in bad.items():
        with pytest.raises(ContractViolation, match=name):
            MODEL.validate_request(
                "searchOrders", query={"lastUpdatedAfter": "2025-01-01T00:00:00Z", name: value}
            )
    with pytest.raises(ContractViolation, match="orders"):
        MODEL.validate_response("searchOrders", 200, {"pagination": {"nextToken": "x"}})


def test_every_page_the_sandbox_serves_matches_the_model(sandbox: AmazonSandbox, shop: SandboxShop) -> None:
    # Given
    caller = Caller(shop)
    changed = sandbox.sellers["jp"].book.modified_between(WINDOW.start, WINDOW.end)
    token, pages = "", 0
    # When / Then
    while True:
        status, body = caller.get(paginationToken=token)
        assert status == 200
        MODEL.validate_response("searchOrders", 200, body)
        pages += 1
        if "pagination" not in body:
            break
        token = body["pagination"]["nextToken"]
    assert pages == math.ceil(len(changed) / 40) > 3


def test_a_token_binds_the_other_parameters_but_not_page_size_or_datasets(shop: SandboxShop) -> None:
    # Given
    caller = Caller(shop)
    _, first = caller.get()
    token = first["pagination"]["nextToken"]
    # When
    changed_status, changed = caller.get(paginationToken=token, lastUpdatedAfter="2020-01-01T00:00:00Z")
    resized_status, resized = caller.get(
        paginationToken=token, maxResultsPerPage="100", includedData="FULFILLMENT"
    )
    # Then
    assert changed_status == 400
    assert changed["errors"][0]["code"] == "InvalidInput"
    MODEL.validate_response("searchOrders", 400, changed)
    assert resized_status == 200
    assert {o["orderId"] for o in resized["orders"]}.isdisjoint({o["orderId"] for o in first["orders"]})


def test_error_answers_use_the_models_error_envelope(sandbox: AmazonSandbox, shop: SandboxShop) -> None:
    # Given
    caller = Caller(shop)
    too_recent = (datetime.now(UTC) - timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # When
    answers = {400: caller.get(lastUpdatedBefore=too_recent)}
    caller.headers["x-amz-access-token"] = "Atza|forged"
    answers[403] = caller.get()
    caller.headers["x-amz-access-token"] = Caller(shop).headers["x-amz-access-token"]
    sandbox.faults = FaultProfile(error_envelope=1.0)
    answers[500] = caller.get()
    sandbox.faults = FaultProfile()
    statuses = []
    for _ in range(200):  # the burst of 20, then throttled (bounded: a loaded machine refills between calls)
        statuses.append(caller.get()[0])
        if statuses[-1] == 429:
            break
    # Then
    for status, (answered, body) in answers.items():
        assert answered == status
        MODEL.validate_response("searchOrders", status, body)
    assert answers[403][1]["errors"][0]["code"] == "Unauthorized"
    assert answers[500][1]["errors"][0]["code"] == "InternalFailure"
    assert 429 in statuses
    for _ in range(50):  # the bucket is empty: the next answers are throttled (bounded, as above)
        throttled = requests.get(caller.url, params=caller.params, headers=caller.headers, timeout=5)
        if throttled.status_code == 429:
            break
    assert throttled.status_code == 429
    MODEL.validate_response("searchOrders", 429, throttled.json())
    assert throttled.json()["errors"][0]["code"] == "QuotaExceeded"
    assert throttled.headers["x-amzn-RateLimit-Limit"] == "0.0056"
