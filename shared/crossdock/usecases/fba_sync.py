"""FBA inventory sync (hourly): what Amazon's warehouses hold becomes the SKU's `fba:<shop>` on-hand.

Only fulfillable units count; inbound, reserved, researching and unfulfillable are kept beside them
as information (`SkuModel.fba_details`). A run reads the summaries changed since the previous read
started, minus an overlap. Amazon does not detect inbound changes that way, and a SKU that left FBA
is never reported as changed, so once a day the whole inventory is read instead, and an FBA
warehouse that full read no longer mentions drops to 0. A SKU's version moves only when its
fulfillable count changed; those SKUs are announced for a push, shop by shop.
Seller SKU → SKU: the shop's listing whose `ref.seller_sku` names it, else the same name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from pynamodb.expressions.update import Action

from crossdock.adapters.errors import ChannelError
from crossdock.adapters.ports import FbaInventory
from crossdock.alerts.message import Alert
from crossdock.domain.stock import FbaSummary
from crossdock.storage.fba_stock import fba_warehouse, set_fba
from crossdock.storage.models import ShopModel
from crossdock.storage.stock import StockRepository
from crossdock.usecases.ports import AlertSink

OVERLAP = timedelta(minutes=15)
FULL_READ_EVERY = timedelta(hours=23, minutes=30)  # daily, with room for the hourly rule's jitter
TRIGGER = "fba-sync"


class InventoryOpener(Protocol):
    def fba(self, shop: Any) -> FbaInventory: ...


@dataclass
class FbaSyncReport:
    shops: list[str] = field(default_factory=list)
    full_reads: list[str] = field(default_factory=list)
    summaries: int = 0
    changed: dict[str, int] = field(default_factory=dict)  # sku → new version
    failed: dict[str, str] = field(default_factory=dict)  # shop → error


def details_of(summary: FbaSummary) -> dict[str, int]:
    return {
        "inbound": summary.inbound,
        "reserved": summary.reserved,
        "researching": summary.researching,
        "unfulfillable": summary.unfulfillable,
    }


def combined(a: FbaSummary | None, b: FbaSummary) -> FbaSummary:
    """Two seller SKUs listed as one SKU hold that SKU's units together."""
    if a is None:
        return b
    return FbaSummary(
        seller_sku=a.seller_sku,
        fulfillable=a.fulfillable + b.fulfillable,
        inbound=a.inbound + b.inbound,
        reserved=a.reserved + b.reserved,
        researching=a.researching + b.researching,
        unfulfillable=a.unfulfillable + b.unfulfillable,
    )


@dataclass
class FbaSync:
    stock: StockRepository
    shops: Callable[[], Iterable[ShopModel]]
    inventories: InventoryOpener
    has_fba: Callable[[str], bool]  # channel name → whether crossdock reads its warehouses
    announce: Callable[[dict[str, int], str], None]
    alerts: AlertSink
    clock: Callable[[], datetime]

    def run(self) -> FbaSyncReport:
        report = FbaSyncReport()
        for shop in self.shops():
            if not shop.enabled or not self.has_fba(shop.channel):
                continue
            try:
                self.sync_shop(shop, report)
            except ChannelError as exc:
                report.failed[shop.shop_id] = str(exc)
                if exc.kind in ("auth", "rejected"):  # a person must act; transient faults: next hour
                    now = self.clock()
                    self.alerts.send(fba_blocked_alert(shop, exc, now), now=now)
        return report

    def sync_shop(self, shop: ShopModel, report: FbaSyncReport, *, full: bool | None = None) -> None:
        """One shop's read; `full` None: full when the last full read is a day old (or never was)."""
        started = self.clock()
        if full is None:
            full = shop.fba_full_at is None or started - shop.fba_full_at >= FULL_READ_EVERY
        since = None if full or shop.fba_synced_at is None else shop.fba_synced_at - OVERLAP
        names = {
            str(listing.ref.get("seller_sku")): listing.sku
            for listing in self.stock.listings_of_shop(f"{shop.channel}#{shop.shop_id}")
            if (listing.ref or {}).get("seller_sku")
        }
        found: dict[str, FbaSummary] = {}
        for summary in self.inventories.fba(shop).summaries(since):
            report.summaries += 1
            sku = names.get(summary.seller_sku, summary.seller_sku)
            found[sku] = combined(found.get(sku), summary)
        warehouse = fba_warehouse(shop.shop_id)
        if since is None:
            report.full_reads.append(shop.shop_id)
            for item in self.stock.all_skus():
                if warehouse in (item.on_hand or {}) and item.sku not in found:
                    found[item.sku] = FbaSummary(item.sku, fulfillable=0)
        changed: dict[str, int] = {}
        for sku, summary in found.items():
            version = set_fba(
                self.stock,
                sku,
                warehouse,
                fulfillable=summary.fulfillable,
                details=details_of(summary),
                now=self.clock(),
            )
            if version is not None:
                changed[sku] = version
        if changed:
            self.announce(changed, TRIGGER)
        report.changed.update(changed)
        report.shops.append(shop.shop_id)
        actions: list[Action] = [ShopModel.fba_synced_at.set(started)]
        if since is None:
            actions.append(ShopModel.fba_full_at.set(started))
        shop.update(actions=actions)


def fba_blocked_alert(shop: ShopModel, exc: ChannelError, now: datetime) -> Alert:
    return Alert(
        dedupe_key=f"fba-sync-blocked:{shop.shop_id}:{exc.kind}",
        subject=f"Shop {shop.shop_id} ({shop.channel}): FBA inventory cannot be read ({exc.kind})",
        shop_id=shop.shop_id,
        channel=shop.channel,
        since=now,
        what_happened=f"{shop.channel} refused the FBA inventory read for this shop: {exc.kind}.",
        what_we_did="Kept the FBA counts of the last successful read; the hourly sync tries again.",
        what_to_do="Check the shop's authorization and that the app holds the Amazon Fulfillment role — "
        "until then FBA stock changes (sales, removals, receipts) are not reflected on other channels.",
        details=(str(exc),),
    )
