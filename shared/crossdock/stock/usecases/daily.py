"""Daily stock check: a forced full push, a read-back of every listing, and sold versus shipped.

1. Every managed SKU is pushed to every listing, even where nothing seems to differ (trigger "daily").
2. Each shop's listings are read back and compared with what the channel last accepted. A
   difference is re-pushed and counted on the listing (`drift_count`, reset when they agree again);
   a listing that drifted on two days running, or by more than `drift_alert_units`, is in one digest
   alert: the channel accepted a quantity but does not show it.
3. Per SKU, over the reservation lines touched in the last 7 days: units sold (every line not
   released) against units shipped (consumed). A share not shipped above `sold_shipped_tolerance`
   is in a second digest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from crossdock.core.errors import ChannelError
from crossdock.stock.storage.tables import ListingModel, ReservationModel
from crossdock.stock.usecases.daily_alerts import drift_alert, sold_shipped_alert
from crossdock.stock.usecases.push import PushReport, StockPusher, WriterOpener, to_listing

if TYPE_CHECKING:
    from crossdock.core.config import Settings
    from crossdock.core.ports import AlertSink
    from crossdock.stock.storage.stock import StockRepository

SOLD_WINDOW = timedelta(days=7)
HANDLING_TIME = timedelta(days=2)  # open lines younger than this are not due to ship yet


@dataclass
class DailyReport:
    pushed: PushReport | None = None
    read_back: int = 0
    unreadable: dict[str, str] = field(default_factory=dict)  # shop key → why
    drifted: list[str] = field(default_factory=list)  # listing keys
    alerted: list[str] = field(default_factory=list)
    repushed: PushReport | None = None
    sold_shipped: list[str] = field(default_factory=list)


@dataclass
class StockDaily:
    stock: StockRepository
    pusher: StockPusher
    writers: WriterOpener
    alerts: AlertSink
    settings: Settings
    clock: Callable[[], datetime]

    def run(self) -> DailyReport:
        report = DailyReport()
        managed = {item.sku for item in self.stock.all_skus() if int(item.version) > 0}
        skus = sorted({listing.sku for listing in self.stock.all_listings()} & managed)
        report.pushed = self.pusher.push(skus, trigger="daily", force=True)
        self.read_back(managed, report)
        self.sold_vs_shipped(report)
        return report

    def read_back(self, managed: set[str], report: DailyReport) -> None:
        by_shop: dict[str, list[ListingModel]] = defaultdict(list)
        for listing in self.stock.all_listings():
            if listing.sku in managed and listing.last_quantity is not None:
                by_shop[listing.shop_key].append(listing)
        alert_lines: list[str] = []
        repush: set[str] = set()
        for shop_key, listings in sorted(by_shop.items()):
            try:
                shown = self.writers.writer(shop_key).read([to_listing(li) for li in listings])
            except (ChannelError, LookupError, ValueError) as exc:
                report.unreadable[shop_key] = str(exc)
                continue
            for listing in listings:
                seen = shown.get(to_listing(listing).key)
                if seen is None:
                    continue  # the channel did not say: nothing to compare
                report.read_back += 1
                line = self._compare(listing, int(seen), report)
                if line is not None:
                    repush.add(listing.sku)
                    if line:
                        alert_lines.append(line)
        if repush:
            report.repushed = self.pusher.push(sorted(repush), trigger="daily:drift", force=True)
        if alert_lines:
            now = self.clock()
            report.alerted = alert_lines
            self.alerts.send(drift_alert(alert_lines, now), now=now)

    def _compare(self, listing: ListingModel, seen: int, report: DailyReport) -> str | None:
        """None: the channel shows what it accepted. Else the alert line ("" when not alert-worthy)."""
        expected = int(listing.last_quantity)
        drift_count = int(listing.drift_count or 0)
        if seen == expected:
            if drift_count:
                listing.update(actions=[ListingModel.drift_count.set(0)])
            return None
        drift_count += 1
        detail = f"read back {seen}, last accepted {expected}"
        listing.update(
            actions=[
                ListingModel.drift_count.set(drift_count),
                ListingModel.last_status.set("drift"),
                ListingModel.last_detail.set(detail),
            ]
        )
        report.drifted.append(to_listing(listing).key)
        if drift_count >= 2 or abs(seen - expected) > self.settings.drift_alert_units:
            return (
                f"{listing.channel} {listing.shop_id} {listing.sku}: {detail} ({drift_count} day(s) running)"
            )
        return ""

    def sold_vs_shipped(self, report: DailyReport) -> None:
        now = self.clock()
        sold: dict[str, int] = defaultdict(int)
        shipped: dict[str, int] = defaultdict(int)
        for line in ReservationModel.scan(ReservationModel.updated_at >= now - SOLD_WINDOW):
            if line.state == "released":
                continue
            if line.state in ("reserved", "oversold") and line.updated_at > now - HANDLING_TIME:
                continue  # sold recently: not yet due to ship, neither sold-unshipped nor shipped
            sold[line.sku] += int(line.quantity)
            if line.state == "consumed":
                shipped[line.sku] += int(line.quantity)
        tolerance = self.settings.sold_shipped_tolerance
        for sku in sorted(sold):
            unshipped = (sold[sku] - shipped[sku]) / sold[sku]
            if unshipped > tolerance:
                report.sold_shipped.append(
                    f"{sku}: sold {sold[sku]}, shipped {shipped[sku]} ({unshipped:.0%} not shipped)"
                )
        if report.sold_shipped:
            self.alerts.send(sold_shipped_alert(report.sold_shipped, now), now=now)
