"""Hand-written fakes for the operations room: stores holding fixed sections, a report sink."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from crossdock.operations.views import (
    AlertLine,
    BlockedProduct,
    QueueDepth,
    ShopLine,
    StockAgreement,
    TrackingIncidents,
)

NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def shop(
    shop_id: str = "uk", state: str = "ok", lag_s: float | None = 120, orders: int | None = 3
) -> ShopLine:
    checkpoint = NOW - timedelta(seconds=lag_s) if lag_s is not None else None
    return ShopLine(shop_id, "shopify", state, checkpoint, lag_s, None, {"outcome": "done"}, {}, orders)


@dataclass
class Stores:
    shop_lines: tuple[ShopLine, ...] = (shop(),)
    stock_agreement: StockAgreement = field(default_factory=lambda: StockAgreement(listings=2, agreeing=2))
    incidents: TrackingIncidents = field(default_factory=TrackingIncidents)
    blocked_products: tuple[BlockedProduct, ...] = ()
    depths: tuple[QueueDepth, ...] = (QueueDepth("OrderTasksQueue", "CROSSDOCK_ORDER_TASKS_DLQ_URL", 0),)
    alert_lines: tuple[AlertLine, ...] = ()
    asked: list[tuple[str, object]] = field(default_factory=list)

    def shops(self, now: datetime, since: datetime) -> tuple[ShopLine, ...]:
        self.asked.append(("shops", since))
        return self.shop_lines

    def stock(self, since: datetime) -> StockAgreement:
        self.asked.append(("stock", since))
        return self.stock_agreement

    def tracking(self, now: datetime) -> TrackingIncidents:
        return self.incidents

    def blocked(self) -> tuple[BlockedProduct, ...]:
        return self.blocked_products

    def dead_letters(self) -> tuple[QueueDepth, ...]:
        return self.depths

    def alerts(self, since: datetime, limit: int) -> tuple[AlertLine, ...]:
        self.asked.append(("alerts", (since, limit)))
        return self.alert_lines[:limit]


class Reports:
    def __init__(self) -> None:
        self.sent: list = []

    def publish_report(self, report, *, now):  # type: ignore[no-untyped-def]
        self.sent.append((report, now))
