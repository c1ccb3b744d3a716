"""Shopify `Order` node → normalized Order: status mapping, money, buyer, buyer note, shipments,
malformed nodes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from crossdock.channels.shopify.orders import order_status, to_order
from crossdock.core.errors import InvalidResponseError
from crossdock.orders.rules.order import Money, OrderStatus, Shipment


def node(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "gid://shopify/Order/5200000000042",
        "name": "#1042",
        "createdAt": "2025-02-28T01:35:56Z",
        "updatedAt": "2025-02-28T03:33:56Z",
        "cancelledAt": None,
        "closed": False,
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": "UNFULFILLED",
        "currencyCode": "JPY",
        "totalPriceSet": {"shopMoney": {"amount": "5380.0", "currencyCode": "JPY"}},
        "customer": {"displayName": "田中 太郎"},
        "billingAddress": {"name": "Taro Tanaka"},
        "lineItems": {
            "pageInfo": {"hasNextPage": False, "endCursor": "c1"},
            "nodes": [
                {
                    "id": "gid://shopify/LineItem/13400000004201",
                    "sku": "BAG-CANVAS",
                    "name": "キャンバス トートバッグ",
                    "quantity": 2,
                    "originalUnitPriceSet": {"shopMoney": {"amount": "2690.0", "currencyCode": "JPY"}},
                },
                {
                    "id": "gid://shopify/LineItem/13400000004202",
                    "sku": None,
                    "name": "Gift wrap",
                    "quantity": 1,
                    "originalUnitPriceSet": {"shopMoney": {"amount": "0.0", "currencyCode": "JPY"}},
                },
            ],
        },
        "fulfillments": [],
    }
    return {**base, **overrides}


@pytest.mark.parametrize(
    ("financial", "fulfillment", "cancelled", "closed", "expected"),
    [
        ("PENDING", "UNFULFILLED", False, False, OrderStatus.PENDING),
        ("AUTHORIZED", "UNFULFILLED", False, False, OrderStatus.PENDING),
        ("PARTIALLY_PAID", "UNFULFILLED", False, False, OrderStatus.PENDING),
        ("EXPIRED", "UNFULFILLED", False, False, OrderStatus.PENDING),
        ("", "UNFULFILLED", False, False, OrderStatus.PENDING),
        ("PAID", "UNFULFILLED", False, False, OrderStatus.PAID),
        ("PARTIALLY_REFUNDED", "UNFULFILLED", False, False, OrderStatus.PAID),
        ("PAID", "PARTIALLY_FULFILLED", False, False, OrderStatus.PAID),
        ("PAID", "FULFILLED", False, False, OrderStatus.SHIPPED),
        ("PENDING", "FULFILLED", False, False, OrderStatus.SHIPPED),  # payment terms: shipped, unpaid
        ("PAID", "FULFILLED", False, True, OrderStatus.COMPLETED),
        ("PAID", "UNFULFILLED", True, True, OrderStatus.CANCELLED),
        ("VOIDED", "UNFULFILLED", True, True, OrderStatus.CANCELLED),
        ("REFUNDED", "UNFULFILLED", True, True, OrderStatus.REFUNDED),
        ("REFUNDED", "FULFILLED", False, False, OrderStatus.REFUNDED),
    ],
)
def test_status_mapping(
    financial: str, fulfillment: str, cancelled: bool, closed: bool, expected: OrderStatus
) -> None:
    # When
    status = order_status(financial, fulfillment, cancelled=cancelled, closed=closed)

    # Then
    assert status is expected


def test_order_is_normalized_with_exact_money_and_utc_times() -> None:
    # When
    order = to_order("shop-1", node())

    # Then
    assert (order.channel, order.shop_id, order.order_id) == ("shopify", "shop-1", "5200000000042")
    assert order.status is OrderStatus.PAID and order.raw_status == "PAID/UNFULFILLED"
    assert order.total == Money(Decimal("5380"), "JPY")
    assert order.created_at == datetime(2025, 2, 28, 1, 35, 56, tzinfo=UTC)
    assert order.modified_at == datetime(2025, 2, 28, 3, 33, 56, tzinfo=UTC)
    assert [(line.line_id, line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("13400000004201", "BAG-CANVAS", 2, Money(Decimal("2690"), "JPY")),
        ("13400000004202", "", 1, Money(Decimal("0"), "JPY")),
    ]
    assert order.lines[0].title == "キャンバス トートバッグ"
    assert order.buyer_name == "田中 太郎"
    assert order.raw["name"] == "#1042"


def test_two_decimal_currencies_keep_their_cents() -> None:
    # Given
    money = {"shopMoney": {"amount": "19.9", "currencyCode": "GBP"}}

    # When
    order = to_order("shop-1", node(currencyCode="GBP", totalPriceSet=money))

    # Then
    assert order.total == Money(Decimal("19.90"), "GBP")


def test_guest_orders_take_the_buyer_from_the_billing_address() -> None:
    # When
    order = to_order("shop-1", node(customer=None))

    # Then
    assert order.buyer_name == "Taro Tanaka"


def test_the_order_note_is_the_buyer_note_as_received() -> None:
    # Given a note with markup, a link and an emoji, and an order without one (null)
    text = "<b>Gift</b> – leave at https://example.com/door 🎁"

    # When
    noted = to_order("shop-1", node(note=text))
    silent = to_order("shop-1", node(note=None))

    # Then: kept verbatim (rendering makes it inert), "" when there is none
    assert noted.buyer_note == text
    assert silent.buyer_note == ""


def test_tracking_numbers_become_shipments_once_each() -> None:
    # Given
    info = [{"company": "4PX", "number": "4PX3001518600042CN"}, {"company": "4PX", "number": None}]
    fulfillments = [{"trackingInfo": info}, {"trackingInfo": info[:1]}]

    # When
    order = to_order("shop-1", node(displayFulfillmentStatus="FULFILLED", fulfillments=fulfillments))

    # Then
    assert order.status is OrderStatus.SHIPPED
    assert order.shipments == (Shipment("4PX", "4PX3001518600042CN"),)


@pytest.mark.parametrize(
    "broken",
    [
        node(updatedAt=None),
        node(id="5200000000042"),
        node(lineItems=None),
        {k: v for k, v in node().items() if k != "createdAt"},
        node(totalPriceSet={"shopMoney": {"amount": "abc", "currencyCode": "JPY"}}),
        "not an object",
    ],
)
def test_malformed_nodes_are_invalid_responses(broken: Any) -> None:
    # When / Then
    with pytest.raises(InvalidResponseError):
        to_order("shop-1", broken)
