"""The Shopify sandbox's wire shapes, seen with a plain HTTP client: auth, cost extensions, THROTTLED,
MAX_COST_EXCEEDED, validation, search warnings, ids, cursors and the channel-shaped faults."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
from crossdock.channels.shopify.query import orders_query
from crossdock_local.sandboxes.base import FaultProfile, SandboxShop
from crossdock_local.sandboxes.orderbook import OrderBook
from crossdock_local.sandboxes.shopify.server import ShopifySandbox

END = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
START = END - timedelta(hours=6)
Q = f"updated_at:>='{START:%Y-%m-%dT%H:%M:%SZ}' AND updated_at:<='{END:%Y-%m-%dT%H:%M:%SZ}'"
SMALL = "query($q: String!, $after: String) { orders(first: 3, after: $after, query: $q, sortKey: UPDATED_AT) { pageInfo { hasNextPage endCursor } nodes { id name updatedAt } } }"


@pytest.fixture(scope="module")
def server() -> Iterator[ShopifySandbox]:
    sandbox = ShopifySandbox(rate_scale=1.0)
    sandbox.start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def sandbox(server: ShopifySandbox) -> Iterator[ShopifySandbox]:
    yield server
    server.faults = FaultProfile()


@pytest.fixture
def shop_id(request: pytest.FixtureRequest) -> str:
    return str(request.node.name)[:40]


@pytest.fixture
def shop(sandbox: ShopifySandbox, shop_id: str) -> SandboxShop:
    book = OrderBook(shop=shop_id, currency="GBP", rate_to_cny=Decimal("9.1"))
    book.populate(8, start=START, end=END)
    return sandbox.add_shop(shop_id, book)


def post(
    shop: SandboxShop, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> requests.Response:
    url = f"{shop.endpoints['api']}/admin/api/{shop.options['api_version']}/graphql.json"
    token = {"X-Shopify-Access-Token": shop.credentials["access_token"], **headers}
    return requests.post(url, json={"query": query, "variables": variables or {}}, headers=token, timeout=5)


def test_a_wrong_token_gets_shopifys_401(shop: SandboxShop) -> None:
    # When
    response = post(shop, SMALL, {"q": Q}, **{"X-Shopify-Access-Token": "shpat_wrong"})

    # Then
    assert response.status_code == 401
    assert response.json() == {
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
    }


def test_answers_carry_the_cost_and_are_refunded_to_the_actual_cost(shop: SandboxShop) -> None:
    # When
    response = post(shop, SMALL, {"q": Q})

    # Then
    body = response.json()
    cost = body["extensions"]["cost"]
    assert response.status_code == 200 and response.headers["X-Shopify-API-Version"] == "2025-10"
    assert cost["requestedQueryCost"] == 2 + 3 * 1 and cost["actualQueryCost"] == 5
    assert cost["throttleStatus"] == {
        "maximumAvailable": 1000.0,
        "currentlyAvailable": 995,
        "restoreRate": 100.0,
    }


def test_orders_have_shopify_ids_and_opaque_keyset_cursors(shop: SandboxShop) -> None:
    # When
    first = post(shop, SMALL, {"q": Q}).json()["data"]["orders"]
    second = post(shop, SMALL, {"q": Q, "after": first["pageInfo"]["endCursor"]}).json()["data"]["orders"]

    # Then
    ids = [node["id"] for node in first["nodes"] + second["nodes"]]
    assert all(re.fullmatch(r"gid://shopify/Order/\d{13}", i) for i in ids) and len(set(ids)) == 6
    cursor = json.loads(base64.b64decode(first["pageInfo"]["endCursor"]))
    assert cursor == {
        "last_id": int(first["nodes"][-1]["id"].rpartition("/")[2]),
        "last_value": first["nodes"][-1]["updatedAt"],
    }
    stamps = [node["updatedAt"] for node in first["nodes"] + second["nodes"]]
    assert stamps == sorted(stamps)


def test_an_empty_bucket_answers_throttled_with_200_in_shopifys_shape(
    sandbox: ShopifySandbox, shop: SandboxShop, shop_id: str
) -> None:
    # Given
    text, first, _ = orders_query(5)
    sandbox.use_points(
        next(k for k, s in sandbox._stores.items() if s.token == shop.credentials["access_token"]), 900
    )

    # When
    response = post(shop, text, {"first": first, "lineItems": 5, "q": Q, "cursor": None})

    # Then
    body = response.json()
    assert response.status_code == 200 and "data" not in body
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
        }
    ]
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 988 and cost["actualQueryCost"] is None
    assert 100 <= cost["throttleStatus"]["currentlyAvailable"] < 988


def test_a_query_over_1000_points_is_refused_uncharged(shop: SandboxShop) -> None:
    # Given: 2 + 250 × (1 + 2 + 250 × 1)
    query = "{ orders(first: 250) { nodes { id lineItems(first: 250) { nodes { id } } } } }"

    # When
    body = post(shop, query).json()

    # Then
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert body["errors"][0]["message"].startswith(
        "Query cost is 63252, which exceeds the single query max cost limit (1000)."
    )
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 1000


@pytest.mark.parametrize(
    "query",
    [
        "{ orders(first: 2) { nodes { id sku } } }",
        "{ products(first: 2) { nodes { id } } }",
        "mutation { orderClose(input: {id: 1}) { order { id } } }",
        "{ orders(first: 2 { nodes { id } } }",
    ],
)
def test_documents_outside_the_schema_are_answered_with_errors_and_no_data(
    shop: SandboxShop, query: str
) -> None:
    # When
    response = post(shop, query)

    # Then
    body = response.json()
    assert response.status_code == 200 and "data" not in body and body["errors"][0]["message"]
    assert "cost" in body["extensions"]


def test_connections_require_first(shop: SandboxShop) -> None:
    # When
    body = post(shop, '{ orders(query: "updated_at:>2025-01-01") { nodes { id } } }').json()

    # Then
    assert body["data"] is None and body["errors"][0]["message"] == "you must provide one of first or last"


def test_a_request_without_a_query_is_a_400(shop: SandboxShop) -> None:
    # When
    url = f"{shop.endpoints['api']}/admin/api/2025-10/graphql.json"
    response = requests.post(
        url,
        json={"variables": {}},
        headers={"X-Shopify-Access-Token": shop.credentials["access_token"]},
        timeout=5,
    )

    # Then
    assert response.status_code == 400 and response.json() == {
        "errors": {"query": "Required parameter missing or invalid"}
    }


def test_search_terms_it_cannot_use_are_reported_not_applied(shop: SandboxShop) -> None:
    # When
    body = post(shop, SMALL, {"q": "updatd_at:>='2025-01-01T00:00:00Z'"}).json()

    # Then
    [search] = body["extensions"]["search"]
    assert search["warnings"] == [{"field": "updatd_at", "message": "Invalid search field for this query."}]
    assert len(body["data"]["orders"]["nodes"]) == 3


def test_silent_empty_is_an_empty_page_that_claims_more(sandbox: ShopifySandbox, shop: SandboxShop) -> None:
    # Given
    sandbox.faults = FaultProfile(silent_empty=1.0)

    # When
    body = post(shop, SMALL, {"q": Q}).json()

    # Then
    assert body["data"] == {"orders": {"pageInfo": {"hasNextPage": True, "endCursor": None}, "nodes": []}}
    assert "cost" in body["extensions"]


def test_error_envelope_is_an_internal_server_error(sandbox: ShopifySandbox, shop: SandboxShop) -> None:
    # Given
    sandbox.faults = FaultProfile(error_envelope=1.0)

    # When
    response = post(shop, SMALL, {"q": Q})

    # Then
    [error] = response.json()["errors"]
    assert response.status_code == 200 and error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["message"].startswith("Internal error. Looks like something went wrong on our end.")
