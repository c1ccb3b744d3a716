"""Synthetic orders rendered as eBay Sell Fulfillment JSON: `Order` and
`ShippingFulfillmentPagedCollection` (model v1.19.2, plus `buyer.buyerRegistrationAddress` from newer
versions). Ids look like eBay's: orders `12-12345-67890`, numeric line item and legacy ids.

Synthetic status → eBay: pending = PENDING/NOT_STARTED; paid = PAID/NOT_STARTED; shipped and completed
= PAID/FULFILLED with `fulfillmentHrefs` (eBay has no "completed"); cancelled = FULLY_REFUNDED with
cancelState CANCELED; refunded = FULLY_REFUNDED (FULFILLED when it had shipped).
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from typing import Any

from crossdock_local.sandboxes.clock import iso_z
from crossdock_local.sandboxes.money import minor_units
from crossdock_local.sandboxes.orderbook import SyntheticLine, SyntheticOrder

BASE_PATH = "/sell/fulfillment/v1"
ORDER_ID = re.compile(r"\d{2}-\d{5}-\d{5}")
STATUS = {  # synthetic status → (orderPaymentStatus, orderFulfillmentStatus, cancelState)
    "pending": ("PENDING", "NOT_STARTED", "NONE_REQUESTED"),
    "paid": ("PAID", "NOT_STARTED", "NONE_REQUESTED"),
    "shipped": ("PAID", "FULFILLED", "NONE_REQUESTED"),
    "completed": ("PAID", "FULFILLED", "NONE_REQUESTED"),
    "cancelled": ("FULLY_REFUNDED", "NOT_STARTED", "CANCELED"),
    "refunded": ("FULLY_REFUNDED", "NOT_STARTED", "NONE_REQUESTED"),
}


def _digits(seed: str, count: int) -> str:
    return str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[-count:].rjust(count, "0")


def ebay_order_id(shop_id: str, book_id: str) -> str:
    if ORDER_ID.fullmatch(book_id):
        return book_id
    digits = _digits(f"{shop_id}:{book_id}", 12)
    return f"{int(digits[:2]) % 90 + 10}-{digits[2:7]}-{digits[7:]}"


def amount(value: Decimal, currency: str) -> dict[str, str]:
    return {"value": str(value.quantize(Decimal(1).scaleb(-minor_units(currency)))), "currency": currency}


def statuses(order: SyntheticOrder) -> tuple[str, str, str]:
    payment, fulfillment, cancel = STATUS[order.status]
    if order.status == "refunded" and order.tracking:
        fulfillment = "FULFILLED"
    return payment, fulfillment, cancel


def _line_item(
    line: SyntheticLine, currency: str, status: tuple[str, str, str], modified: str
) -> dict[str, Any]:
    payment, fulfillment, _ = status
    cost = amount(line.unit_price * line.quantity, currency)  # lineItemCost = unit price × quantity
    return {
        "lineItemId": "1" + _digits(line.line_id, 13),
        "legacyItemId": "2" + _digits(line.sku, 11),
        "sku": line.sku,
        "title": line.title,
        "quantity": line.quantity,
        "soldFormat": "FIXED_PRICE",
        "lineItemCost": cost,
        "total": cost,
        "deliveryCost": {"shippingCost": amount(Decimal(0), currency)},
        "lineItemFulfillmentStatus": "FULFILLED" if fulfillment == "FULFILLED" else "NOT_STARTED",
        "appliedPromotions": [],
        "taxes": [],
        "refunds": [{"amount": cost, "refundDate": modified}] if payment == "FULLY_REFUNDED" else [],
    }


def _payments(order_id: str, payment: str, paid_at: str, total: dict[str, str]) -> dict[str, Any]:
    paid = {
        "paymentMethod": "EBAY",
        "paymentReferenceId": _digits(order_id + "p", 12),
        "paymentDate": paid_at,
        "amount": total,
        "paymentStatus": "PAID",
    }
    return {"payments": [] if payment == "PENDING" else [paid], "refunds": [], "totalDueSeller": total}


def _ship_to(buyer_name: str) -> dict[str, Any]:
    step = {
        "shippingCarrierCode": "USPS",
        "shippingServiceCode": "StandardShippingFromOutsideUS",
        "shipTo": {"fullName": buyer_name, "contactAddress": {"countryCode": "US"}},
    }
    return {"fulfillmentInstructionsType": "SHIP_TO", "ebaySupportedFulfillment": False, "shippingStep": step}


def render_order(
    order: SyntheticOrder, *, order_id: str, seller_id: str, marketplace: str, api: str
) -> dict[str, Any]:
    status = statuses(order)
    payment, fulfillment, cancel = status
    created, modified = iso_z(order.created_at, millis=True), iso_z(order.modified_at, millis=True)
    total = amount(order.total, order.currency)
    lines = [_line_item(line, order.currency, status, modified) for line in order.lines]
    for line in lines:
        line["listingMarketplaceId"] = line["purchaseMarketplaceId"] = marketplace
    shipped = order.tracking is not None and fulfillment == "FULFILLED"
    rendered: dict[str, Any] = {
        "orderId": order_id,
        "legacyOrderId": f"{_digits(order_id, 12)}-{_digits(order_id + 't', 11)}",
        "creationDate": created,
        "lastModifiedDate": modified,
        "orderFulfillmentStatus": fulfillment,
        "orderPaymentStatus": payment,
        "sellerId": seller_id,
        "buyer": {
            "username": "buyer_" + _digits(order.buyer_name, 6),
            "buyerRegistrationAddress": {"fullName": order.buyer_name},
        },
        "pricingSummary": {
            "priceSubtotal": total,
            "deliveryCost": amount(Decimal(0), order.currency),
            "total": total,
        },
        "cancelStatus": {"cancelState": cancel, "cancelRequests": []},
        "paymentSummary": _payments(order_id, payment, created, total),
        "fulfillmentStartInstructions": [_ship_to(order.buyer_name)],
        "fulfillmentHrefs": [f"{api}{BASE_PATH}/order/{order_id}/shipping_fulfillment/{order.tracking[1]}"]
        if shipped and order.tracking
        else [],
        "lineItems": lines,
        "salesRecordReference": _digits(order_id + "s", 5),
        "totalFeeBasisAmount": total,
        "totalMarketplaceFee": amount(order.total * Decimal("0.13"), order.currency),
    }
    if cancel == "CANCELED":
        rendered["cancelStatus"]["cancelledDate"] = modified
    if order.note:
        rendered["buyerCheckoutNotes"] = order.note
    return rendered


def render_fulfillments(order: SyntheticOrder, rendered: dict[str, Any]) -> dict[str, Any]:
    if not rendered["fulfillmentHrefs"] or order.tracking is None:
        return {"fulfillments": [], "total": 0}
    carrier, number = order.tracking
    return {
        "total": 1,
        "fulfillments": [
            {
                "fulfillmentId": number,
                "shipmentTrackingNumber": number,
                "shippingCarrierCode": carrier,
                "shippedDate": rendered["lastModifiedDate"],
                "lineItems": [
                    {"lineItemId": item["lineItemId"], "quantity": item["quantity"]}
                    for item in rendered["lineItems"]
                ],
            }
        ],
    }
