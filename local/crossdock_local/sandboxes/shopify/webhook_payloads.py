"""What a Shopify order webhook carries: the REST-shaped body and the headers (push-contracts §2.4).

The body is the REST Admin resource as the webhook reference shows it (orders/*: the Order, integer
`id`, `admin_graphql_api_id`, snake_case fields, money as decimal strings, times with the shop's UTC
offset; refunds/create: the Refund with its `order_id`), rendered from the same store order the
GraphQL API serves. The headers travel in the EventBridge event's `detail.metadata`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

SHOP_OFFSET = timezone(timedelta(hours=-5))  # the sandbox stores sit in a UTC-05:00 zone (REST times show it)
WEBHOOK_API_VERSION = "2025-10"  # the app's configured webhooks API version
FULFILLMENT = {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial"}
REFUND_BASE = 9_100_000_000_000


def rest_time(graphql_time: str | None) -> str | None:
    """`2026-01-02T03:04:05Z` → `2026-01-01T22:04:05-05:00`."""
    if not graphql_time:
        return None
    moment = datetime.fromisoformat(graphql_time.replace("Z", "+00:00"))
    return moment.astimezone(SHOP_OFFSET).isoformat(timespec="seconds")


def _legacy(gid: str) -> int:
    return int(gid.rpartition("/")[2])


def order_payload(node: dict[str, Any]) -> dict[str, Any]:
    """The REST Order for one rendered GraphQL order node."""
    number = int(node["legacyResourceId"])
    order_number = int(str(node["name"]).lstrip("#"))
    total = node["totalPriceSet"]["shopMoney"]
    customer = node.get("customer")
    return {
        "id": number,
        "admin_graphql_api_id": node["id"],
        "name": node["name"],
        "number": order_number - 1000,
        "order_number": order_number,
        "created_at": rest_time(node["createdAt"]),
        "processed_at": rest_time(node["processedAt"]),
        "updated_at": rest_time(node["updatedAt"]),
        "cancelled_at": rest_time(node.get("cancelledAt")),
        "closed_at": rest_time(node.get("closedAt")),
        "financial_status": str(node.get("displayFinancialStatus") or "pending").lower(),
        "fulfillment_status": FULFILLMENT.get(node["displayFulfillmentStatus"]),
        "currency": node["currencyCode"],
        "total_price": total["amount"],
        "total_price_set": {"shop_money": total, "presentment_money": total},
        "email": node.get("email"),
        "note": node.get("note"),
        "customer": None
        if customer is None
        else {"id": _legacy(customer["id"]), "admin_graphql_api_id": customer["id"]},
        "billing_address": {"name": (node.get("billingAddress") or {}).get("name")},
        "line_items": [
            {
                "id": _legacy(item["id"]),
                "admin_graphql_api_id": item["id"],
                "sku": item["sku"],
                "name": item["name"],
                "title": item["title"],
                "quantity": item["quantity"],
                "price": item["originalUnitPriceSet"]["shopMoney"]["amount"],
            }
            for item in node["lineItems"]
        ],
        "fulfillments": [
            {
                "id": _legacy(f["id"]),
                "admin_graphql_api_id": f["id"],
                "order_id": number,
                "status": "success",
                "tracking_company": (f["trackingInfo"] or [{}])[0].get("company"),
                "tracking_number": (f["trackingInfo"] or [{}])[0].get("number"),
                "tracking_numbers": [t["number"] for t in f["trackingInfo"]],
            }
            for f in node["fulfillments"]
        ],
        "refunds": [],
    }


def refund_payload(node: dict[str, Any]) -> dict[str, Any]:
    """The REST Refund of a whole order (the sandbox refunds orders whole)."""
    number = int(node["legacyResourceId"])
    refund_id = REFUND_BASE + number % 1_000_000_000
    total = node["totalPriceSet"]["shopMoney"]
    return {
        "id": refund_id,
        "admin_graphql_api_id": f"gid://shopify/Refund/{refund_id}",
        "order_id": number,
        "created_at": rest_time(node["updatedAt"]),
        "processed_at": rest_time(node["updatedAt"]),
        "note": None,
        "restock": False,
        "refund_line_items": [
            {"id": _legacy(item["id"]) + 7, "line_item_id": _legacy(item["id"]), "quantity": item["quantity"]}
            for item in node["lineItems"]
        ],
        "transactions": [
            {
                "order_id": number,
                "kind": "refund",
                "status": "success",
                "amount": total["amount"],
                "currency": total["currencyCode"],
            }
        ],
        "order_adjustments": [],
    }


def triggered_at(moment: datetime) -> str:
    """Shopify writes X-Shopify-Triggered-At with nanoseconds: `2023-03-29T18:00:27.877041743Z`."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return f"{text}000Z"


def headers(topic: str, shop_domain: str, event_id: str, order_id: int, moment: datetime) -> dict[str, str]:
    """The webhook's headers (a fresh X-Shopify-Webhook-Id: one per delivery)."""
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": shop_domain,
        "X-Shopify-API-Version": WEBHOOK_API_VERSION,
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Triggered-At": triggered_at(moment),
        "X-Shopify-Order-Id": str(order_id),
    }
