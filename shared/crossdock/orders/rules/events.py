"""Order events: what changed when a newer version of an order is stored (pure).

Event ids are deterministic (order, version, type), so a redelivered or re-published event is
recognised by its consumers. The event's shape is the contract in `orders.events`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crossdock.core.times import iso_z
from crossdock.orders.events import SCHEMA, SCHEMA_VERSION, SHOP_TIME_ZONE, EventType
from crossdock.orders.rules.order import Order, OrderStatus, Shipment


@dataclass(frozen=True)
class Previous:
    """What was stored before: enough to tell what changed."""

    status: OrderStatus
    shipments: tuple[Shipment, ...]


def events_for(order: Order, previous: Previous | None, *, detected_at: datetime) -> list[dict[str, Any]]:
    """The events a newly stored version of `order` implies, oldest meaning first."""
    types: list[EventType] = []
    new_shipments = [s for s in order.shipments if previous is None or s not in previous.shipments]
    if previous is None:
        types.append(EventType.CREATED)
    elif previous.status != order.status:
        types.append(EventType.STATUS_CHANGED)
    status_news = previous is None or previous.status != order.status
    if status_news and order.status is OrderStatus.CANCELLED:
        types.append(EventType.CANCELLED)
    if status_news and order.status is OrderStatus.REFUNDED:
        types.append(EventType.REFUNDED)
    if (new_shipments and order.status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED)) or (
        status_news and order.status is OrderStatus.SHIPPED
    ):
        types.append(EventType.SHIPPED)
    return [_event(t, order, previous, new_shipments, detected_at) for t in types]


def with_shop_time_zone(event: dict[str, Any], zone: str | None) -> dict[str, Any]:
    """The event as published: with its shop's zone (`shop_time_zone`, optional in version 1). The
    zone is the shop's, not the order's, so it is added when the event leaves, by the pull that knows
    the shop; the stored outbox copy and the event id stay as they were."""
    return {**event, SHOP_TIME_ZONE: zone} if zone else dict(event)


def _event(
    kind: EventType,
    order: Order,
    previous: Previous | None,
    new_shipments: list[Shipment],
    detected_at: datetime,
) -> dict[str, Any]:
    version = iso_z(order.modified_at, millis=True)
    digest = hashlib.sha256(f"{order.shop_key}|{order.order_id}|{version}|{kind}".encode()).hexdigest()[:32]
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "event_id": digest,
        "event_type": str(kind),
        "occurred_at": version,
        "detected_at": iso_z(detected_at, millis=True),
        "channel": order.channel,
        "shop_id": order.shop_id,
        "order_id": order.order_id,
        "status": str(order.status),
        "previous_status": str(previous.status) if previous else None,
        "raw_status": order.raw_status,
        "total": order.total.to_dict() if order.total else None,
        "lines": [
            {"line_id": line.line_id, "sku": line.sku, "quantity": line.quantity} for line in order.lines
        ],
        "shipments": [
            {"carrier": s.carrier, "tracking_number": s.tracking_number}
            for s in (new_shipments if kind is EventType.SHIPPED else order.shipments)
        ],
        "buyer_note": order.buyer_note,  # added in version 1 (additive): untrusted, render it inert
    }
