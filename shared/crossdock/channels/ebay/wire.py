"""eBay Sell Fulfillment on the wire: request URLs and the one mapping of answers to typed faults.

getOrders: `GET {api}/sell/fulfillment/v1/order?filter=lastmodifieddate:%5B<start>..<end>%5D&limit=200
&offset=N` (brackets percent-encoded as eBay requires; timestamps ISO 8601 UTC with millis and `Z`;
both ends inclusive). getShippingFulfillments: `GET {api}/sell/fulfillment/v1/order/{orderId}/
shipping_fulfillment`. Failures arrive as `{"errors": [{"errorId", "domain", "category", "message"}]}`:
429 → ThrottledError, 401/403 → AuthError, other 4xx → RequestRejectedError, 5xx → RetryableError.
A 200 that claims orders (`total` beyond `offset`) but carries none, or claims more pages without a
`next` link, is InvalidResponseError, never "no more orders". `warnings[]` are logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests

from crossdock.core.errors import (
    AuthError,
    InvalidResponseError,
    RequestRejectedError,
    RetryableError,
    ThrottledError,
)
from crossdock.core.http import json_body, raise_for_status, retry_after_seconds
from crossdock.core.times import iso_z

if TYPE_CHECKING:
    from crossdock.orders.rules.windows import Window

log = logging.getLogger(__name__)

BASE_PATH = "/sell/fulfillment/v1"
PAGE_SIZE = 200  # the documented maximum `limit` (older model text said 1000; current docs say 200)


def orders_url(api: str, window: Window, offset: int, limit: int = PAGE_SIZE) -> str:
    """eBay timestamps have milliseconds: the start rounds down and the end up, never narrowing the window."""
    end_up = window.end + timedelta(microseconds=-window.end.microsecond % 1000)
    start, end = iso_z(window.start, millis=True), iso_z(end_up, millis=True)
    criteria = quote(f"lastmodifieddate:[{start}..{end}]", safe=":.")
    return f"{api}{BASE_PATH}/order?filter={criteria}&limit={limit}&offset={offset}"


def fulfillments_url(api: str, order_id: str) -> str:
    return f"{api}{BASE_PATH}/order/{quote(order_id, safe='')}/shipping_fulfillment"


@dataclass(frozen=True)
class OrdersPage:
    total: int
    offset: int
    limit: int
    orders: list[dict[str, Any]]
    has_next: bool


def raise_for_ebay_error(channel: str, response: requests.Response) -> None:
    """Map a non-2xx answer (with or without the `errors[]` envelope) to its typed fault."""
    status = response.status_code
    if status < 400:
        return
    first = _first_error(response)
    code = str(first.get("errorId")) if first.get("errorId") is not None else None
    detail = f"HTTP {status}" + (f" error {code}: {first.get('message', '')}" if code else "")
    if status == 429:
        raise ThrottledError(
            channel, detail, retry_after=retry_after_seconds(response), code=code, status=status
        )
    if status in (401, 403):
        raise AuthError(channel, detail, code=code, status=status)
    if status >= 500:
        raise RetryableError(channel, detail, code=code, status=status)
    if code is not None:
        raise RequestRejectedError(channel, detail, code=code, status=status)
    raise_for_status(channel, response)


def _first_error(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return errors[0]
    return {}


def _json_object(channel: str, response: requests.Response) -> dict[str, Any]:
    raise_for_ebay_error(channel, response)
    body = json_body(channel, response)
    if not isinstance(body, dict):
        raise InvalidResponseError(channel, "answer is not a JSON object", status=response.status_code)
    if body.get("errors"):
        raise InvalidResponseError(channel, f"200 with an errors envelope: {str(body)[:200]}", status=200)
    for warning in body.get("warnings") or ():
        log.warning("ebay warning", extra={"ebay_warning": warning})
    return body


def parse_orders_page(channel: str, response: requests.Response) -> OrdersPage:
    body = _json_object(channel, response)
    total, offset, limit = body.get("total"), body.get("offset", 0), body.get("limit", PAGE_SIZE)
    if not all(isinstance(value, int) and value >= 0 for value in (total, offset, limit)):
        raise InvalidResponseError(channel, "getOrders answer without total/offset/limit", status=200)
    assert isinstance(total, int) and isinstance(offset, int) and isinstance(limit, int)
    orders = body.get("orders")
    if orders is None:
        orders = []
    if not isinstance(orders, list) or not all(isinstance(order, dict) for order in orders):
        raise InvalidResponseError(channel, "getOrders `orders` is not a list of objects", status=200)
    if not orders and total > offset:
        raise InvalidResponseError(channel, f"empty page at offset {offset} of {total} orders", status=200)
    if any(not isinstance(order.get("orderId"), str) for order in orders):
        raise InvalidResponseError(channel, "an order without orderId", status=200)
    has_next = offset + max(limit, 1) < total
    if has_next and not body.get("next"):
        raise InvalidResponseError(channel, f"page at {offset} of {total} without `next`", status=200)
    return OrdersPage(total=total, offset=offset, limit=limit, orders=orders, has_next=has_next)


def parse_fulfillments(channel: str, response: requests.Response) -> list[dict[str, Any]]:
    body = _json_object(channel, response)
    total = body.get("total")
    fulfillments = body.get("fulfillments") or []
    if not isinstance(total, int) or not isinstance(fulfillments, list):
        raise InvalidResponseError(channel, "shipping_fulfillment answer without total", status=200)
    if total > 0 and not fulfillments:
        raise InvalidResponseError(channel, f"{total} fulfillments claimed, none returned", status=200)
    return [item for item in fulfillments if isinstance(item, dict)]
