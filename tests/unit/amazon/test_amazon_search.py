"""searchOrders: the response → typed fault mapping, the paging loop, the 403 refresh-once rule, SPEC."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from crossdock.channels.amazon.channel import SPEC, AmazonOrders
from crossdock.channels.amazon.responses import SearchPage, parse_search
from crossdock.channels.spec import ShopContext
from crossdock.core.errors import (
    AuthError,
    InvalidResponseError,
    RequestRejectedError,
    RetryableError,
    ThrottledError,
)
from crossdock.core.http import PACING_MARGIN, ChannelHttp, RetryPolicy
from crossdock.orders.rules.windows import Window

API = "https://sellingpartnerapi-fe.amazon.com"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(hours=2), NOW - timedelta(minutes=3))


def reply(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    response.headers.update(headers or {})
    return response


def errors(code: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": "m", "details": ""}]}


def order(order_id: str) -> dict[str, Any]:
    return {
        "orderId": order_id,
        "createdTime": "2025-03-01T10:00:00Z",
        "lastUpdatedTime": "2025-03-01T10:30:00Z",
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "A1VC38T7YXB528"},
        "fulfillment": {"fulfillmentStatus": "UNSHIPPED"},
        "orderItems": [{"orderItemId": "1", "quantityOrdered": 1, "product": {"sellerSku": "SKU-1"}}],
    }


def http(**kw: Any) -> ChannelHttp:
    return ChannelHttp(SPEC.name, SPEC.rates, sleep=lambda _: None, retry=RetryPolicy(max_attempts=2), **kw)


class FakeSpApi(requests.Session):
    """LWA and searchOrders from scripts of replies; records every GET's params and headers."""

    def __init__(self, pages: list[requests.Response], tokens: list[requests.Response] | None = None) -> None:
        super().__init__()
        self.pages, self.tokens = pages, tokens or []
        self.gets: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self.token_calls = 0

    def post(self, url: str | bytes, data: Any = None, json: Any = None, **kw: Any) -> requests.Response:  # type: ignore[override]
        self.token_calls += 1
        if self.tokens:
            return self.tokens.pop(0)
        return reply(200, {"access_token": f"Atza|{self.token_calls}", "expires_in": 3600})

    def get(self, url: str | bytes, **kw: Any) -> requests.Response:  # type: ignore[override]
        self.gets.append((str(url), dict(kw["params"]), dict(kw["headers"])))
        return self.pages.pop(0)


def source(session: FakeSpApi) -> AmazonOrders:
    ctx = ShopContext(
        shop_id="jp-1",
        credentials={"client_id": "c", "client_secret": "s", "refresh_token": "Atzr|r"},
        http=http(session=session),
        settings={"marketplace_ids": ["A1VC38T7YXB528"], "region": "fe"},
        now=lambda: NOW,
    )
    return AmazonOrders(ctx)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, errors("InvalidInput"), RequestRejectedError),
        (404, errors("NotFound"), RequestRejectedError),
        (403, errors("Unauthorized"), AuthError),
        (500, errors("InternalFailure"), RetryableError),
        (503, "<html><body>503 Service Unavailable</body></html>", RetryableError),
        (200, "<!DOCTYPE html><html>Gateway maintenance</html>", InvalidResponseError),
        (200, {"pagination": {"nextToken": "abc"}}, InvalidResponseError),
        (200, {"orders": [], "pagination": {"nextToken": "abc"}}, InvalidResponseError),
        (200, {"orders": {"not": "a list"}}, InvalidResponseError),
        (200, errors("InternalFailure"), InvalidResponseError),
    ],
)
def test_each_response_shape_maps_to_one_typed_fault(status: int, body: Any, expected: type) -> None:
    # Given
    response = reply(status, body)
    # When / Then
    with pytest.raises(expected):
        parse_search(http(), response)


def test_quota_exceeded_waits_one_token_at_the_rate_the_header_announces() -> None:
    # Given
    client = http(rate_scale=10.0)
    throttled = reply(429, errors("QuotaExceeded"), {"x-amzn-RateLimit-Limit": "0.5"})
    # When
    with pytest.raises(ThrottledError) as caught:
        parse_search(client, throttled)
    # Then
    assert client.bucket("searchOrders").rate.per_second == pytest.approx(5.0 * PACING_MARGIN)
    assert caught.value.retry_after == pytest.approx(0.2 / PACING_MARGIN)  # one token, paced


def test_retry_after_wins_over_the_rate_when_present() -> None:
    # Given
    throttled = reply(429, errors("QuotaExceeded"), {"Retry-After": "7"})
    # When
    with pytest.raises(ThrottledError) as caught:
        parse_search(http(), throttled)
    # Then
    assert caught.value.retry_after == 7.0


def test_the_last_page_has_no_pagination() -> None:
    # Given
    body = {"orders": [order("250-0000000-0000001")], "lastUpdatedBefore": "2025-03-01T11:57:00Z"}
    # When
    page = parse_search(http(), reply(200, body, {"x-amzn-RateLimit-Limit": "0.0056"}))
    # Then
    assert page == SearchPage([order("250-0000000-0000001")], None)


def test_pages_repeat_the_same_parameters_with_the_next_token() -> None:
    # Given
    session = FakeSpApi(
        [
            reply(200, {"orders": [order("1"), order("2")], "pagination": {"nextToken": "t2"}}),
            reply(200, {"orders": [order("3")], "pagination": {"nextToken": "t3"}}),
            reply(200, {"orders": [order("4")]}),
        ]
    )
    # When
    pages = list(source(session).pages(WINDOW))
    # Then
    assert [[o.order_id for o in page] for page in pages] == [["1", "2"], ["3"], ["4"]]
    first = session.gets[0][1]
    assert first == {
        "lastUpdatedAfter": "2025-03-01T10:00:00Z",
        "lastUpdatedBefore": "2025-03-01T11:57:00Z",
        "marketplaceIds": "A1VC38T7YXB528",
        "maxResultsPerPage": "100",
        "includedData": "BUYER,PROCEEDS,FULFILLMENT,PACKAGES",
    }
    assert [g[1] for g in session.gets[1:]] == [
        {**first, "paginationToken": "t2"},
        {**first, "paginationToken": "t3"},
    ]
    assert {g[0] for g in session.gets} == {API + "/orders/2026-01-01/orders"}
    assert session.gets[0][2]["x-amz-access-token"] == "Atza|1"
    assert session.gets[0][2]["x-amz-date"] == "20250301T120000Z"
    assert session.token_calls == 1


def test_a_403_on_a_cached_token_refreshes_it_once_and_goes_on() -> None:
    # Given
    session = FakeSpApi([reply(200, {"orders": [order("1")]}), reply(403, errors("Unauthorized"))])
    session.pages.append(reply(200, {"orders": [order("2")]}))
    orders = source(session)
    list(orders.pages(WINDOW))
    # When
    pages = list(orders.pages(WINDOW))
    # Then
    assert [o.order_id for o in pages[0]] == ["2"]
    assert session.token_calls == 2
    assert session.gets[2][2]["x-amz-access-token"] == "Atza|2"


def test_a_403_on_a_fresh_token_is_final() -> None:
    # Given
    session = FakeSpApi([reply(403, errors("Unauthorized"))])
    # When
    with pytest.raises(AuthError):
        list(source(session).pages(WINDOW))
    # Then
    assert session.token_calls == 1
    assert len(session.gets) == 1


def test_a_revoked_grant_after_a_403_stops_with_one_token_call() -> None:
    # Given
    session = FakeSpApi(
        [reply(200, {"orders": [order("1")]}), reply(403, errors("Unauthorized"))],
        tokens=[
            reply(200, {"access_token": "Atza|1", "expires_in": 3600}),
            reply(400, {"error": "invalid_grant"}),
        ],
    )
    orders = source(session)
    list(orders.pages(WINDOW))
    # When
    with pytest.raises(AuthError) as caught:
        list(orders.pages(WINDOW))
    # Then
    assert caught.value.code == "invalid_grant"
    assert session.token_calls == 2
    assert len(session.gets) == 2


def test_a_shop_without_marketplaces_is_refused_before_any_call() -> None:
    # Given
    ctx = ShopContext("s", {"client_id": "c", "client_secret": "s", "refresh_token": "r"}, http())
    # When / Then
    with pytest.raises(RequestRejectedError, match="marketplace_ids"):
        AmazonOrders(ctx)


def test_spec_states_the_documented_limits() -> None:
    # Given / When / Then
    assert SPEC.rates["searchOrders"].per_second == 0.0056
    assert SPEC.rates["searchOrders"].burst == 20
    assert SPEC.limits.settle_lag >= timedelta(minutes=2)
    assert SPEC.limits.page_size == 100
    assert SPEC.credential_fields == ("client_id", "client_secret", "refresh_token")
    assert SPEC.endpoints == {
        "api": "https://sellingpartnerapi-na.amazon.com",
        "token": "https://api.amazon.com/auth/o2/token",
    }
    assert SPEC.minimum_calls(10_000) == 100
    assert SPEC.minimum_calls(0) == 1


def test_a_next_token_handed_out_twice_stops_the_pull_instead_of_looping() -> None:
    # Given
    session = FakeSpApi(
        [
            reply(200, {"orders": [order("1")], "pagination": {"nextToken": "same"}}),
            reply(200, {"orders": [order("2")], "pagination": {"nextToken": "same"}}),
        ]
    )
    pages = source(session).pages(WINDOW)
    # When
    with pytest.raises(InvalidResponseError, match="same nextToken"):
        list(pages)
    # Then
    assert len(session.gets) == 2
