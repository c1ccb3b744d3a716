"""Orders API 2026-01-01 order JSON → crossdock's Order (pure).

Field names from the official model (`orders_2026-01-01.json`): `orderId`, `createdTime`,
`lastUpdatedTime`, `buyer.buyerName` (includedData BUYER), `proceeds.grandTotal` (PROCEEDS),
`fulfillment.fulfillmentStatus` (FULFILLMENT), `orderItems[].{orderItemId, quantityOrdered,
product.{sellerSku, title, price.unitPrice}}` (always inline), `packages[].{carrier, trackingNumber,
packageStatus.status}` (PACKAGES, merchant-fulfilled orders only). Money is `{"amount": "19940",
"currencyCode": "JPY"}` with the amount as a decimal string.

Status: PENDING_AVAILABILITY/PENDING → pending; UNSHIPPED/PARTIALLY_SHIPPED → paid; SHIPPED → shipped,
or completed once every package reports DELIVERED; CANCELLED/UNFULFILLABLE (will never ship) →
cancelled. The model has no refund signal (refunds live in the Finances API), so Amazon never yields
`refunded`; `raw_status` keeps Amazon's value.

Buyer note: none. Neither this model nor Orders v0 (getOrders) has a free-text note from the buyer to
the seller. `orderItems[].fulfillment.packing.giftOption.giftMessage` is a per-item message for the
gift's recipient and `recipient.deliveryPreference` holds the shipping address's delivery
instructions (includedData RECIPIENT, personal data we do not request); neither is passed off as a
buyer note, so `buyer_note` stays "".
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import InvalidOperation
from typing import Any

from crossdock.core.errors import InvalidResponseError
from crossdock.core.times import parse_iso
from crossdock.orders.rules.order import Money, Order, OrderLine, OrderStatus, Shipment

CHANNEL = "amazon"
# The datasets every order read asks for (searchOrders and getOrder alike): what to_order reads.
INCLUDED_DATA = ("BUYER", "PROCEEDS", "FULFILLMENT", "PACKAGES")

FULFILLMENT_STATUS = {
    "PENDING_AVAILABILITY": OrderStatus.PENDING,
    "PENDING": OrderStatus.PENDING,
    "UNSHIPPED": OrderStatus.PAID,
    "PARTIALLY_SHIPPED": OrderStatus.PAID,
    "SHIPPED": OrderStatus.SHIPPED,
    "CANCELLED": OrderStatus.CANCELLED,
    "UNFULFILLABLE": OrderStatus.CANCELLED,
}


def money(value: Any) -> Money | None:
    """A model `Money` object, or None when the dataset was not returned."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValueError(f"money is {value!r}")
    try:
        return Money.of(str(value["amount"]), str(value["currencyCode"]))
    except (KeyError, InvalidOperation) as exc:
        raise ValueError(f"money {value!r} is malformed") from exc


def order_status(raw: Mapping[str, Any]) -> tuple[OrderStatus, str]:
    fulfillment = raw.get("fulfillment") or {}
    raw_status = fulfillment.get("fulfillmentStatus")
    if raw_status not in FULFILLMENT_STATUS:
        raise ValueError(f"fulfillment.fulfillmentStatus is {raw_status!r} (was FULFILLMENT requested?)")
    status = FULFILLMENT_STATUS[raw_status]
    packages = raw.get("packages") or []
    if (
        status is OrderStatus.SHIPPED
        and packages
        and all((p.get("packageStatus") or {}).get("status") == "DELIVERED" for p in packages)
    ):
        status = OrderStatus.COMPLETED
    return status, raw_status


def order_line(item: Mapping[str, Any]) -> OrderLine:
    product = item.get("product") or {}
    price = product.get("price") or {}
    return OrderLine(
        line_id=str(item["orderItemId"]),
        sku=str(product.get("sellerSku") or product.get("asin") or ""),
        quantity=int(item["quantityOrdered"]),
        unit_price=money(price.get("unitPrice")),
        title=str(product.get("title") or ""),
    )


def shipments(raw: Mapping[str, Any]) -> tuple[Shipment, ...]:
    return tuple(
        Shipment(carrier=str(p.get("carrier") or ""), tracking_number=str(p["trackingNumber"]))
        for p in raw.get("packages") or []
        if p.get("trackingNumber")
    )


def to_order(raw: Any, *, shop_id: str) -> Order:
    """One `Order` from the model's order object; InvalidResponseError when it lacks what we need."""
    if not isinstance(raw, Mapping):
        raise InvalidResponseError(CHANNEL, f"an order entry is {type(raw).__name__}, not an object")
    order_id = raw.get("orderId")
    try:
        status, raw_status = order_status(raw)
        items = raw["orderItems"]
        if not isinstance(items, list):
            raise ValueError("orderItems is not a list")
        return Order(
            channel=CHANNEL,
            shop_id=shop_id,
            order_id=str(raw["orderId"]),
            status=status,
            raw_status=raw_status,
            created_at=parse_iso(str(raw["createdTime"])),
            modified_at=parse_iso(str(raw["lastUpdatedTime"])),
            total=money((raw.get("proceeds") or {}).get("grandTotal")),
            lines=tuple(order_line(item) for item in items),
            buyer_name=str((raw.get("buyer") or {}).get("buyerName") or ""),
            shipments=shipments(raw),
            raw=dict(raw),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidResponseError(CHANNEL, f"order {order_id!r} cannot be read: {exc!r}") from exc
