"""How the Amazon sandbox renders a channel-neutral order in Orders API 2026-01-01 JSON (pure).

Shapes follow the official model (`orders_2026-01-01.json`) and its `x-amzn-api-sandbox` fixtures:
3-7-7 order ids, 14-digit order item ids, ASINs, `{"amount": "19940", "currencyCode": "JPY"}` money,
ISO 8601 times to the second with `Z`. Datasets appear only when `includedData` asks for them.
The book's lifecycle maps onto `fulfillmentStatus`: pending → PENDING, paid → UNSHIPPED, shipped →
SHIPPED (package IN_TRANSIT), completed → SHIPPED (package DELIVERED), cancelled → CANCELLED.
Amazon's Orders API carries no refunds: a refunded order shows as it last stood (SHIPPED and
DELIVERED once shipped, CANCELLED before that).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from crossdock_local.sandboxes.amazon.query import SearchQuery, encode_token
from crossdock_local.sandboxes.base import Reply
from crossdock_local.sandboxes.clock import iso_z
from crossdock_local.sandboxes.orderbook import SyntheticLine, SyntheticOrder


@dataclass(frozen=True)
class Marketplace:
    marketplace_id: str
    name: str
    order_prefix: str  # first group of the 3-7-7 order id


# Currency of a book → the marketplace its shop sells in (ids from the SP-API marketplace list).
MARKETPLACES = {
    "USD": Marketplace("ATVPDKIKX0DER", "Amazon.com", "114"),
    "JPY": Marketplace("A1VC38T7YXB528", "Amazon.co.jp", "250"),
    "EUR": Marketplace("A1PA6795UKMFR9", "Amazon.de", "302"),
    "GBP": Marketplace("A1F83G8C2ARO7P", "Amazon.co.uk", "202"),
    "CAD": Marketplace("A2EUQ1WTGCTBG2", "Amazon.ca", "701"),
}
FULFILLMENT_STATUS = {
    "pending": "PENDING",
    "paid": "UNSHIPPED",
    "shipped": "SHIPPED",
    "completed": "SHIPPED",
    "cancelled": "CANCELLED",
}
AMAZON_ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}")


def sp_api_error(status: int, code: str, message: str, details: str = "", **headers: str) -> Reply:
    """SP-API's error envelope, as every API answers it."""
    body = {"errors": [{"code": code, "message": message, "details": details}]}
    return Reply(status, body, {"x-amzn-RequestId": str(uuid.uuid4()), **headers})


def _digits(text: str, width: int) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % 10**width


def amazon_order_id(book_id: str, marketplace: Marketplace) -> str:
    """The 3-7-7 id a book order is shown under (numeric book ids stay readable: 42 → 114-0000000-0000042)."""
    if AMAZON_ORDER_ID.fullmatch(book_id):
        return book_id
    number = int(book_id) if book_id.isdigit() else _digits(book_id, 14)
    return f"{marketplace.order_prefix}-{number // 10**7 % 10**7:07d}-{number % 10**7:07d}"


def fulfillment_status(order: SyntheticOrder) -> str:
    if order.status == "refunded":
        return "SHIPPED" if order.tracking else "CANCELLED"
    return FULFILLMENT_STATUS[order.status]


def wire_time(value: datetime) -> str:
    return iso_z(value)


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": str(amount), "currencyCode": currency}


def item_id(line: SyntheticLine) -> str:
    """The 14-digit order item id a book line is shown under."""
    return f"{_digits(line.line_id, 14):014d}"


def _item(line: SyntheticLine, order: SyntheticOrder, status: str, included: set[str]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "orderItemId": item_id(line),
        "quantityOrdered": line.quantity,
        "product": {
            "asin": f"B0{_digits(line.sku, 8):08d}",
            "title": line.title,
            "sellerSku": line.sku,
            "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
            "price": {"unitPrice": _money(line.unit_price, order.currency)},
        },
    }
    if "PROCEEDS" in included:
        item["proceeds"] = {"proceedsTotal": _money(line.unit_price * line.quantity, order.currency)}
    if "FULFILLMENT" in included:
        shipped = line.quantity if status == "SHIPPED" else 0
        item["fulfillment"] = {"quantityFulfilled": shipped, "quantityUnfulfilled": line.quantity - shipped}
    if "CANCELLATION" in included and status == "CANCELLED":
        item["cancellation"] = {
            "cancellationExecution": {"cancelledBy": "MERCHANT", "cancelReason": "NO_INVENTORY"}
        }
    return item


def render_order(order: SyntheticOrder, marketplace: Marketplace, included: set[str]) -> dict[str, Any]:
    """The `Order` object of a searchOrders page."""
    status = fulfillment_status(order)
    amazon_id = amazon_order_id(order.order_id, marketplace)
    rendered: dict[str, Any] = {
        "orderId": amazon_id,
        "createdTime": wire_time(order.created_at),
        "lastUpdatedTime": wire_time(order.modified_at),
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": marketplace.marketplace_id,
            "marketplaceName": marketplace.name,
        },
        "orderItems": [_item(line, order, status, included) for line in order.lines],
    }
    if "BUYER" in included:
        rendered["buyer"] = {"buyerName": order.buyer_name}
    if "PROCEEDS" in included:
        rendered["proceeds"] = {"grandTotal": _money(order.total, order.currency)}
    if "FULFILLMENT" in included:
        rendered["fulfillment"] = {"fulfillmentStatus": status, "fulfilledBy": "MERCHANT"}
    if "PACKAGES" in included and order.tracking and status == "SHIPPED":
        carrier, number = order.tracking
        delivered = order.status in ("completed", "refunded")
        rendered["packages"] = [
            {
                "packageReferenceId": "1",
                "packageStatus": {"status": "DELIVERED" if delivered else "IN_TRANSIT"},
                "carrier": carrier,
                "trackingNumber": number,
                "packageItems": [
                    {"orderItemId": item["orderItemId"], "quantity": item["quantityOrdered"]}
                    for item in rendered["orderItems"]
                ],
            }
        ]
    return rendered


def search_page(
    candidates: Iterable[SyntheticOrder], query: SearchQuery, marketplace: Marketplace, now: datetime
) -> dict[str, Any]:
    """A searchOrders body: the matching orders oldest change first, one page of them, and a
    `pagination.nextToken` holding the last position served when more remain."""

    def exact(order: SyntheticOrder) -> datetime:
        return order.modified_at if query.by == "lastUpdated" else order.created_at

    def position(order: SyntheticOrder) -> tuple[str, str]:
        return exact(order).astimezone(UTC).isoformat(timespec="microseconds"), order.order_id

    matching = sorted(
        (
            order
            for order in candidates
            # The window is judged on what the wire shows: whole seconds.
            if query.after <= exact(order).replace(microsecond=0) <= query.before
            and (query.statuses is None or fulfillment_status(order) in query.statuses)
            and (query.fulfilled_by is None or "MERCHANT" in query.fulfilled_by)
            and (query.cursor is None or position(order) > query.cursor)
        ),
        key=position,
    )
    page = matching[: query.page_size]
    body: dict[str, Any] = {
        "orders": [render_order(order, marketplace, set(query.included)) for order in page]
    }
    if len(matching) > query.page_size:
        body["pagination"] = {"nextToken": encode_token(query, position(page[-1]), now)}
    body[f"{query.by}Before"] = iso_z(query.before)
    return body
