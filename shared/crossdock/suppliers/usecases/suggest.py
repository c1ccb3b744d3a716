"""Daily replenishment suggestions: 7-day sales → quantity → a fresh supplier, price and data age.

The suggested quantity becomes the reorder quantity the supplier check must cover, so a supplier
with fresh data but too little stock for the suggestion is passed over for the next one. The list
goes to purchasing as a report (the reports topic), one line per product and a CSV block to paste
into a sheet (sku, quantity, supplier, offer, price, currency, data age).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from crossdock.core.alerts.report import Report, Section, quoted
from crossdock.suppliers.rules.replenishment import StockPosition, Suggestion, suggest
from crossdock.suppliers.rules.sourcing import BLOCKED_LINE, Decision

if TYPE_CHECKING:
    from crossdock.core.alerts.report import ReportSink
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
    reports: ReportSink
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
        """Suggest, and send the list to purchasing as the daily report."""
        report = self.suggest()
        now = self.clock()
        self.reports.publish_report(suggestion_digest(report, now), now=now)
        return report


CSV_HEADER = ("sku", "quantity", "supplier", "offer", "price", "currency", "data_age_minutes")
CURRENCY = "CNY"  # 1688 prices are in yuan


def csv_row(line: SuggestionLine) -> tuple[str, ...]:
    """One sheet row: a blocked product keeps its quantity with empty supplier columns."""
    s, chosen = line.suggestion, line.decision.chosen
    if chosen is None:
        return (s.sku, str(s.quantity), "", "", "", "", "")
    minutes = int((line.age or timedelta()).total_seconds() // 60)
    price = f"{chosen.price:.2f}" if chosen.price is not None else ""
    return (
        s.sku,
        str(s.quantity),
        chosen.ref.supplier_id,
        chosen.ref.product_id,
        price,
        CURRENCY if price else "",
        str(minutes),
    )


def suggestion_digest(report: SuggestionReport, now: datetime) -> Report:
    blocked = sum(1 for line in report.lines if line.decision.chosen is None)
    return Report(
        key=f"suppliers-suggestions:{now:%Y-%m-%d}",
        subject=f"Purchase suggestions {now:%Y-%m-%d}: {len(report.lines)} SKU(s), {blocked} without fresh supplier",
        generated_at=now,
        intro=f"From the last 7 days of orders, stock on hand, inbound and lead times, {len(report.lines)} "
        f"of {report.considered} products need buying. Every candidate supplier was read now and only "
        "fresh data (update time within each product's limit) with enough stock for the suggested "
        f'quantity was kept. Buy from the supplier named on each line at the price shown; lines marked "'
        f'{BLOCKED_LINE}" need a supplier contacted first.',
        sections=(
            Section(
                "Details (one line per product)",
                tuple(f"- {line}" for line in quoted([line.render() for line in report.lines]))
                or ("- nothing to buy today",),
            ),
        ),
        csv_header=CSV_HEADER,
        csv_rows=tuple(csv_row(line) for line in report.lines),
    )
