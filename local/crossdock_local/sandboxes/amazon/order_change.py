"""The ORDER_CHANGE message the Amazon sandbox sends, as Amazon writes it to the SQS queue (pure).

Shape from the official schema `schemas/notifications/OrderChangeNotification.json`: PascalCase keys,
the notification JSON itself as the message body (no envelope), `NotificationMetadata` with a fresh
`NotificationId` per notification instance, `NotificationLevel` OrderLevel (all items in one
payload), a `Summary` with `OrderItems` and no buyer data, prices or ASINs.

Which changes notify: a new order and a change of the order's status as Amazon shows it
(`OrderStatusChange`). A change Amazon's OrderStatus does not show (a shipped order delivered, lines
edited) sends nothing; the pull brings it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from crossdock_local.sandboxes.amazon.wire import Marketplace, amazon_order_id, fulfillment_status, item_id
from crossdock_local.sandboxes.orderbook import SyntheticOrder

ORDER_STATUS = {  # fulfillmentStatus (Orders 2026-01-01) → the notification's OrderStatus enum
    "PENDING": "Pending",
    "UNSHIPPED": "Unshipped",
    "SHIPPED": "Shipped",
    "CANCELLED": "Canceled",
}


def order_status(order: SyntheticOrder) -> str:
    return ORDER_STATUS[fulfillment_status(order)]


def millis(value: datetime) -> str:
    """ISO 8601 in UTC to the millisecond, as the schema's examples ("2022-11-29T19:42:04.284Z")."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def order_change(
    order: SyntheticOrder,
    *,
    seller_id: str,
    marketplace: Marketplace,
    subscription_id: str,
    application_id: str,
    published: datetime,
    reason: str,
) -> dict[str, Any]:
    status = order_status(order)
    shipped = status == "Shipped"
    items = [
        {
            "OrderItemId": item_id(line),
            "SellerSKU": line.sku,
            "SupplySourceId": None,
            "OrderItemStatus": "Shipped" if shipped else "Unshipped",
            "Quantity": line.quantity,
            "QuantityShipped": line.quantity if shipped else 0,
        }
        for line in order.lines
    ]
    quantity = sum(line.quantity for line in order.lines)
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": millis(published),
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": seller_id,
                "AmazonOrderId": amazon_order_id(order.order_id, marketplace),
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": {
                    "TimeOfOrderChange": millis(order.modified_at),
                    "ChangeReason": reason,
                },
                "Summary": {
                    "MarketplaceId": marketplace.marketplace_id,
                    "OrderStatus": status,
                    "PurchaseDate": millis(order.created_at),
                    "DestinationPostalCode": None,
                    "FulfillmentType": "MFN",
                    "OrderType": "StandardOrder",
                    "NumberOfItemsShipped": quantity if shipped else 0,
                    "NumberOfItemsUnshipped": 0 if shipped else quantity,
                    "OrderItems": items,
                },
            }
        },
        "NotificationMetadata": {
            "ApplicationId": application_id,
            "SubscriptionId": subscription_id,
            "PublishTime": millis(published),
            "NotificationId": str(uuid.uuid4()),
        },
    }
