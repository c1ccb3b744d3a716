"""Shopify answers → typed faults and bucket updates, mapped once in `shopify_wire`."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from crossdock.channels.shopify.wire import graphql_data, line_items_page, orders_page
from crossdock.core.errors import (
    AuthError,
    InvalidResponseError,
    RequestRejectedError,
    RetryableError,
    ThrottledError,
)
from crossdock.core.ratelimit import Rate, TokenBucket

THROTTLED_BODY = {
    "errors": [
        {
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
        }
    ],
    "extensions": {
        "cost": {
            "requestedQueryCost": 202,
            "actualQueryCost": None,
            "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 118, "restoreRate": 50.0},
        }
    },
}


def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


def bucket() -> TokenBucket:
    return TokenBucket(Rate(100.0, 1000.0), clock=lambda: 0.0)


def page(has_next: bool, cursor: str | None, nodes: list[Any]) -> dict[str, Any]:
    return {"pageInfo": {"hasNextPage": has_next, "endCursor": cursor}, "nodes": nodes}


def order_node(more_items: bool = False) -> dict[str, Any]:
    return {"id": "gid://shopify/Order/1", "lineItems": page(more_items, "c" if more_items else None, [{}])}


@pytest.mark.parametrize("status", [200, 429])
def test_throttled_waits_until_the_requested_points_are_back(status: int) -> None:
    # Given
    points = bucket()

    # When
    with pytest.raises(ThrottledError) as caught:
        graphql_data(answer(status, THROTTLED_BODY), points)

    # Then: (202 − 118) / 50
    assert caught.value.retry_after == pytest.approx(1.68)
    assert caught.value.code == "THROTTLED"
    assert points.tokens == pytest.approx(118) and points.rate.per_second == 50.0


def test_every_answer_resets_the_bucket_to_shopifys_throttle_status() -> None:
    # Given
    points = bucket()
    status = {"maximumAvailable": 2000.0, "currentlyAvailable": 1412, "restoreRate": 200.0}
    cost = {"requestedQueryCost": 988, "actualQueryCost": 400, "throttleStatus": status}
    body = {"data": {"orders": page(False, None, [])}, "extensions": {"cost": cost}}

    # When
    data = graphql_data(answer(200, body), points)

    # Then
    assert data == body["data"]
    assert points.tokens == pytest.approx(1412) and points.rate == Rate(200.0, 2000.0)


def test_a_429_without_a_graphql_body_follows_retry_after() -> None:
    # When / Then
    with pytest.raises(ThrottledError) as caught:
        graphql_data(answer(429, "Too Many Requests", {"Retry-After": "2.0"}), bucket())
    assert caught.value.retry_after == 2.0


@pytest.mark.parametrize(
    ("status", "words"),
    [(401, "revoked"), (402, "frozen"), (403, "read_orders"), (423, "locked")],
)
def test_auth_and_shop_state_answers_need_a_person(status: int, words: str) -> None:
    # Given
    body = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}

    # When / Then
    with pytest.raises(AuthError, match=words) as caught:
        graphql_data(answer(status, body), bucket())
    assert caught.value.status == status


def test_access_denied_in_a_200_is_a_missing_scope() -> None:
    # Given
    body = {
        "errors": [{"message": "Access denied for orders field.", "extensions": {"code": "ACCESS_DENIED"}}]
    }

    # When / Then
    with pytest.raises(AuthError, match="scope"):
        graphql_data(answer(200, body), bucket())


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retryable(status: int) -> None:
    with pytest.raises(RetryableError) as caught:
        graphql_data(answer(status, "<html>oops</html>"), bucket())
    assert type(caught.value) is RetryableError


def test_internal_server_error_envelope_is_retryable_not_rejected() -> None:
    # Given
    error = {"message": "Internal error.", "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": "r1"}}

    # When / Then
    with pytest.raises(RetryableError) as caught:
        graphql_data(answer(200, {"errors": [error]}), bucket())
    assert caught.value.code == "INTERNAL_SERVER_ERROR"


@pytest.mark.parametrize(
    ("errors", "code"),
    [
        (
            [{"message": "Query cost is 1204, which exceeds…", "extensions": {"code": "MAX_COST_EXCEEDED"}}],
            "MAX_COST_EXCEEDED",
        ),
        (
            [{"message": "syntax error, unexpected end of file", "locations": [{"line": 1, "column": 9}]}],
            None,
        ),
        (
            [
                {
                    "message": "Field 'foo' doesn't exist on type 'Order'",
                    "extensions": {"code": "undefinedField"},
                }
            ],
            "undefinedField",
        ),
    ],
)
def test_other_graphql_errors_are_rejected_requests(errors: list[Any], code: str | None) -> None:
    with pytest.raises(RequestRejectedError) as caught:
        graphql_data(answer(200, {"errors": errors}), bucket())
    assert caught.value.code == code


def test_a_search_term_shopify_ignored_is_a_rejected_request() -> None:
    # Given: Shopify answers, but without our filter
    warning = {"field": "updatd_at", "message": "Invalid search field for this query."}
    extensions = {"search": [{"path": ["orders"], "query": "updatd_at:>='x'", "warnings": [warning]}]}

    # When / Then
    with pytest.raises(RequestRejectedError, match="ignored"):
        graphql_data(
            answer(200, {"data": {"orders": page(False, None, [])}, "extensions": extensions}), bucket()
        )


@pytest.mark.parametrize(
    "body",
    ["<!DOCTYPE html><html>Gateway maintenance</html>", {"data": None}, [1, 2], {"errors": "Not Found"}],
)
def test_answers_without_data_are_invalid(body: Any) -> None:
    with pytest.raises(InvalidResponseError):
        graphql_data(answer(200, body), bucket())


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"orders": None},
        {"orders": page(True, None, [order_node()])},
        {"orders": page(True, "cursor", [])},
        {"orders": {"nodes": []}},
        {"orders": page(False, None, [{"id": "gid://shopify/Order/1"}])},
    ],
)
def test_pages_without_orders_or_claiming_more_without_a_way_on_are_invalid(data: dict[str, Any]) -> None:
    with pytest.raises(InvalidResponseError):
        orders_page(data)


def test_the_last_page_may_be_empty() -> None:
    # When
    found = orders_page({"orders": page(False, None, [])})

    # Then
    assert (found.nodes, found.has_next, found.end_cursor) == ([], False, None)


def test_a_vanished_order_in_the_follow_up_is_invalid() -> None:
    with pytest.raises(InvalidResponseError, match="vanished"):
        line_items_page({"order": None})
