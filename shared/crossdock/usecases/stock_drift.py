"""Drift planner (every 5 minutes): announce every SKU a channel shows differently from what is
sellable now — the safety net under the event-driven pushes (a push that failed, an announce that
was lost, a listing added since).

Left out: listings of disabled or unknown shops, listings the channel refused for the listing
itself (`rejected`: retried on the SKU's next change and by the daily full push, not every 5
minutes), and SKUs crossdock keeps no stock for (version 0: pushing 0 there would empty a listing
whose stock was never imported).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from crossdock.storage.stock import StockRepository
from crossdock.usecases.stock_push import sellable_for

ANNOUNCE_BATCH = 100
TRIGGER = "drift"


@dataclass
class DriftReport:
    listings: int = 0
    drifted: dict[str, int] = field(default_factory=dict)  # sku → version announced
    skipped: int = 0  # disabled shop or rejected listing
    unmanaged: int = 0


@dataclass
class DriftPlanner:
    stock: StockRepository
    enabled_shop_keys: Callable[[], set[str]]  # "<channel>#<shop id>" of every enabled shop
    announce: Callable[[dict[str, int], str], None]

    def plan(self) -> DriftReport:
        report = DriftReport()
        items = {item.sku: item for item in self.stock.all_skus()}
        enabled = self.enabled_shop_keys()
        for listing in self.stock.all_listings():
            report.listings += 1
            if listing.shop_key not in enabled or listing.last_status == "rejected":
                report.skipped += 1
                continue
            item = items.get(listing.sku)
            if item is None or int(item.version) == 0:
                report.unmanaged += 1
                continue
            shown = listing.last_quantity
            if shown is None or int(shown) != sellable_for(item, listing.channel):
                report.drifted[listing.sku] = int(item.version)
        skus = list(report.drifted)
        for start in range(0, len(skus), ANNOUNCE_BATCH):
            self.announce({sku: report.drifted[sku] for sku in skus[start : start + ANNOUNCE_BATCH]}, TRIGGER)
        return report
