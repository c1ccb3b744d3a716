"""Shopify Admin GraphQL on the wire: the one mapping of answers to typed faults, and the cost bucket.

Every answer's `extensions.cost.throttleStatus` {maximumAvailable, currentlyAvailable, restoreRate} is
copied into our bucket, so the next page waits exactly as long as Shopify's own bucket needs.
`THROTTLED` in `errors[].extensions.code` (HTTP 200 or 429) → ThrottledError after
(requested − currentlyAvailable) / restoreRate seconds. HTTP 401 (bad or revoked token), 403 (missing
scope), 402 (shop frozen: unpaid Shopify bill) and 423 (shop locked by Shopify) → AuthError: none of
them heals by retrying, each needs a person (merchant or Shopify support), and AuthError is what stops
the shop's pulls and alerts. 5xx and `INTERNAL_SERVER_ERROR` → RetryableError; other `errors`
(MAX_COST_EXCEEDED, syntax or validation errors) → RequestRejectedError; search terms Shopify ignored
(`extensions.search[].warnings`) → RequestRejectedError, since the window filter would not apply.
A 200 without the expected data, or a page that claims more without a cursor or nodes, is
InvalidResponseError, never "no more orders".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests

from crossdock.core.errors import (
    AuthError,
    ChannelError,
    InvalidResponseError,
    RequestRejectedError,
    RetryableError,
    ThrottledError,
)
from crossdock.core.http import json_body, raise_for_status, retry_after_seconds

if TYPE_CHECKING:
    from crossdock.core.ratelimit import TokenBucket

CHANNEL = "shopify"
THROTTLED = "THROTTLED"
SERVER_CODES = frozenset({"INTERNAL_SERVER_ERROR"})
AUTH_STATUS = {
    401: "access token invalid or revoked (app uninstalled?): reinstall or re-authorize the app",
    402: "shop frozen (402 Payment Required): the merchant must settle the Shopify bill",
    403: "missing access scope: the app needs read_orders (and read_all_orders beyond 60 days)",
    423: "shop locked (423 Locked) by Shopify: the merchant must contact Shopify support",
}


@dataclass(frozen=True)
class Connection:
    """One page of a connection: its nodes and where the next page starts."""

    nodes: list[dict[str, Any]]
    has_next: bool
    end_cursor: str | None


def graphql_data(
    response: requests.Response, bucket: TokenBucket, on_refund: Callable[[float], None] | None = None
) -> dict[str, Any]:
    """The `data` of a GraphQL answer, after following its cost; any fault as its typed error.
    `on_refund` hears the points Shopify gave back (requested − actual cost)."""
    status = response.status_code
    if status in AUTH_STATUS:
        raise AuthError(CHANNEL, f"{AUTH_STATUS[status]}: {response.text[:200]}", status=status)
    if status == 429 or status < 300:
        body = _json_or_throttled(response)
    else:
        raise_for_status(CHANNEL, response)
        raise InvalidResponseError(CHANNEL, f"HTTP {status}", status=status)
    requested, available, restore = follow_cost(body, bucket)
    actual = _number(((body.get("extensions") or {}).get("cost") or {}).get("actualQueryCost"))
    if on_refund is not None and 0 < actual < requested:
        on_refund(requested - actual)
    errors = body.get("errors")
    if errors:
        fault = _fault(errors, status, requested, available, restore)
        if isinstance(fault, ThrottledError) and fault.retry_after is None:
            fault.retry_after = retry_after_seconds(response)
        raise fault
    if status == 429:
        raise ThrottledError(CHANNEL, "HTTP 429", retry_after=retry_after_seconds(response), status=status)
    _refuse_ignored_search_terms(body)
    data = body.get("data")
    if not isinstance(data, dict):
        raise InvalidResponseError(CHANNEL, f"HTTP {status} without `data`", status=status)
    return data


def _json_or_throttled(response: requests.Response) -> dict[str, Any]:
    try:
        body = json_body(CHANNEL, response)
    except InvalidResponseError:
        if response.status_code == 429:
            raise ThrottledError(
                CHANNEL, "HTTP 429", retry_after=retry_after_seconds(response), status=429
            ) from None
        raise
    if not isinstance(body, dict):
        raise InvalidResponseError(CHANNEL, "answer is not a JSON object", status=response.status_code)
    return body


def follow_cost(body: dict[str, Any], bucket: TokenBucket) -> tuple[float, float, float]:
    """Copy `throttleStatus` into the bucket; (requested, currentlyAvailable, restoreRate), 0 if absent."""
    cost = (body.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    requested = _number(cost.get("requestedQueryCost"))
    available = _number(status.get("currentlyAvailable"))
    maximum = _number(status.get("maximumAvailable"))
    restore = _number(status.get("restoreRate"))
    if restore > 0:
        bucket.set_rate(restore)
    if maximum > 0:
        bucket.set_level(available, maximum)
    return requested, available, restore


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _fault(errors: Any, status: int, requested: float, available: float, restore: float) -> ChannelError:
    if not isinstance(errors, list):
        return InvalidResponseError(CHANNEL, f"HTTP {status} with errors {str(errors)[:200]}", status=status)
    codes = [
        str(((e or {}).get("extensions") or {}).get("code") or "") for e in errors if isinstance(e, dict)
    ]
    message = "; ".join(str((e or {}).get("message", e)) for e in errors)[:300]
    if THROTTLED in codes:
        wait = max(0.0, requested - available) / restore if restore > 0 and requested > 0 else None
        return ThrottledError(CHANNEL, message, retry_after=wait, code=THROTTLED, status=status)
    server = next((code for code in codes if code in SERVER_CODES), None)
    if server:
        return RetryableError(CHANNEL, message, code=server, status=status)
    if "ACCESS_DENIED" in codes:
        return AuthError(CHANNEL, f"missing access scope: {message}", code="ACCESS_DENIED", status=status)
    return RequestRejectedError(CHANNEL, message, code=next((c for c in codes if c), None), status=status)


def _refuse_ignored_search_terms(body: dict[str, Any]) -> None:
    for search in (body.get("extensions") or {}).get("search") or []:
        warnings = search.get("warnings") if isinstance(search, dict) else None
        if warnings:
            raise RequestRejectedError(CHANNEL, f"Shopify ignored part of the search query: {warnings}")


def connection(value: Any, what: str) -> Connection:
    """A connection's page; InvalidResponseError when it is missing or claims more without a way on."""
    if not isinstance(value, dict):
        raise InvalidResponseError(CHANNEL, f"answer lacks {what}")
    nodes, info = value.get("nodes"), value.get("pageInfo")
    if (
        not isinstance(nodes, list)
        or not isinstance(info, dict)
        or not isinstance(info.get("hasNextPage"), bool)
    ):
        raise InvalidResponseError(CHANNEL, f"{what} lacks nodes or pageInfo")
    cursor = info.get("endCursor")
    if info["hasNextPage"] and (not cursor or not nodes):
        raise InvalidResponseError(CHANNEL, f"{what} claims more pages but has no cursor or no nodes")
    return Connection(nodes, info["hasNextPage"], cursor if isinstance(cursor, str) else None)


def orders_page(data: dict[str, Any]) -> Connection:
    """The orders page; each node's `lineItems` checked too, since more of them may have to be fetched."""
    page = connection(data.get("orders"), "data.orders")
    for node in page.nodes:
        if not isinstance(node, dict):
            raise InvalidResponseError(CHANNEL, "data.orders.nodes holds a non-object")
        connection(node.get("lineItems"), f"lineItems of order {node.get('id')!r}")
    return page


def has_more_line_items(node: dict[str, Any]) -> bool:
    return bool(node["lineItems"]["pageInfo"]["hasNextPage"])


def line_items_page(data: dict[str, Any]) -> Connection:
    order = data.get("order")
    if not isinstance(order, dict):
        raise InvalidResponseError(CHANNEL, "answer lacks data.order (order vanished?)")
    return connection(order.get("lineItems"), "data.order.lineItems")
