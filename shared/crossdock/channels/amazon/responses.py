"""SP-API answers → a searchOrders page or one typed fault (the one place responses are judged).

Errors come as `{"errors": [{"code", "message", "details"}]}`: 429 / `QuotaExceeded` → ThrottledError
waiting one token at the granted rate (or `Retry-After` when sent); 401/403 / `Unauthorized` →
AuthError; 5xx / `InternalFailure` → RetryableError; other 4xx (`InvalidInput`, …) →
RequestRejectedError. A 200 needs an `orders` array, and an empty one must not claim a next page.
`getOrder` (one order by id, for a notification): 404 is "the resource specified does not exist"
(None), a 200 needs an `order` object (GetOrderResponse).
Every answer's `x-amzn-RateLimit-Limit` (the rate Amazon grants this seller) sets the pacing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from crossdock.channels.amazon.normalize import CHANNEL
from crossdock.core.errors import (
    AuthError,
    InvalidResponseError,
    RequestRejectedError,
    RetryableError,
    ThrottledError,
)
from crossdock.core.http import ChannelHttp, json_body, retry_after_seconds

SEARCH = "searchOrders"
GET_ORDER = "getOrder"
AUTH_CODES = frozenset({"Unauthorized", "AccessDenied", "InvalidSignature", "MissingAuthenticationToken"})
RETRYABLE_CODES = frozenset({"InternalFailure", "ServiceUnavailable"})


@dataclass(frozen=True)
class SearchPage:
    orders: list[Any]
    next_token: str | None


def observe_rate_limit(http: ChannelHttp, operation: str, response: requests.Response) -> None:
    """Follow `x-amzn-RateLimit-Limit`: the rate Amazon grants this seller for the operation."""
    try:
        rate = float(response.headers.get("x-amzn-RateLimit-Limit", ""))
    except ValueError:
        return
    http.observe_rate(operation, rate)


def raise_for_sp_api_error(http: ChannelHttp, operation: str, response: requests.Response) -> None:
    """Map an SP-API error status and its `{"errors": [{code, message, details}]}` envelope."""
    status = response.status_code
    if status < 400:
        return
    try:
        errors = response.json().get("errors") or [{}]
        code, message = (
            errors[0].get("code"),
            f"{errors[0].get('message', '')} {errors[0].get('details', '')}",
        )
    except (ValueError, AttributeError, IndexError):
        code, message = None, response.text[:300]
    text = f"{operation} HTTP {status} {code}: {message.strip()}"
    if status == 429 or code == "QuotaExceeded":
        wait = retry_after_seconds(response)
        if wait is None:
            wait = 1.0 / http.bucket(operation).rate.per_second  # one token at the granted rate
        raise ThrottledError(CHANNEL, text, retry_after=wait, code=code or "QuotaExceeded", status=status)
    if status in (401, 403) or code in AUTH_CODES:
        raise AuthError(CHANNEL, text, code=code, status=status)
    if status >= 500 or code in RETRYABLE_CODES:
        raise RetryableError(CHANNEL, text, code=code, status=status)
    raise RequestRejectedError(CHANNEL, text, code=code, status=status)


def parse_search(http: ChannelHttp, response: requests.Response) -> SearchPage:
    """One `searchOrders` answer → its page, or the typed fault (the one place responses are judged)."""
    observe_rate_limit(http, SEARCH, response)
    raise_for_sp_api_error(http, SEARCH, response)
    body = json_body(CHANNEL, response)
    if not isinstance(body, dict) or body.get("errors"):
        raise InvalidResponseError(CHANNEL, f"{SEARCH} 200 without a result: {response.text[:200]}")
    orders = body.get("orders")
    if not isinstance(orders, list):
        raise InvalidResponseError(CHANNEL, f"{SEARCH} 200 without an orders array: {response.text[:200]}")
    pagination = body.get("pagination") or {}
    next_token = pagination.get("nextToken") if isinstance(pagination, dict) else None
    if not orders and next_token:
        raise InvalidResponseError(CHANNEL, f"{SEARCH} returned an empty page that claims a next page")
    return SearchPage(orders, str(next_token) if next_token else None)


def parse_get_order(http: ChannelHttp, response: requests.Response) -> Any | None:
    """One `getOrder` answer → the raw order object, None for 404, or the typed fault."""
    observe_rate_limit(http, GET_ORDER, response)
    if response.status_code == 404:
        return None
    raise_for_sp_api_error(http, GET_ORDER, response)
    body = json_body(CHANNEL, response)
    order = body.get("order") if isinstance(body, dict) and not body.get("errors") else None
    if not isinstance(order, dict):
        raise InvalidResponseError(CHANNEL, f"{GET_ORDER} 200 without an order: {response.text[:200]}")
    return order
