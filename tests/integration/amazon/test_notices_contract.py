"""getOrder — the adapter's request and the Amazon sandbox's answers — checked against the official
Orders API 2026-01-01 model (the same vendored copy the searchOrders contract test reads)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from contracts.openapi import OpenApiModel
from crossdock.channels.amazon.order_by_id import read_order
from crossdock_local.sandboxes.amazon.server import AmazonSandbox
from crossdock_local.sandboxes.base import SandboxShop
from crossdock_local.sandboxes.orderbook import OrderBook

from tests.support.amazon_sandbox import context

MODEL = OpenApiModel.load(
    Path(__file__).resolve().parents[2] / "contracts/models/amazon/orders_2026-01-01.json"
)
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def sandbox() -> Iterator[AmazonSandbox]:
    server = AmazonSandbox(rate_scale=1000)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def shop(sandbox: AmazonSandbox) -> SandboxShop:
    book = OrderBook(shop="us-1", currency="USD")
    book.populate(40, start=NOW - timedelta(hours=3), end=NOW - timedelta(hours=1))
    for _ in range(3):
        book.mutate(15, now=NOW - timedelta(minutes=30))  # every status, packages, cancellations
    return sandbox.add_shop("us-1", book)


def test_the_adapters_get_order_request_is_the_models(sandbox: AmazonSandbox, shop: SandboxShop) -> None:
    # Given
    sandbox.keep_log = True
    order_id = sandbox.order_id("us-1", "1")
    # When
    read_order(context(shop), order_id)
    # Then
    [request] = [r for r in sandbox.log if r.path.startswith("/orders/")]
    assert MODEL.find(request.method, request.path).operation_id == "getOrder"
    MODEL.validate_request("getOrder", query=request.query, path=request.path)
    assert request.headers["x-amz-access-token"].startswith("Atza|")


def test_every_order_and_every_refusal_the_sandbox_answers_matches_the_model(
    sandbox: AmazonSandbox, shop: SandboxShop
) -> None:
    # Given a seller's token
    form = {"grant_type": "refresh_token", **shop.credentials}
    token = requests.post(shop.endpoints["token"], data=form, timeout=5).json()["access_token"]
    headers = {"x-amz-access-token": token}
    base = shop.endpoints["api"] + "/orders/2026-01-01/orders/"
    datasets = {"includedData": "BUYER,PROCEEDS,FULFILLMENT,PACKAGES,CANCELLATION"}
    statuses = set()
    # When / Then
    for book_id in sandbox.sellers["us-1"].book.snapshot():
        answer = requests.get(
            base + sandbox.order_id("us-1", book_id), params=datasets, headers=headers, timeout=5
        )
        assert answer.status_code == 200
        MODEL.validate_response("getOrder", 200, answer.json())
        assert answer.headers["x-amzn-RateLimit-Limit"] == "0.5"
        statuses.add(answer.json()["order"]["fulfillment"]["fulfillmentStatus"])
    assert {"PENDING", "UNSHIPPED", "SHIPPED", "CANCELLED"} <= statuses
    missing = requests.get(base + "114-0000000-9999999", headers=headers, timeout=5)
    wrong = requests.get(
        base + sandbox.order_id("us-1", "1"), params={"includedData": "ITEMS"}, headers=headers
    )
    anonymous = requests.get(base + sandbox.order_id("us-1", "1"), timeout=5)
    for answer, status in ((missing, 404), (wrong, 400), (anonymous, 403)):
        assert answer.status_code == status
        MODEL.validate_response("getOrder", status, answer.json())
