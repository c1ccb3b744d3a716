"""Register parcels to track: from `order.shipped` events and from `crossdock shipments import`.

A parcel is one item per (carrier, tracking number); registering it again changes nothing, so a
re-delivered event or a re-imported file is harmless. A new parcel is due for its first check at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from crossdock.adapters.tracking.registry import carrier_code
from crossdock.domain.parcel import OrderRef, Parcel
from crossdock.domain.tracking_policy import TrackingPolicy, status_line
from crossdock.storage.shipments import ShipmentRepository


class BadShipmentEvent(ValueError):
    """An order event that cannot be read as a shipment (the SQS record fails, then the DLQ)."""


@dataclass(frozen=True)
class NewShipment:
    tracking_number: str
    carrier_text: str
    handed_over_at: datetime
    order: OrderRef | None = None


@dataclass
class RegisterReport:
    new: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)


def shipments_in(event: Mapping[str, Any]) -> list[NewShipment]:
    """The parcels an `order.shipped` event (schema crossdock.order-event v1) announces."""
    if event.get("schema") != "crossdock.order-event" or event.get("schema_version") != 1:
        raise BadShipmentEvent(f"not a crossdock.order-event v1: {str(event)[:200]}")
    if event.get("event_type") != "order.shipped":
        return []
    try:
        handed = datetime.fromisoformat(str(event["occurred_at"]).replace("Z", "+00:00"))
        order = OrderRef(str(event["channel"]), str(event["shop_id"]), str(event["order_id"]))
        return [
            NewShipment(str(s["tracking_number"]).strip(), str(s.get("carrier") or ""), handed, order)
            for s in event.get("shipments") or []
            if str(s.get("tracking_number") or "").strip()
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise BadShipmentEvent(f"order.shipped event without {exc}: {str(event)[:200]}") from exc


@dataclass
class ShipmentRegistrar:
    shipments: ShipmentRepository
    policy: TrackingPolicy
    clock: Callable[[], datetime]

    def register(self, entries: Iterable[NewShipment]) -> RegisterReport:
        report = RegisterReport()
        now = self.clock()
        for entry in entries:
            parcel = Parcel(
                tracking_number=entry.tracking_number,
                carrier=carrier_code(entry.carrier_text, entry.tracking_number),
                registered_at=now,
                handed_over_at=min(entry.handed_over_at, now),
                order=entry.order,
            )
            parcel = replace(parcel, next_check_at=now)  # first look at once
            added = self.shipments.register(
                parcel, carrier_text=entry.carrier_text, status_line=status_line(parcel, now)
            )
            (report.new if added else report.known).append(parcel.key)
        return report
