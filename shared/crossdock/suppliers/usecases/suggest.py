"""Daily replenishment suggestions: 7-day sales → quantity → a fresh supplier, price and data age.

The suggested quantity becomes the reorder quantity the supplier check must cover, so a supplier
with fresh data but too little stock for the suggestion is passed over for the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from crossdock.core.alerts.message import Alert
from crossdock.suppliers.rules.replenishment import StockPosition, Suggestion, suggest
from crossdock.suppliers.rules.sourcing import BLOCKED_LINE, Decision

if TYPE_CHECKING:
    from crossdock.core.ports import AlertSink
    from crossdock.suppliers.storage.sourcing import SourcingRepository
    from crossdock.suppliers.usecases.check import SupplierChecker


@dataclass(frozen=True)
class SuggestionLine:
    suggestion: Suggestion
    decision: Decision

    @property
    def supplier(self) -> str:
        chosen = self.decision.chosen
        return f"{chosen.ref.supplier_id} offer {chosen.ref.product_id}" if chosen else BLOCKED_LINE

    @property
    def price(self) -> Decimal | None:
        return self.decision.chosen.price if self.decision.chosen else None

    @property
    def age(self) -> timedelta | None:
        return self.decision.chosen_age

    def render(self) -> str:
        s = self.suggestion
        if self.decision.chosen is None:
            return f"{s.sku}: buy {s.quantity} — {BLOCKED_LINE} ({s.reason})"
        minutes = int((self.age or timedelta()).total_seconds() // 60)
        return f"{s.sku}: buy {s.quantity} from {self.supplier} at ¥{self.price:.2f} — data {minutes} min old ({s.reason})"


@dataclass
class SuggestionReport:
    lines: list[SuggestionLine] = field(default_factory=list)
    considered: int = 0


@dataclass
class Replenisher:
    catalog: SourcingRepository
    checker: SupplierChecker
    sold: Callable[[datetime], dict[str, int]]  # units sold per SKU over the last 7 days
    positions: Callable[[Iterable[str]], dict[str, StockPosition]]
    alerts: AlertSink
    clock: Callable[[], datetime]

    def suggest(self) -> SuggestionReport:
        now = self.clock()
        items = self.catalog.all()
        sold = self.sold(now)
        positions = self.positions([i.sku for i in items])
        wanted: dict[str, Suggestion] = {}
        for item in items:
            position = positions.get(item.sku) or StockPosition(item.sku, 0, 0, 0)
            found = suggest(
                item.sku,
                sold.get(item.sku, 0),
                position,
                lead_time_days=int(item.lead_time_days),
                pack_size=int(item.pack_size),
            )
            if found is not None:
                wanted[item.sku] = found
        report = SuggestionReport(considered=len(items))
        if not wanted:
            return report
        checked = self.checker.check(list(wanted), need={sku: s.quantity for sku, s in wanted.items()})
        decisions = {d.sku: d for d in checked.decisions}
        report.lines = [
            SuggestionLine(wanted[sku], decisions[sku]) for sku in sorted(wanted) if sku in decisions
        ]
        return report

    def daily(self) -> SuggestionReport:
        """Suggest, and send the list to purchasing as the daily digest."""
        report = self.suggest()
        now = self.clock()
        self.alerts.send(suggestion_digest(report, now), now=now)
        return report


def suggestion_digest(report: SuggestionReport, now: datetime) -> Alert:
    blocked = sum(1 for line in report.lines if line.decision.chosen is None)
    return Alert(
        dedupe_key=f"suppliers-suggestions:{now:%Y-%m-%d}",
        subject=f"Purchase suggestions {now:%Y-%m-%d}: {len(report.lines)} SKU(s), {blocked} without fresh supplier",
        shop_id="(purchasing)",
        channel="1688",
        since=now,
        what_happened=f"From the last 7 days of orders, stock on hand, inbound and lead times, {len(report.lines)} "
        f"of {report.considered} products need buying.",
        what_we_did="Read every candidate supplier now and kept only fresh data (update time within each "
        "product's limit) with enough stock for the suggested quantity.",
        what_to_do="Buy from the supplier named on each line at the price shown; lines marked "
        f'"{BLOCKED_LINE}" need a supplier contacted first.',
        details=tuple(line.render() for line in report.lines) or ("nothing to buy today",),
    )
