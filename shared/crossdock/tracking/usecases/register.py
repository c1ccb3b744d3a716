"""Register parcels to track: from `order.shipped` events and from `crossdock shipments import`.

A parcel is one item per (carrier, tracking number); registering it again changes nothing, so a
re-delivered event or a re-imported file is harmless. A new parcel is due for its first check at once.

Both paths check a number's shape with the same function (`tracking_number_problem`): the import
refuses the file with the line named, and a number from an order event that fails it is not
registered — it is counted in the report and alerted (with its order: the seller must correct it
on the channel, where the buyer sees it too), never tracked as if it were a parcel.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crossdock.core.alerts.message import Alert
from crossdock.tracking.rules.buyer_zone import zone_named
from crossdock.tracking.rules.chains import carrier_code
from crossdock.tracking.rules.parcel import OrderRef, Parcel
from crossdock.tracking.rules.policy import TrackingPolicy, status_line

if TYPE_CHECKING:
    from crossdock.core.ports import AlertSink
    from crossdock.tracking.storage.shipments import ShipmentRepository

TRACKING_NUMBER = re.compile(r"[A-Za-z0-9-]{4,50}")


def tracking_number_problem(number: str) -> str | None:
    """Why `number` cannot be a tracking number, or None when it can (every path registers
    through this check: the import file's rows and the order events' shipments)."""
    if not TRACKING_NUMBER.fullmatch(number):
        return f"tracking_number {number[:60]!r} must be 4 to 50 letters, digits or hyphens (no spaces)"
    return None


class BadShipmentEvent(ValueError):
    """An order event that cannot be read as a shipment (the SQS record fails, then the DLQ)."""


@dataclass(frozen=True)
class NewShipment:
    tracking_number: str
    carrier_text: str
    handed_over_at: datetime
    order: OrderRef | None = None
    shop_time_zone: str | None = None  # the IANA zone of the order's shop (the event's, when it names one)


@dataclass(frozen=True)
class Refused:
    """A shipment not registered: its number fails the tracking-number check."""

    tracking_number: str
    carrier_text: str
    order: OrderRef | None
    reason: str

    def describe(self) -> str:
        order = self.order
        where = f"order {order.order_id} on {order.channel}/{order.shop_id}" if order else "no order"
        return f"{where}, carrier {self.carrier_text or '(none given)'}: {self.reason}"


@dataclass
class RegisterReport:
    new: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)


def shop_zone_in(event: Mapping[str, Any]) -> str | None:
    """The event's `shop_time_zone` (optional in v1) when it names a zone; a missing or unknown one
    is None, never a reason to refuse the parcel: its line falls back to the channel's zone."""
    name = event.get("shop_time_zone")
    return name.strip() if isinstance(name, str) and zone_named(name) is not None else None


def shipments_in(event: Mapping[str, Any]) -> list[NewShipment]:
    """The parcels an `order.shipped` event (schema crossdock.order-event v1) announces."""
    if event.get("schema") != "crossdock.order-event" or event.get("schema_version") != 1:
        raise BadShipmentEvent(f"not a crossdock.order-event v1: {str(event)[:200]}")
    if event.get("event_type") != "order.shipped":
        return []
    try:
        handed = datetime.fromisoformat(str(event["occurred_at"]).replace("Z", "+00:00"))
        order = OrderRef(str(event["channel"]), str(event["shop_id"]), str(event["order_id"]))
        zone = shop_zone_in(event)
        return [
            NewShipment(str(s["tracking_number"]).strip(), str(s.get("carrier") or ""), handed, order, zone)
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
    alerts: AlertSink | None = None

    def register(self, entries: Iterable[NewShipment]) -> RegisterReport:
        report = RegisterReport()
        now = self.clock()
        for entry in entries:
            problem = tracking_number_problem(entry.tracking_number)
            if problem is not None:
                report.refused.append(
                    Refused(entry.tracking_number, entry.carrier_text, entry.order, problem)
                )
                continue
            parcel = Parcel(
                tracking_number=entry.tracking_number,
                carrier=carrier_code(entry.carrier_text, entry.tracking_number),
                registered_at=now,
                handed_over_at=min(entry.handed_over_at, now),
                order=entry.order,
                shop_time_zone=entry.shop_time_zone,
            )
            parcel = replace(parcel, next_check_at=now)  # first look at once
            added = self.shipments.register(
                parcel, carrier_text=entry.carrier_text, status_line=status_line(parcel, now)
            )
            (report.new if added else report.known).append(parcel.key)
        if report.refused and self.alerts is not None:
            self.alerts.send(refused_alert(report.refused, now), now=now)
        return report


def refused_alert(refused: list[Refused], now: datetime) -> Alert:
    marks = sorted(f"{r.order}|{r.tracking_number}" for r in refused)
    shops = sorted({r.order.shop_id for r in refused if r.order})
    return Alert(
        dedupe_key=f"tracking-number-refused:{hashlib.sha256('|'.join(marks).encode()).hexdigest()[:16]}",
        subject=f"{len(refused)} shipped parcel(s) not tracked: not a tracking number",
        shop_id=shops[0] if len(shops) == 1 else "(several)",
        channel="tracking",
        since=now,
        what_happened="An order was marked shipped with a tracking number that is not one (4 to 50 "
        "letters, digits or hyphens; no spaces): a typo, a note, or a number pasted with its label.",
        what_we_did="Did not register it, so nothing tracks the parcel and no alert will say it is late; "
        "counted it (metric ShipmentNumbersRefused).",
        what_to_do="Correct the tracking number on the order in the channel (the buyer sees it there too); "
        "the order's next update registers the corrected number. Or import it: crossdock shipments import.",
        details=tuple(r.describe() for r in refused),
    )
