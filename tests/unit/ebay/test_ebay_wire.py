"""getOrders on the wire: the exact URL, and every answer mapped once to a page or a typed fault."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from crossdock.channels.ebay.wire import (
    fulfillments_url,
    orders_url,
    parse_fulfillments,
    parse_orders_page,
)
from crossdock.core.errors import (
    AuthError,
    ChannelError,
    InvalidResponseError,
    RequestRejectedError,
    RetryableError,
    ThrottledError,
)
from crossdock.orders.rules.windows import Window

ORDER = {"orderId": "12-12345-67890", "lastModifiedDate": "2025-03-01T02:30:00.000Z"}


def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    response.headers.update({"Content-Type": "application/json", **(headers or {})})
    return response


def envelope(error_id: int, domain: str = "API_FULFILLMENT", category: str = "REQUEST") -> dict[str, Any]:
    return {"errors": [{"errorId": error_id, "domain": domain, "category": category, "message": "m"}]}


def test_orders_url_encodes_brackets_and_widens_the_window_to_whole_milliseconds() -> None:
    # Given
    window = Window(
        datetime(2025, 3, 1, 2, 0, 0, 999, tzinfo=UTC), datetime(2025, 3, 1, 3, 0, 0, 510001, tzinfo=UTC)
    )

    # When
    url = orders_url("https://api.ebay.com", window, 400)

    # Then
    assert url == (
        "https://api.ebay.com/sell/fulfillment/v1/order?filter=lastmodifieddate:"
        "%5B2025-03-01T02:00:00.000Z..2025-03-01T03:00:00.511Z%5D&limit=200&offset=400"
    )
    assert fulfillments_url("https://api.ebay.com", "12-12345-67890") == (
        "https://api.ebay.com/sell/fulfillment/v1/order/12-12345-67890/shipping_fulfillment"
    )


@pytest.mark.parametrize(
    ("status", "body", "headers", "fault", "code"),
    [
        (429, envelope(2001, "ACCESS"), {"Retry-After": "2"}, ThrottledError, "2001"),
        (401, envelope(1001, "OAuth"), {}, AuthError, "1001"),
        (403, envelope(1100, "ACCESS"), {}, AuthError, "1100"),
        (400, envelope(30800), {}, RequestRejectedError, "30800"),
        (400, envelope(31100), {}, RequestRejectedError, "31100"),
        (404, "", {}, RequestRejectedError, None),
        (500, envelope(2003, "ACCESS", "APPLICATION"), {}, RetryableError, "2003"),
        (503, "<html><body>503</body></html>", {"Content-Type": "text/html"}, RetryableError, None),
    ],
)
def test_error_answers_map_to_typed_faults(
    status: int, body: Any, headers: dict[str, str], fault: type[ChannelError], code: str | None
) -> None:
    # Given
    response = answer(status, body, headers)

    # When
    with pytest.raises(fault) as raised:
        parse_orders_page("ebay", response)

    # Then
    assert type(raised.value) is fault
    assert (raised.value.code, raised.value.status) == (code, status)
    if isinstance(raised.value, ThrottledError):
        assert raised.value.retry_after == 2.0


@pytest.mark.parametrize(
    "body",
    [
        {"href": "h", "total": 3, "limit": 200, "offset": 0},  # silent_empty: claims orders, has none
        {"href": "h", "total": 450, "limit": 200, "offset": 0, "orders": [ORDER]},  # more pages, no `next`
        {"total": 1, "offset": 0, "limit": 200, "orders": "nope"},
        {"orders": [ORDER]},  # no total
        {"total": 1, "limit": 200, "offset": 0, "orders": [{"lastModifiedDate": "x"}]},  # no orderId
        {"errors": [{"errorId": 2003}]},
        "<!DOCTYPE html><html><body>Gateway maintenance</body></html>",
        [],
    ],
)
def test_a_200_without_the_promised_orders_is_invalid_never_empty(body: Any) -> None:
    # Given
    response = answer(200, body)

    # When / Then
    with pytest.raises(InvalidResponseError):
        parse_orders_page("ebay", response)


def test_pages_report_whether_more_follow_and_empty_results_are_fine() -> None:
    # Given
    middle = {"total": 450, "limit": 200, "offset": 200, "next": "n", "orders": [ORDER]}
    last = {"total": 450, "limit": 200, "offset": 400, "prev": "p", "orders": [ORDER]}
    empty = {"href": "h", "total": 0, "limit": 200, "offset": 0, "orders": []}
    shrunk = {"href": "h", "total": 390, "limit": 200, "offset": 400}  # orders left while we paged

    # When
    pages = [parse_orders_page("ebay", answer(200, body)) for body in (middle, last, empty, shrunk)]

    # Then
    assert [(p.total, p.offset, len(p.orders), p.has_next) for p in pages] == [
        (450, 200, 1, True),
        (450, 400, 1, False),
        (0, 0, 0, False),
        (390, 400, 0, False),
    ]


def test_warnings_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    # Given
    warning = {"errorId": 30999, "domain": "API_FULFILLMENT", "category": "REQUEST", "message": "slow down"}
    body = {"total": 0, "limit": 200, "offset": 0, "orders": [], "warnings": [warning]}

    # When
    with caplog.at_level(logging.WARNING):
        parse_orders_page("ebay", answer(200, body))

    # Then
    assert [r.ebay_warning for r in caplog.records] == [warning]  # type: ignore[attr-defined]


def test_fulfillments_claimed_but_missing_are_invalid() -> None:
    # Given
    claimed = answer(200, {"total": 1})
    none = answer(200, {"total": 0, "fulfillments": []})

    # When / Then
    with pytest.raises(InvalidResponseError):
        parse_fulfillments("ebay", claimed)
    assert parse_fulfillments("ebay", none) == []
