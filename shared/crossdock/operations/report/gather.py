"""Reading the report's figures from every job's stores (the models must be bound: `core.dynamo.bind`).

Reads only: the shop registry, orders created since the report's start (keys and times only, never
the raw payloads), listings with their SKUs, parcels, per-source answer counters and the sourcing
catalog's last decisions. The channels' page sizes are not ours to import (operations is below the
external systems): the caller passes `minimum_calls` — the CLI and the demo ask the channel registry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from crossdock.core.times import parse_iso
from crossdock.operations.report.model import (
    SLOT,
    ChannelStock,
    OrderSlot,
    ReportData,
    ShopFigures,
    SourceFigures,
    SupplierAge,
)
from crossdock.orders.storage.tables import OrderModel
from crossdock.shops.storage.tables import ShopModel
from crossdock.shops.usecases.admin import shop_statuses
from crossdock.stock.storage.tables import ListingModel, SkuModel
from crossdock.stock.usecases.push import sellable_for
from crossdock.suppliers.storage.sourcing import SourcingRepository
from crossdock.suppliers.usecases.history import format_offer
from crossdock.tracking.storage.source_health import SourceHealthRepository
from crossdock.tracking.storage.tables import ShipmentModel

MinimumCalls = Callable[[str, int], int | None]  # (channel, orders read) → fewest listing calls


def gather(*, since: datetime, now: datetime, minimum_calls: MinimumCalls | None = None) -> ReportData:
    statuses, attention = parcels()
    return ReportData(
        generated_at=now,
        since=since,
        shops=tuple(shop_figures(now, minimum_calls)),
        order_slots=tuple(order_slots(since)),
        stock=tuple(channel_stock()),
        tracking_statuses=statuses,
        tracking_attention=attention,
        sources=tuple(source_figures(since)),
        suppliers=tuple(supplier_ages()),
    )


def shop_figures(now: datetime, minimum_calls: MinimumCalls | None) -> list[ShopFigures]:
    registry = {
        shop.shop_id: shop
        for shop in ShopModel.scan(attributes_to_get=["shop_id", "display_name", "last_pull_at"])
    }
    found = []
    for status in shop_statuses(now):
        run = status.last_run
        orders = sum(int(run.get(key, 0) or 0) for key in ("new", "updated", "unchanged"))
        calls = {str(op): int(n) for op, n in ((run.get("stats") or {}).get("calls") or {}).items()}
        shop = registry.get(status.shop_id)
        found.append(
            ShopFigures(
                shop_id=status.shop_id,
                name=shop.display_name if shop else "",
                channel=status.channel,
                state=status.state,
                checkpoint=status.checkpoint,
                lag_seconds=status.lag_seconds,
                last_run_at=shop.last_pull_at if shop else None,
                last_run_orders=orders,
                last_run_calls=calls,
                minimum_calls=minimum_calls(status.channel, orders) if minimum_calls and run else None,
            )
        )
    return found


def order_slots(since: datetime) -> list[OrderSlot]:
    counts: Counter[tuple[str, datetime]] = Counter()
    for item in OrderModel.scan(
        filter_condition=OrderModel.created_at >= since, attributes_to_get=["shop_id", "created_at"]
    ):
        counts[(item.shop_id, slot_start(item.created_at))] += 1
    return [OrderSlot(shop, start, n) for (shop, start), n in sorted(counts.items())]


def slot_start(moment: datetime) -> datetime:
    """The start of the UTC slot holding `moment`."""
    width = int(SLOT.total_seconds())
    seconds = int(moment.timestamp())
    return datetime.fromtimestamp(seconds - seconds % width, UTC)


def channel_stock() -> list[ChannelStock]:
    listings = list(ListingModel.scan())
    skus = {item.sku: item for item in SkuModel.batch_get(sorted({x.sku for x in listings}))}
    per_channel: dict[str, Counter[str]] = {}
    for listing in listings:
        figures = per_channel.setdefault(listing.channel, Counter())
        item = skus.get(listing.sku)
        sellable = sellable_for(item, listing.channel) if item is not None else 0
        shown = listing.last_quantity
        figures["listings"] += 1
        figures["sellable"] += sellable
        figures["shown"] += int(shown or 0)
        figures["agreeing"] += int(shown is not None and int(shown) == sellable)
        figures["never_accepted"] += int(shown is None)
        figures["waiting"] += int(listing.dirty_shop is not None)
        figures["needs_review"] += int(listing.needs_review)
    return [ChannelStock(channel, **figures) for channel, figures in sorted(per_channel.items())]


def parcels() -> tuple[dict[str, int], dict[str, int]]:
    """Parcels per status now, and per kind of attention they wait for (follow-up, stalled, …)."""
    statuses: Counter[str] = Counter()
    attention: Counter[str] = Counter()
    for item in ShipmentModel.scan(attributes_to_get=["parcel_key", "status", "attention"]):
        statuses[item.status] += 1
        if item.attention:
            attention[item.attention] += 1
    return dict(sorted(statuses.items())), dict(sorted(attention.items()))


def source_figures(since: datetime) -> list[SourceFigures]:
    """Counters per source summed over the minutes since `since` (kept a day), and demotion states."""
    return [
        SourceFigures(
            source,
            answers=standing.window.answers,
            good=standing.window.good,
            silent=standing.window.silent,
            calls=standing.window.calls,
            failed_calls=standing.window.failed_calls,
            demoted_since=standing.demoted_since,
        )
        for source, standing in SourceHealthRepository().every_source_since(since).items()
    ]


def supplier_ages() -> list[SupplierAge]:
    return [supplier_age(item) for item in SourcingRepository().all()]


def supplier_age(item: Any) -> SupplierAge:
    """The chosen offer's data age at the last check; when blocked, the youngest rejected offer's."""
    record = dict(item.last_decision or {})
    chosen = record.get("chosen")
    aged = [r for r in record.get("rejected") or [] if r.get("age_seconds") is not None]
    basis = chosen or (min(aged, key=lambda r: r["age_seconds"]) if aged else None)
    decided = record.get("decided_at")
    return SupplierAge(
        sku=item.sku,
        status=str(item.reorder_status),
        offer=format_offer(basis) if basis else "—",
        age_seconds=basis.get("age_seconds") if basis else None,
        limit_seconds=float(item.limit_minutes) * 60,
        decided_at=parse_iso(decided) if decided else None,
    )
