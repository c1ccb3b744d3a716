"""eBay Order JSON → crossdock Order: status table, raw_status, money, lines, buyer, buyer note,
shipments."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from crossdock.channels.ebay.orders import needs_tracking, shipments_from, to_order
from crossdock.core.errors import InvalidResponseError
from crossdock.orders.rules.order import Money, OrderStatus, Shipment


def ebay_order(**overrides: Any) -> dict[str, Any]:
    order: dict[str, Any] = {
        "orderId": "12-12345-67890",
        "creationDate": "2025-03-01T09:15:02.768Z",
        "lastModifiedDate": "2025-03-02T10:00:00.000Z",
        "orderFulfillmentStatus": "NOT_STARTED",
        "orderPaymentStatus": "PAID",
        "cancelStatus": {"cancelState": "NONE_REQUESTED", "cancelRequests": []},
        "buyer": {"username": "olivia_smith77"},
        "pricingSummary": {"total": {"value": "41.97", "currency": "EUR"}},
        "lineItems": [
            {
                "lineItemId": "10077508011223",
                "sku": "USB-C-CABLE",
                "title": "USB-C cable 2m braided",
                "quantity": 3,
                "lineItemCost": {"value": "29.97", "currency": "EUR"},
                "total": {"value": "35.97", "currency": "EUR"},
            },
            {"lineItemId": "10077508011224", "title": "Legacy listing, no SKU", "quantity": 1},
        ],
        "fulfillmentHrefs": [],
    }
    order.update(overrides)
    return order


@pytest.mark.parametrize(
    ("payment", "fulfillment", "cancel", "status", "raw_status"),
    [
        ("PENDING", "NOT_STARTED", "NONE_REQUESTED", OrderStatus.PENDING, "PENDING/NOT_STARTED"),
        ("FAILED", "NOT_STARTED", "NONE_REQUESTED", OrderStatus.PENDING, "FAILED/NOT_STARTED"),
        ("PAID", "NOT_STARTED", "NONE_REQUESTED", OrderStatus.PAID, "PAID/NOT_STARTED"),
        ("PAID", "IN_PROGRESS", "NONE_REQUESTED", OrderStatus.PAID, "PAID/IN_PROGRESS"),
        ("PAID", "FULFILLED", "NONE_REQUESTED", OrderStatus.SHIPPED, "PAID/FULFILLED"),
        (
            "PARTIALLY_REFUNDED",
            "FULFILLED",
            "NONE_REQUESTED",
            OrderStatus.SHIPPED,
            "PARTIALLY_REFUNDED/FULFILLED",
        ),
        (
            "PARTIALLY_REFUNDED",
            "NOT_STARTED",
            "NONE_REQUESTED",
            OrderStatus.PAID,
            "PARTIALLY_REFUNDED/NOT_STARTED",
        ),
        ("FULLY_REFUNDED", "FULFILLED", "NONE_REQUESTED", OrderStatus.REFUNDED, "FULLY_REFUNDED/FULFILLED"),
        (
            "FULLY_REFUNDED",
            "NOT_STARTED",
            "CANCELED",
            OrderStatus.CANCELLED,
            "FULLY_REFUNDED/NOT_STARTED/CANCELED",
        ),
        ("PAID", "NOT_STARTED", "IN_PROGRESS", OrderStatus.PAID, "PAID/NOT_STARTED/IN_PROGRESS"),
        ("PENDING", "NOT_STARTED", "CANCELED", OrderStatus.CANCELLED, "PENDING/NOT_STARTED/CANCELED"),
    ],
)
def test_status_follows_cancel_then_refund_then_payment_then_fulfillment(
    payment: str, fulfillment: str, cancel: str, status: OrderStatus, raw_status: str
) -> None:
    # Given
    raw = ebay_order(
        orderPaymentStatus=payment,
        orderFulfillmentStatus=fulfillment,
        cancelStatus={"cancelState": cancel, "cancelRequests": []},
    )

    # When
    order = to_order("ebay", "shop-1", raw)

    # Then
    assert (order.status, order.raw_status) == (status, raw_status)
    assert order.status is not OrderStatus.COMPLETED


def test_money_lines_dates_and_raw_are_kept_exactly() -> None:
    # Given
    raw = ebay_order()

    # When
    order = to_order("ebay", "shop-1", raw)

    # Then
    assert order.order_id == "12-12345-67890"
    assert order.total == Money(Decimal("41.97"), "EUR")
    assert order.created_at == datetime(2025, 3, 1, 9, 15, 2, 768000, tzinfo=UTC)
    assert order.modified_at == datetime(2025, 3, 2, 10, 0, tzinfo=UTC)
    first, legacy = order.lines
    assert (first.line_id, first.sku, first.quantity) == ("10077508011223", "USB-C-CABLE", 3)
    assert first.unit_price == Money(Decimal("9.99"), "EUR")  # lineItemCost is unit price × quantity
    assert (legacy.sku, legacy.unit_price, legacy.title) == ("", None, "Legacy listing, no SKU")
    assert order.raw is raw
    assert order.shop_key == "ebay#shop-1"


def test_buyer_is_the_registered_full_name_in_any_script_else_the_username() -> None:
    # Given
    named = ebay_order(buyer={"username": "zw_88", "buyerRegistrationAddress": {"fullName": "张伟"}})
    anonymous = ebay_order(buyer={"username": "zw_88"})

    # When / Then
    assert to_order("ebay", "s", named).buyer_name == "张伟"
    assert to_order("ebay", "s", anonymous).buyer_name == "zw_88"


def test_buyer_checkout_notes_are_the_buyer_note_and_absent_ones_are_empty() -> None:
    # Given an order whose buyer left comments at checkout, and one without (eBay omits the field)
    noted = ebay_order(buyerCheckoutNotes="Bitte als Geschenk verpacken, danke! 🎁")
    silent = ebay_order()

    # When / Then
    assert to_order("ebay", "s", noted).buyer_note == "Bitte als Geschenk verpacken, danke! 🎁"
    assert to_order("ebay", "s", silent).buyer_note == ""


@pytest.mark.parametrize(
    "broken",
    [
        {"pricingSummary": {"total": {"value": "1.00"}}},
        {"pricingSummary": {"total": {"value": "abc", "currency": "USD"}}},
        {"creationDate": None},
        {"lastModifiedDate": "yesterday"},
        {"lineItems": [{"lineItemId": "1", "quantity": "two"}]},
    ],
)
def test_unreadable_orders_are_invalid_responses(broken: dict[str, Any]) -> None:
    # Given
    raw = ebay_order(**broken)

    # When / Then
    with pytest.raises(InvalidResponseError):
        to_order("ebay", "shop-1", raw)


def test_tracking_is_needed_only_for_shipped_orders_with_fulfillments() -> None:
    # Given
    href = ["https://api.ebay.com/sell/fulfillment/v1/order/12-12345-67890/shipping_fulfillment/9405"]

    # When / Then
    assert needs_tracking(ebay_order(orderFulfillmentStatus="FULFILLED", fulfillmentHrefs=href))
    assert needs_tracking(ebay_order(orderFulfillmentStatus="IN_PROGRESS", fulfillmentHrefs=href))
    assert not needs_tracking(ebay_order(orderFulfillmentStatus="FULFILLED", fulfillmentHrefs=[]))
    assert not needs_tracking(ebay_order(orderFulfillmentStatus="NOT_STARTED", fulfillmentHrefs=href))


def test_shipments_come_from_fulfillments_that_carry_a_tracking_number() -> None:
    # Given
    fulfillments = [
        {
            "fulfillmentId": "UH183800001YP",
            "shipmentTrackingNumber": "UH183800001YP",
            "shippingCarrierCode": "Yanwen",
        },
        {"fulfillmentId": "9405", "shippingCarrierCode": "USPS"},
    ]

    # When
    shipments = shipments_from(fulfillments)

    # Then
    assert shipments == (Shipment("Yanwen", "UH183800001YP"),)
