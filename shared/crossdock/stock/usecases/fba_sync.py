"""FBA inventory sync (hourly): what Amazon's warehouses hold becomes the SKU's `fba:<shop>` on-hand.

Only fulfillable units count; inbound, reserved, researching and unfulfillable are kept beside them
as information (`SkuModel.fba_details`). A run reads the summaries changed since the previous read
started, minus an overlap. Amazon does not detect inbound changes that way, and a SKU that left FBA
is never reported as changed, so once a day the whole inventory is read instead, and an FBA
warehouse that full read no longer mentions drops to 0. A SKU's version moves only when its
fulfillable count changed; those SKUs are announced for a push, shop by shop.
Seller SKU → SKU: the shop's listing whose `ref.seller_sku` names it, else the same name.

A summary with a count that cannot be true (negative, not a whole number, missing, or above
`max_units`) is refused: its SKU is left exactly as it was — not stored, not zeroed by the full
read, not announced — while the read's other SKUs sync as usual, and the shop's refusals of one read
go out as one digest alert (a stored negative FBA count would lower what every other warehouse sells).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from pynamodb.expressions.update import Action

from crossdock.core.alerts.message import Alert
from crossdock.core.errors import ChannelError
from crossdock.shops.storage.tables import ShopModel
from crossdock.stock.rules.counts import DEFAULT_MAX_UNITS, RefusedSummary, UnitsRefused, units
from crossdock.stock.rules.sellable import FbaSummary
from crossdock.stock.storage.fba import fba_warehouse, set_fba
from crossdock.stock.usecases.count_alerts import fba_counts_refused_alert

if TYPE_CHECKING:
    from crossdock.core.ports import AlertSink
    from crossdock.stock.ports import FbaInventory
    from crossdock.stock.storage.stock import StockRepository

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
    refused: list[str] = field(default_factory=list)  # each count refused, naming shop, SKU and value


def details_of(summary: FbaSummary) -> dict[str, int]:
    return {
        "inbound": summary.inbound,
        "reserved": summary.reserved,
        "researching": summary.researching,
        "unfulfillable": summary.unfulfillable,
    }


def refused_counts(summary: FbaSummary, *, where: str, ceiling: int) -> list[str]:
    """Why the summary's counts cannot be true (empty: they can). `where`: e.g. "for SKU X in shop Y"."""
    problems = []
    for name, value in (("fulfillable", summary.fulfillable), *details_of(summary).items()):
        try:
            units(value, source=f"FBA {name} {where}", ceiling=ceiling)
        except UnitsRefused as exc:
            problems.append(str(exc))
    return problems


@dataclass
class BelievedRead:
    by_sku: dict[str, FbaSummary] = field(default_factory=dict)
    refused: dict[str, list[str]] = field(default_factory=dict)  # SKU → why its counts were refused
    summaries: int = 0


def believed(
    summaries: Iterable[FbaSummary | RefusedSummary], names: dict[str, str], *, shop_id: str, ceiling: int
) -> BelievedRead:
    """One read's summaries by SKU (`names`: seller SKU → SKU; two seller SKUs of one SKU are summed),
    less every SKU with a count that cannot be true — one bad seller SKU makes its SKU's sum unknown."""
    read = BelievedRead()
    for summary in summaries:
        read.summaries += 1
        sku = names.get(summary.seller_sku, summary.seller_sku)
        where = f"for SKU {summary.seller_sku} in shop {shop_id}"
        if isinstance(summary, RefusedSummary):
            read.refused.setdefault(sku, []).extend(summary.problems)
        elif problems := refused_counts(summary, where=where, ceiling=ceiling):
            read.refused.setdefault(sku, []).extend(problems)
        else:
            read.by_sku[sku] = combined(read.by_sku.get(sku), summary)
    for sku, total in list(read.by_sku.items()):
        problems = refused_counts(
            total, where=f"for SKU {sku} (seller SKUs summed) in shop {shop_id}", ceiling=ceiling
        )
        if problems or sku in read.refused:
            read.refused.setdefault(sku, []).extend(problems)
            del read.by_sku[sku]
    return read


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
    max_units: int = DEFAULT_MAX_UNITS  # `Settings.stock_max_units`: the most units one count may claim

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
        read = believed(
            self.inventories.fba(shop).summaries(since), names, shop_id=shop.shop_id, ceiling=self.max_units
        )
        report.summaries += read.summaries
        found, refused = read.by_sku, read.refused
        warehouse = fba_warehouse(shop.shop_id)
        if since is None:
            report.full_reads.append(shop.shop_id)
            for item in self.stock.all_skus():
                if warehouse in (item.on_hand or {}) and item.sku not in found and item.sku not in refused:
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
        if refused:
            problems = [problem for sku_problems in refused.values() for problem in sku_problems]
            report.refused.extend(problems)
            now = self.clock()
            self.alerts.send(fba_counts_refused_alert(shop.shop_id, shop.channel, problems, now), now=now)
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
