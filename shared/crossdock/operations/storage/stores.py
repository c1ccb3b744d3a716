"""Reading every job's stores for the operations snapshot (the models must be bound:
`core.dynamo.bind`). Reads only, and never a raw order payload: orders are counted per shop by a
Query on the shop's partition filtered on the creation time, keys only; the rest are Scans of
small tables (listings, parcels, per-source counters kept a day, the sourcing catalog) or of the
stock audit trail filtered on the window.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from crossdock.operations.views import (
    BlockedProduct,
    ListingIssue,
    ParcelIssue,
    ShopLine,
    SourceLine,
    StockAgreement,
    TrackingIncidents,
)
from crossdock.orders.storage.tables import OrderModel
from crossdock.shops.usecases.admin import shop_statuses
from crossdock.stock.storage.tables import ListingModel, SkuModel, StockAuditModel
from crossdock.stock.usecases.push import sellable_for
from crossdock.suppliers.storage.tables import SourcingModel
from crossdock.tracking.rules.status import FINAL
from crossdock.tracking.storage.source_health import SourceHealthRepository
from crossdock.tracking.storage.tables import ShipmentModel

FINAL_PARCEL_STATUSES = frozenset(str(status) for status in FINAL)


def shops(now: datetime, since: datetime, *, count_orders: bool = True) -> tuple[ShopLine, ...]:
    return tuple(
        ShopLine(
            shop_id=s.shop_id,
            channel=s.channel,
            state=s.state,
            checkpoint=s.checkpoint,
            lag_seconds=s.lag_seconds,
            last_error=s.last_error,
            last_run=s.last_run,
            totals=s.totals,
            orders=orders_placed(f"{s.channel}#{s.shop_id}", since) if count_orders else None,
        )
        for s in shop_statuses(now)
    )


def orders_placed(shop_key: str, since: datetime) -> int:
    return sum(
        1
        for _ in OrderModel.query(
            shop_key, filter_condition=OrderModel.created_at >= since, attributes_to_get=["order_id"]
        )
    )


def stock_agreement(since: datetime) -> StockAgreement:
    listings = list(ListingModel.scan())
    items = {i.sku: i for i in SkuModel.batch_get(sorted({x.sku for x in listings}))} if listings else {}
    over, review = [], []
    agreeing = under = pending = drift = 0
    oldest: datetime | None = None
    for listing in listings:
        item = items.get(listing.sku)
        sellable = sellable_for(item, listing.channel) if item is not None else 0
        shown = None if listing.last_quantity is None else int(listing.last_quantity)
        issue = ListingIssue(listing.sku, listing.shop_id, listing.channel, shown, sellable)
        drift += int(int(listing.drift_count or 0) > 0)
        if listing.dirty_version is not None:
            pending += 1
            if listing.dirty_at is not None and (oldest is None or listing.dirty_at < oldest):
                oldest = listing.dirty_at
        if listing.needs_review:
            reason = f"{listing.review_code or ''} {listing.review_reason or ''}".strip()
            review.append(
                ListingIssue(listing.sku, listing.shop_id, listing.channel, shown, sellable, reason)
            )
            continue  # pushes stopped: it waits for a person, neither agreeing nor not
        if item is None or int(item.version) == 0 or shown is None:
            continue  # crossdock keeps no stock for it, or the channel never accepted a quantity
        if shown == sellable:
            agreeing += 1
        elif shown < sellable:
            under += 1
        else:
            over.append(issue)
    pushes = audit_results(since)
    return StockAgreement(
        listings=len(listings),
        agreeing=agreeing,
        over_offered=tuple(sorted(over, key=lambda i: (i.sku, i.shop_id))),
        under_offered=under,
        needs_review=tuple(sorted(review, key=lambda i: (i.sku, i.shop_id))),
        pending_marks=pending,
        oldest_mark_at=oldest,
        read_back_drift=drift,
        pushes=pushes["accepted"],
        refusals=pushes["rejected"],
        failures=pushes["failed"],
    )


def audit_results(since: datetime) -> Counter[str]:
    """Pushes per result since `since` (the audit trail's range key starts with the push time)."""
    found: Counter[str] = Counter()
    for record in StockAuditModel.scan(
        filter_condition=StockAuditModel.at_key >= since.isoformat(), attributes_to_get=["result"]
    ):
        found[record.result] += 1
    return found


def tracking_incidents(now: datetime) -> TrackingIncidents:
    stalled, follow_up = [], []
    tracked = 0
    for item in ShipmentModel.scan(
        attributes_to_get=["parcel_key", "shop_id", "status", "stalled_since", "follow_up_since"]
    ):
        if item.status in FINAL_PARCEL_STATUSES:
            continue
        tracked += 1
        if item.stalled_since is not None:
            stalled.append(ParcelIssue(item.parcel_key, item.shop_id or "", item.status, item.stalled_since))
        if item.follow_up_since is not None:
            follow_up.append(
                ParcelIssue(item.parcel_key, item.shop_id or "", item.status, item.follow_up_since)
            )
    return TrackingIncidents(
        parcels=tracked,
        stalled=tuple(sorted(stalled, key=lambda p: (p.since, p.parcel_key))),
        follow_up=tuple(sorted(follow_up, key=lambda p: (p.since, p.parcel_key))),
        sources=source_lines(now),
    )


def source_lines(now: datetime) -> tuple[SourceLine, ...]:
    """Answers per source over the counters kept (a day, by TTL; older minutes are skipped), and
    each source's demotion."""
    standings = SourceHealthRepository().every_source_since(now - timedelta(days=1))
    return tuple(
        SourceLine(source, s.window.answers, s.window.silent, s.demoted_since)
        for source, s in standings.items()
    )


def blocked_products() -> tuple[BlockedProduct, ...]:
    found = []
    for item in SourcingModel.scan(filter_condition=SourcingModel.reorder_status == "blocked"):
        summary = str((item.last_decision or {}).get("summary") or "no fresh supplier")
        found.append(BlockedProduct(item.sku, item.blocked_since, summary))
    return tuple(sorted(found, key=lambda p: p.sku))
