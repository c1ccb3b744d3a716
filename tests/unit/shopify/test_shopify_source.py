"""The Shopify order source against canned answers (`responses`, no sockets): the requests it sends,
paging, line-item follow-ups, pacing by the reported bucket, retries and configuration."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import responses
from crossdock.channels.shopify.channel import SPEC
from crossdock.channels.spec import ShopContext
from crossdock.core.errors import (
    AuthError,
    InvalidResponseError,
    RequestRejectedError,
    RetriesExhaustedError,
)
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.orders.rules.windows import Window

URL = "https://mystore.myshopify.com/admin/api/2025-10/graphql.json"
WINDOW = Window(datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 1, 1, 0, 0, 500000, tzinfo=UTC))


def line(n: int) -> dict[str, Any]:
    price = {"shopMoney": {"amount": "19.9", "currencyCode": "GBP"}}
    return {
        "id": f"gid://shopify/LineItem/{n}",
        "sku": f"SKU-{n}",
        "name": "Mug",
        "quantity": 1,
        "originalUnitPriceSet": price,
    }


def order(n: int, lines: int = 1, more: bool = False) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/Order/{5200000000000 + n}",
        "createdAt": "2025-03-01T00:10:00Z",
        "updatedAt": "2025-03-01T00:20:00Z",
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": "UNFULFILLED",
        "totalPriceSet": {"shopMoney": {"amount": "19.9", "currencyCode": "GBP"}},
        "lineItems": {
            "pageInfo": {"hasNextPage": more, "endCursor": f"li-{n}" if more else None},
            "nodes": [line(n * 100 + i) for i in range(lines)],
        },
    }


def graphql(
    data: dict[str, Any] | None = None, available: float = 1000, errors: Any = None
) -> dict[str, Any]:
    status = {"maximumAvailable": 1000.0, "currentlyAvailable": available, "restoreRate": 100.0}
    body: dict[str, Any] = {"extensions": {"cost": {"requestedQueryCost": 988, "throttleStatus": status}}}
    if data is not None:
        body["data"] = data
    if errors is not None:
        body["errors"] = errors
    return body


def orders(nodes: list[Any], cursor: str | None = None, **kw: Any) -> dict[str, Any]:
    return graphql(
        {"orders": {"pageInfo": {"hasNextPage": cursor is not None, "endCursor": cursor}, "nodes": nodes}},
        **kw,
    )


class Harness:
    def __init__(self, mock: responses.RequestsMock, **settings: Any) -> None:
        self.mock = mock
        self.sleeps: list[float] = []
        self.http = ChannelHttp(
            SPEC.name,
            SPEC.rates,
            sleep=self.sleeps.append,
            clock=lambda: 0.0,
            retry=RetryPolicy(max_attempts=3),
        )
        options = {"shop_domain": "mystore.myshopify.com", "bulk_from_minutes": "off", **settings}
        credentials = {"access_token": "shpat_0123456789abcdef0123456789abcdef"}
        self.ctx = ShopContext(shop_id="shop-1", credentials=credentials, http=self.http, settings=options)

    def answer(self, *bodies: dict[str, Any], status: int = 200) -> None:
        for body in bodies:
            self.mock.add(responses.POST, URL, json=body, status=status)

    def pull(self) -> list[list[Any]]:
        return list(SPEC.build(self.ctx).pages(WINDOW))

    def sent(self) -> list[dict[str, Any]]:
        return [json.loads(call.request.body or b"") for call in self.mock.calls]


@pytest.fixture
def harness() -> Iterator[Harness]:
    with responses.RequestsMock() as mock:
        yield Harness(mock)


def test_reads_every_page_following_end_cursors(harness: Harness) -> None:
    # Given
    harness.answer(orders([order(1), order(2)], "c1"), orders([order(3)], "c2"), orders([order(4)]))

    # When
    pages = harness.pull()

    # Then
    assert [[o.order_id for o in p] for p in pages] == [
        ["5200000000001", "5200000000002"],
        ["5200000000003"],
        ["5200000000004"],
    ]
    variables = [body["variables"] for body in harness.sent()]
    assert [v["cursor"] for v in variables] == [None, "c1", "c2"]
    assert variables[0]["q"] == "updated_at:>='2025-03-01T00:00:00Z' AND updated_at:<='2025-03-01T01:00:00Z'"
    assert (variables[0]["first"], variables[0]["lineItems"]) == (29, 5)
    request = harness.mock.calls[0].request
    assert request.headers["X-Shopify-Access-Token"] == "shpat_0123456789abcdef0123456789abcdef"
    assert request.headers["Content-Type"] == "application/json"
    assert "sortKey: UPDATED_AT" in harness.sent()[0]["query"]


def test_an_order_with_more_line_items_is_completed_by_follow_up_queries(harness: Harness) -> None:
    # Given: order 1 has 5 line items on the page and 3 more behind two follow-up pages
    more = {"pageInfo": {"hasNextPage": True, "endCursor": "li-b"}, "nodes": [line(9001), line(9002)]}
    rest = {"pageInfo": {"hasNextPage": False, "endCursor": "li-c"}, "nodes": [line(9003)]}
    harness.answer(
        orders([order(1, lines=5, more=True), order(2)]),
        graphql({"order": {"id": "gid://shopify/Order/5200000000001", "lineItems": more}}),
        graphql({"order": {"id": "gid://shopify/Order/5200000000001", "lineItems": rest}}),
    )

    # When
    [page] = harness.pull()

    # Then
    assert [len(o.lines) for o in page] == [8, 1]
    follow_ups = [body["variables"] for body in harness.sent()[1:]]
    assert follow_ups == [
        {"id": "gid://shopify/Order/5200000000001", "first": 250, "cursor": "li-1"},
        {"id": "gid://shopify/Order/5200000000001", "first": 250, "cursor": "li-b"},
    ]
    assert "order(id: $id)" in harness.sent()[1]["query"]
    assert len(page[0].raw["lineItems"]["nodes"]) == 8


def test_pages_wait_for_the_points_shopify_reports(harness: Harness) -> None:
    # Given: after page 1 Shopify reports 388 points left (clock frozen: no refill between calls)
    harness.answer(orders([order(1)], "c1", available=388), orders([order(2)]))

    # When
    harness.pull()

    # Then: page 2 (988 points) waits for the missing 600 at 100 points/s
    assert harness.sleeps == [pytest.approx(6.0)]


def test_throttled_is_retried_after_the_reported_wait(harness: Harness) -> None:
    # Given
    throttled = graphql(errors=[{"message": "Throttled", "extensions": {"code": "THROTTLED"}}], available=788)
    harness.answer(throttled, orders([order(1)]))

    # When
    [page] = harness.pull()

    # Then: (988 − 788) / 100 = 2 s at least before the retry
    assert len(page) == 1 and len(harness.mock.calls) == 2
    assert max(harness.sleeps) >= 2.0
    assert harness.http.stats.faults["throttled"] == 1


def test_a_revoked_token_fails_once_without_retries(harness: Harness) -> None:
    # Given
    body = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
    harness.answer(body, status=401)

    # When / Then
    with pytest.raises(AuthError):
        harness.pull()
    assert len(harness.mock.calls) == 1


def test_a_page_that_keeps_claiming_more_without_a_cursor_is_never_read_as_the_end(harness: Harness) -> None:
    # Given
    silent = graphql({"orders": {"pageInfo": {"hasNextPage": True, "endCursor": None}, "nodes": []}})
    harness.answer(silent)

    # When / Then
    with pytest.raises(RetriesExhaustedError) as caught:
        harness.pull()
    assert isinstance(caught.value.last, InvalidResponseError)
    assert len(harness.mock.calls) == 3


def test_endpoint_override_replaces_the_shop_domain_and_version_is_an_option() -> None:
    # Given
    with responses.RequestsMock() as mock:
        harness = Harness(mock, api_version="2026-01")
        harness.ctx.endpoints = {"api": "http://127.0.0.1:9001/"}
        mock.add(responses.POST, "http://127.0.0.1:9001/admin/api/2026-01/graphql.json", json=orders([]))

        # When
        pages = harness.pull()

    # Then
    assert pages == [[]]


@pytest.mark.parametrize(
    ("settings", "credentials", "error"),
    [
        ({}, {"access_token": "shpat_x"}, RequestRejectedError),
        ({"shop_domain": "evil.example.com/x"}, {"access_token": "shpat_x"}, RequestRejectedError),
        (
            {"shop_domain": "mystore.myshopify.com", "api_version": "2025-13"},
            {"access_token": "shpat_x"},
            RequestRejectedError,
        ),
        (
            {"shop_domain": "mystore.myshopify.com", "line_items_per_order": 500},
            {"access_token": "shpat_x"},
            RequestRejectedError,
        ),
        ({"shop_domain": "mystore.myshopify.com"}, {}, AuthError),
    ],
)
def test_configuration_errors_are_refused_before_any_call(
    settings: dict[str, Any], credentials: dict[str, Any], error: type[Exception]
) -> None:
    # Given
    http = ChannelHttp(SPEC.name, SPEC.rates, sleep=lambda s: None)
    ctx = ShopContext(shop_id="shop-1", credentials=credentials, http=http, settings=settings)

    # When / Then
    with pytest.raises(error):
        SPEC.build(ctx)
    assert http.stats.total_calls == 0


def test_spec_declares_the_documented_defaults() -> None:
    # Then
    assert SPEC.name == "shopify" and SPEC.credential_fields == ("access_token",)
    assert SPEC.rates["graphql"].per_second == 100.0 and SPEC.rates["graphql"].burst == 1000.0
    assert SPEC.endpoints == {"api": "https://{shop_domain}"}
    assert SPEC.limits.page_size == 29 and SPEC.limits.max_window == timedelta(days=1)
    assert [SPEC.minimum_calls(n) for n in (0, 1, 29, 30, 10_000)] == [1, 1, 1, 2, 345]
