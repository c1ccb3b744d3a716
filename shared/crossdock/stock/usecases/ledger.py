"""Order events → reservations: reserve per order line, release on cancel/refund, consume on shipment.

Idempotent per line (a re-pulled or redelivered event changes nothing twice) and atomic with the
SKU (one DynamoDB transaction): when two channels sell the last unit at once, one reservation is
covered and the other is recorded as `oversold` and alerted, naming the order, channel and SKU.
Each applied change bumps the SKU's version and announces the SKU for a push.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crossdock.core.alerts.message import Alert
from crossdock.orders.events import SCHEMA, SCHEMA_VERSION
from crossdock.stock.storage.tables import ReservationModel, SkuModel

if TYPE_CHECKING:
    from crossdock.core.ports import AlertSink
    from crossdock.stock.storage.stock import StockRepository

TARGET = {
    "pending": "reserved",
    "paid": "reserved",
    "shipped": "consumed",
    "completed": "consumed",
    "cancelled": "released",
    "refunded": "released",
}


@dataclass
class LedgerReport:
    applied: int = 0
    unchanged: int = 0
    unmanaged: int = 0  # lines of SKUs crossdock keeps no stock for (never imported or synced)
    oversold: list[str] = field(default_factory=list)
    changed_skus: dict[str, int] = field(default_factory=dict)  # sku → new version


def consume_from(on_hand: dict[str, Any], quantity: int) -> dict[str, int]:
    """Take shipped units from own warehouses first (largest first), FBA last: FBA's own count is
    re-read by the FBA sync, which then overrides what we took from it."""
    remaining = quantity
    result = {k: int(v) for k, v in on_hand.items()}
    order = sorted(result, key=lambda w: (w.startswith("fba:"), -result[w]))
    for warehouse in order:
        take = min(remaining, result[warehouse])
        result[warehouse] -= take
        remaining -= take
        if remaining == 0:
            break
    return result


@dataclass
class StockLedger:
    stock: StockRepository
    alerts: AlertSink
    announce: Callable[[dict[str, int], str], None]  # (sku → version, trigger) → queue
    clock: Callable[[], datetime]

    def apply(self, event: dict[str, Any]) -> LedgerReport:
        report = LedgerReport()
        target = TARGET.get(str(event.get("status")))
        if target is None:
            raise ValueError(f"order event with unknown status {event.get('status')!r}")
        for line in event.get("lines") or []:
            self._line(event, line, target, report)
        if report.changed_skus:
            self.announce(report.changed_skus, f"order:{event['event_type']}")
        return report

    def _line(self, event: dict[str, Any], line: dict[str, Any], target: str, report: LedgerReport) -> None:
        sku, quantity = str(line["sku"]), int(line["quantity"])
        if not sku or quantity <= 0:
            raise ValueError(f"order line without SKU or quantity: {line}")
        key = f"{event['channel']}#{event['shop_id']}#{event['order_id']}#{line['line_id']}"
        occurred = str(event["occurred_at"])
        now = self.clock()
        outcome: dict[str, Any] = {}

        def decide(item: SkuModel, current: ReservationModel | None) -> tuple[ReservationModel, int] | None:
            if int(item.version) == 0:
                outcome["unmanaged"] = True
                return None
            state = current.state if current else None
            if current is not None and current.event_at and current.event_at > occurred:
                return None  # an older event arriving late changes nothing
            if state == target or (state == "oversold" and target == "reserved"):
                return None
            if state in ("consumed", "released"):
                return None  # terminal: a refund after shipment returns no stock by itself
            covered = int(current.covered) if current else 0
            new = ReservationModel(
                sku,
                key,
                quantity=quantity,
                channel=event["channel"],
                shop_id=event["shop_id"],
                order_id=event["order_id"],
                event_at=occurred,
                updated_at=now,
            )
            if target == "reserved":
                available = item.on_hand_total - int(item.reserved)
                covered = max(0, min(quantity, available))
                new.state, new.covered = ("reserved" if covered == quantity else "oversold"), covered
                outcome["oversold"], outcome["covered"] = covered < quantity, covered
                return new, covered
            if target == "consumed":
                item.on_hand = consume_from(item.on_hand or {}, quantity)
                new.state, new.covered = "consumed", 0
                return new, -covered
            new.state, new.covered = "released", 0
            return new, -covered

        result = self.stock.transact_line(sku, decide, line_key=key, now=now)
        if result is None:
            if outcome.get("unmanaged"):
                report.unmanaged += 1
            else:
                report.unchanged += 1
            return
        item, _ = result
        report.applied += 1
        report.changed_skus[sku] = int(item.version)
        if outcome.get("oversold"):
            report.oversold.append(sku)
            self.alerts.send(
                oversold_alert(event, sku, quantity, item, covered=int(outcome["covered"])), now=now
            )


def oversold_alert(event: dict[str, Any], sku: str, quantity: int, item: SkuModel, *, covered: int) -> Alert:
    """`item` is the SKU after this line was written: `covered` of its units are this order's."""
    others = int(item.reserved) - covered
    return Alert(
        dedupe_key=f"oversold:{event['channel']}:{event['order_id']}:{sku}",
        subject=f"Oversold: {sku} on {event['channel']} order {event['order_id']}",
        shop_id=str(event["shop_id"]),
        channel=str(event["channel"]),
        since=datetime.fromisoformat(str(event["occurred_at"]).replace("Z", "+00:00")),
        what_happened=f"Order {event['order_id']} wants {quantity} × {sku}, but only {covered} were free "
        f"when it arrived (on hand {item.on_hand_total}, reserved by other orders {others}).",
        what_we_did="Recorded the order line as oversold, and pushed 0 sellable units of this SKU to every "
        "channel so it is not sold again.",
        what_to_do="Restock or cancel this order with the buyer before the channel's shipping deadline.",
    )


def announce_to(queue: Any) -> Callable[[dict[str, int], str], None]:
    """Stock changes onto the FIFO stock-changes queue: one message per SKU, grouped by SKU."""

    def announce(versions: dict[str, int], trigger: str) -> None:
        queue.announce([{"sku": sku, "version": v, "trigger": trigger} for sku, v in versions.items()])

    return announce


__all__: Sequence[str] = ("LedgerReport", "StockLedger", "announce_to", "consume_from")


def order_event(body: str) -> dict[str, Any]:
    """An order event as the orders job publishes it (`orders.events`, the declared contract), or a
    ValueError naming what arrived instead."""
    event = json.loads(body)
    if (
        not isinstance(event, dict)
        or event.get("schema") != SCHEMA
        or event.get("schema_version") != SCHEMA_VERSION
    ):
        raise ValueError(f"not a crossdock order event v{SCHEMA_VERSION}: {body[:200]}")
    return event
