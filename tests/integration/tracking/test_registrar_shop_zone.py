"""The shop's zone through the functions: an `order.shipped` event that names its shop's zone is
registered by the shipments registrar (SQS) with that zone, and after the planner and the worker
refresh it the buyer's line gives the carrier's last scan in that zone."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from crossdock.orders import compose as orders_compose
from crossdock.orders.resources import SHIPMENT_EVENTS_QUEUE
from crossdock.orders.rules.events import events_for, with_shop_time_zone
from crossdock.orders.rules.order import Money, Order, OrderLine, OrderStatus, Shipment
from crossdock.tracking.resources import TRACKING_PLANNER
from crossdock.tracking.storage.shipments import ShipmentRepository
from crossdock_local.sandboxes.parcels import WorldParcel, journey

NOW = datetime.now(UTC)
NUMBER = "4PX3001518600009CN"


def shipped_jp_order() -> Order:
    return Order(
        channel="amazon",
        shop_id="amazon-jp",
        order_id="250-1234567-1234567",
        status=OrderStatus.SHIPPED,
        raw_status="SHIPPED",
        created_at=NOW - timedelta(days=4),
        modified_at=NOW - timedelta(days=3),
        total=Money.of(Decimal("1980"), "JPY"),
        lines=(OrderLine("1", "BT-EAR-01", 1),),
        shipments=(Shipment("4PX", NUMBER),),
    )


def test_a_jp_shops_parcel_is_stored_with_its_zone_and_its_line_reads_japan_time(world) -> None:
    # Given a 4PX parcel the carrier knows, shipped by an Amazon JP shop whose events name its zone
    stack, carriers, runner = world
    carriers.world.add(
        WorldParcel(NUMBER, "4px", journey(NOW - timedelta(days=3), random.Random(9), destination="JP"))
    )
    events = events_for(shipped_jp_order(), None, detected_at=NOW)
    orders_compose.order_events(stack.settings).publish(
        [with_shop_time_zone(e, "Asia/Tokyo") for e in events if e["event_type"] == "order.shipped"]
    )

    # When the registrar drains its queue, then the planner fires and the worker refreshes the parcel
    registered = runner.run_cycle(fire=[])
    runner.run_cycle(fire=[TRACKING_PLANNER])

    # Then the parcel keeps the shop's zone and the buyer reads the last scan in Japan time
    assert registered.drained[SHIPMENT_EVENTS_QUEUE.logical_id].ok == 1
    parcel = ShipmentRepository().get(f"4px#{NUMBER}")
    [item] = ShipmentRepository().items([f"4px#{NUMBER}"])
    assert parcel is not None and parcel.events and parcel.shop_time_zone == "Asia/Tokyo"
    local = parcel.events[-1].at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert re.search(rf"\({local:%d %b %H:%M} JST\)\.$", item.status_line), item.status_line
