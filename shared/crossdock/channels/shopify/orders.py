"""A Shopify GraphQL `Order` node → the normalized Order (pure).

Status, first match wins (`raw_status` keeps "displayFinancialStatus/displayFulfillmentStatus"):
REFUNDED → refunded (also when cancelled: the money went back); `cancelledAt` set or VOIDED →
cancelled; fulfillment FULFILLED → shipped, or completed when the order is also `closed`; financial
PENDING / AUTHORIZED / EXPIRED / PARTIALLY_PAID (not fully paid) or unknown → pending; otherwise
(PAID, PARTIALLY_REFUNDED, with nothing or part shipped) → paid. Shopify has no "delivered" order
state: `closed` (archived) is its own "nothing left to do", set by the merchant or automatically after
fulfilment (store setting, on by default), so closed + fulfilled is our "completed". Fulfilment is read
before payment because orders on payment terms ship while their payment is still PENDING.

Buyer note: `Order.note` (a scalar: free in the query's cost), the note the customer left at checkout;
the merchant may edit it in the admin, so it is the order's note as it stands. Null when there is none.
"""

from __future__ import annotations

from typing import Any

from crossdock.channels.shopify.wire import CHANNEL
from crossdock.core.errors import InvalidResponseError
from crossdock.core.times import parse_iso
from crossdock.orders.rules.order import Money, Order, OrderLine, OrderStatus, Shipment

NOT_FULLY_PAID = frozenset({"PENDING", "AUTHORIZED", "EXPIRED", "PARTIALLY_PAID"})
PAID = frozenset({"PAID", "PARTIALLY_REFUNDED"})


def order_status(financial: str, fulfillment: str, *, cancelled: bool, closed: bool) -> OrderStatus:
    if financial == "REFUNDED":
        return OrderStatus.REFUNDED
    if cancelled or financial == "VOIDED":
        return OrderStatus.CANCELLED
    if fulfillment == "FULFILLED":
        return OrderStatus.COMPLETED if closed else OrderStatus.SHIPPED
    if financial in PAID:
        return OrderStatus.PAID
    return OrderStatus.PENDING


def legacy_id(gid: Any) -> str:
    """`gid://shopify/Order/5123456789012` → `5123456789012`."""
    if not isinstance(gid, str) or not gid.startswith("gid://shopify/") or not gid.rpartition("/")[2]:
        raise ValueError(f"not a Shopify global id: {gid!r}")
    return gid.rpartition("/")[2]


def _money(money_bag: Any) -> Money | None:
    shop_money = (money_bag or {}).get("shopMoney")
    if not shop_money:
        return None
    return Money.of(str(shop_money["amount"]), str(shop_money["currencyCode"]))


def _line(item: dict[str, Any]) -> OrderLine:
    return OrderLine(
        line_id=legacy_id(item["id"]),
        sku=str(item.get("sku") or ""),
        quantity=int(item["quantity"]),
        unit_price=_money(item.get("originalUnitPriceSet")),
        title=str(item.get("name") or ""),
    )


def _shipments(node: dict[str, Any]) -> tuple[Shipment, ...]:
    found: dict[tuple[str, str], Shipment] = {}
    for fulfillment in node.get("fulfillments") or []:
        for info in (fulfillment or {}).get("trackingInfo") or []:
            if info and info.get("number"):
                shipment = Shipment(str(info.get("company") or ""), str(info["number"]))
                found.setdefault((shipment.carrier, shipment.tracking_number), shipment)
    return tuple(found.values())


def _buyer(node: dict[str, Any]) -> str:
    customer = node.get("customer") or {}
    address = node.get("billingAddress") or {}
    return str(customer.get("displayName") or address.get("name") or "")


def to_order(shop_id: str, node: dict[str, Any]) -> Order:
    """Normalize one order node (its `lineItems.nodes` already complete)."""
    if not isinstance(node, dict):
        raise InvalidResponseError(CHANNEL, f"order node is not an object: {str(node)[:100]}")
    try:
        financial = str(node.get("displayFinancialStatus") or "")
        fulfillment = str(node.get("displayFulfillmentStatus") or "")
        return Order(
            channel=CHANNEL,
            shop_id=shop_id,
            order_id=legacy_id(node["id"]),
            status=order_status(
                financial,
                fulfillment,
                cancelled=bool(node.get("cancelledAt")),
                closed=bool(node.get("closed")),
            ),
            raw_status=f"{financial}/{fulfillment}",
            created_at=parse_iso(node["createdAt"]),
            modified_at=parse_iso(node["updatedAt"]),
            total=_money(node.get("totalPriceSet")),
            lines=tuple(_line(item) for item in node["lineItems"]["nodes"]),
            buyer_name=_buyer(node),
            shipments=_shipments(node),
            buyer_note=str(node.get("note") or ""),
            raw=node,
        )
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
        raise InvalidResponseError(CHANNEL, f"malformed order {node.get('id')!r}: {exc!r}") from exc
