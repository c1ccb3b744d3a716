"""The order-event contract: schema `crossdock.order-event` version 1 (documented in the README).

The orders job publishes these events; other jobs consume them (the stock ledger, the tracking
registrar) by this contract alone — the only module of orders they may import. How the events are
derived from a stored order is the orders job's own rule (`orders.rules.events`).
"""

from __future__ import annotations

from enum import StrEnum

SCHEMA = "crossdock.order-event"
SCHEMA_VERSION = 1

# Optional fields added to version 1 (additive: consumers ignore what they do not know, and read a
# missing one as its default). `shop_time_zone`: the IANA zone of the order's shop, the zone its
# buyers read times in (the shop's `time_zone` option, else its marketplace's, else "UTC"); absent
# from events published before it existed.
SHOP_TIME_ZONE = "shop_time_zone"


class EventType(StrEnum):
    CREATED = "order.created"
    STATUS_CHANGED = "order.status_changed"
    CANCELLED = "order.cancelled"
    REFUNDED = "order.refunded"
    SHIPPED = "order.shipped"


# Which order events each consumer's queue receives, by the queue's logical id (`orders.resources`):
# the orders worker sends each event to every queue whose filter takes it (None: every event).
ORDER_EVENT_ROUTES: dict[str, tuple[str, ...] | None] = {
    "OrderEventsQueue": None,  # every event: the stock ledger
    "ShipmentEventsQueue": (EventType.SHIPPED.value,),  # tracking registers the parcels
}
