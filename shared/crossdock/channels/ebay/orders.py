"""eBay `Order` JSON → crossdock `Order` (pure).

Status, checked in this order:
- `cancelStatus.cancelState == CANCELED` → cancelled;
- `orderPaymentStatus == FULLY_REFUNDED` → refunded (a partial refund leaves the order open);
- `PENDING` / `FAILED` payment → pending (not paid yet, or the payment failed);
- otherwise by `orderFulfillmentStatus`: `FULFILLED` → shipped; `NOT_STARTED` and `IN_PROGRESS`
  (some packages still to ship) → paid.
eBay has no "completed": getOrders does not report delivery or buyer confirmation, so an eBay order
stays `shipped`. `raw_status` is "<payment>/<fulfillment>", plus "/<cancelState>" when a cancellation
is requested or done.

Buyer: `buyer.buyerRegistrationAddress.fullName` (newer API versions) when present, else
`buyer.username`. The ship-to name is not used: for Global Shipping Program orders it names eBay's
forwarding warehouse, not the buyer. Tracking is not in getOrders: shipments come from
getShippingFulfillments (see `ebay.py`) and are passed in here.

Buyer note: `buyerCheckoutNotes`, the comments the buyer left at checkout (returned only when there
are some).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from crossdock.core.errors import InvalidResponseError
from crossdock.core.times import parse_iso
from crossdock.orders.rules.order import Money, Order, OrderLine, OrderStatus, Shipment

FULFILLMENT_STATUSES = frozenset({"NOT_STARTED", "IN_PROGRESS", "FULFILLED"})
TRACKED_STATUSES = frozenset({"IN_PROGRESS", "FULFILLED"})


def order_status(raw: dict[str, Any]) -> tuple[OrderStatus, str]:
    payment = str(raw.get("orderPaymentStatus") or "")
    fulfillment = str(raw.get("orderFulfillmentStatus") or "")
    cancel_state = str((raw.get("cancelStatus") or {}).get("cancelState") or "NONE_REQUESTED")
    raw_status = f"{payment}/{fulfillment}" + ("" if cancel_state == "NONE_REQUESTED" else f"/{cancel_state}")
    if cancel_state == "CANCELED":
        return OrderStatus.CANCELLED, raw_status
    if payment == "FULLY_REFUNDED":
        return OrderStatus.REFUNDED, raw_status
    if payment in ("PENDING", "FAILED"):
        return OrderStatus.PENDING, raw_status
    if fulfillment == "FULFILLED":
        return OrderStatus.SHIPPED, raw_status
    return OrderStatus.PAID, raw_status


def needs_tracking(raw: dict[str, Any]) -> bool:
    """Whether the order has shipping fulfillments worth one getShippingFulfillments call."""
    return raw.get("orderFulfillmentStatus") in TRACKED_STATUSES and bool(raw.get("fulfillmentHrefs"))


def money(channel: str, amount: Any) -> Money | None:
    if not isinstance(amount, dict) or amount.get("value") in (None, ""):
        return None
    currency = amount.get("currency")
    if not isinstance(currency, str) or len(currency) != 3:
        raise InvalidResponseError(channel, f"amount without an ISO 4217 currency: {amount!r}")
    try:
        return Money.of(Decimal(str(amount["value"])), currency)
    except (InvalidOperation, ValueError) as exc:
        raise InvalidResponseError(channel, f"unreadable amount {amount!r}") from exc


def order_line(channel: str, item: dict[str, Any]) -> OrderLine:
    quantity = item.get("quantity")
    if not isinstance(quantity, int) or quantity < 0:
        raise InvalidResponseError(channel, f"line item {item.get('lineItemId')} without a quantity")
    cost = money(channel, item.get("lineItemCost"))  # unit price × quantity, before discounts
    unit = Money.of(cost.amount / quantity, cost.currency) if cost and quantity > 0 else None
    return OrderLine(
        line_id=str(item.get("lineItemId") or ""),
        sku=str(item.get("sku") or ""),
        quantity=quantity,
        unit_price=unit,
        title=str(item.get("title") or ""),
    )


def shipments_from(fulfillments: list[dict[str, Any]]) -> tuple[Shipment, ...]:
    return tuple(
        Shipment(
            carrier=str(f.get("shippingCarrierCode") or ""), tracking_number=str(f["shipmentTrackingNumber"])
        )
        for f in fulfillments
        if f.get("shipmentTrackingNumber")
    )


def buyer_name(raw: dict[str, Any]) -> str:
    buyer = raw.get("buyer") or {}
    registered = (buyer.get("buyerRegistrationAddress") or {}).get("fullName")
    return str(registered or buyer.get("username") or "")


def to_order(channel: str, shop_id: str, raw: dict[str, Any], shipments: tuple[Shipment, ...] = ()) -> Order:
    created_text, modified_text = raw.get("creationDate"), raw.get("lastModifiedDate")
    try:
        if not isinstance(created_text, str) or not isinstance(modified_text, str):
            raise TypeError("dates must be strings")
        created, modified = parse_iso(created_text), parse_iso(modified_text)
    except (TypeError, ValueError) as exc:
        raise InvalidResponseError(channel, f"order {raw.get('orderId')} without readable dates") from exc
    status, raw_status = order_status(raw)
    return Order(
        channel=channel,
        shop_id=shop_id,
        order_id=str(raw["orderId"]),
        status=status,
        raw_status=raw_status,
        created_at=created,
        modified_at=modified,
        total=money(channel, (raw.get("pricingSummary") or {}).get("total")),
        lines=tuple(
            order_line(channel, item) for item in raw.get("lineItems") or () if isinstance(item, dict)
        ),
        buyer_name=buyer_name(raw),
        shipments=shipments,
        buyer_note=str(raw.get("buyerCheckoutNotes") or ""),
        buyer_id=str((raw.get("buyer") or {}).get("username") or ""),  # finds them on account deletion
        raw=raw,
    )
