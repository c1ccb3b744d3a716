"""Stock planner (every 5 minutes): the safety net under the change path.

1. Drift: every SKU a channel shows differently from what is sellable now is announced again (a push
   that failed, an announce that was lost, a listing added since).
2. Marks: a shop with a mark that is due — its retry time passed, or it has waited `LOST_AFTER` with
   no flush (a flush task lost or on its dead-letter queue) — gets a flush task.
3. Silence: a listing marked for over `STUCK_AFTER` that shows more than is sellable is alerted (one
   digest per run) — the channel is over-offering and nothing has fixed it yet.

Left out: listings of disabled or unknown shops, listings awaiting review (alerted when marked;
`crossdock stock listing resume` brings them back), and SKUs crossdock keeps no stock for (version 0:
pushing 0 there would empty a listing whose stock was never imported).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from crossdock.stock.usecases.flush_alerts import Incident, listings_alert
from crossdock.stock.usecases.push import sellable_for

if TYPE_CHECKING:
    from crossdock.core.ports import AlertSink
    from crossdock.stock.storage.stock import StockRepository
    from crossdock.stock.storage.tables import ListingModel, SkuModel

ANNOUNCE_BATCH = 100
TRIGGER = "drift"
LOST_AFTER = timedelta(minutes=2)
STUCK_AFTER = timedelta(minutes=15)


@dataclass
class DriftReport:
    listings: int = 0
    drifted: dict[str, int] = field(default_factory=dict)  # sku → version announced
    skipped: int = 0  # disabled shop
    under_review: int = 0
    unmanaged: int = 0
    flushes: set[str] = field(default_factory=set)  # shops asked to flush their due marks
    stuck: list[Incident] = field(default_factory=list)


@dataclass
class DriftPlanner:
    stock: StockRepository
    enabled_shop_keys: Callable[[], set[str]]  # "<channel>#<shop id>" of every enabled shop
    announce: Callable[[dict[str, int], str], None]
    flush: Callable[[Iterable[str]], int]
    alerts: AlertSink
    clock: Callable[[], datetime]

    def plan(self) -> DriftReport:
        report = DriftReport()
        now = self.clock()
        items = {item.sku: item for item in self.stock.all_skus()}
        enabled = self.enabled_shop_keys()
        for listing in self.stock.all_listings():
            report.listings += 1
            if listing.shop_key not in enabled:
                report.skipped += 1
                continue
            if listing.needs_review:
                report.under_review += 1
                continue
            item = items.get(listing.sku)
            if item is None or int(item.version) == 0:
                report.unmanaged += 1
                continue
            if listing.dirty_version is not None:
                self._check_mark(listing, item, now, report)
                continue
            shown = listing.last_quantity
            if shown is None or int(shown) != sellable_for(item, listing.channel):
                report.drifted[listing.sku] = int(item.version)
        skus = list(report.drifted)
        for start in range(0, len(skus), ANNOUNCE_BATCH):
            self.announce({sku: report.drifted[sku] for sku in skus[start : start + ANNOUNCE_BATCH]}, TRIGGER)
        if report.flushes:
            self.flush(sorted(report.flushes))
        if report.stuck:
            self.alerts.send(listings_alert(report.stuck, now), now=now)
        return report

    @staticmethod
    def _check_mark(listing: ListingModel, item: SkuModel, now: datetime, report: DriftReport) -> None:
        retry_at, marked_at = listing.retry_at, listing.dirty_at
        if (retry_at is not None and retry_at <= now) or (
            retry_at is None and marked_at is not None and now - marked_at >= LOST_AFTER
        ):
            report.flushes.add(listing.shop_key)
        sellable = sellable_for(item, listing.channel)
        shown = None if listing.last_quantity is None else int(listing.last_quantity)
        if marked_at is not None and now - marked_at >= STUCK_AFTER and (shown is None or shown > sellable):
            minutes = int((now - marked_at).total_seconds() // 60)
            report.stuck.append(
                Incident(
                    shop_key=listing.shop_key,
                    sku=listing.sku,
                    shown=shown,
                    sellable=sellable,
                    code="",
                    reason=listing.last_detail or "no answer yet",
                    tried=f"{int(listing.attempts or 0)} push(es) over {minutes} minutes; still retrying",
                    kind="stuck",
                )
            )
