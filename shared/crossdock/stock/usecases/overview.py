"""Stock at a glance: per SKU, what crossdock holds and what each channel shows.

One entry per SKU: on hand by warehouse, reserved, what is sellable (the SKU's own figure, and per
channel where a channel's override makes it differ), and per listing what the channel last accepted
and when, its drift (shown − sellable: above zero the channel offers more than may be sold), whether
it waits for a person (`needs_review`) and whether a change is marked for its shop's flush. Plain
data: `crossdock stock list` prints it, `--json` dumps `as_dict()`, `stock export` flattens it to CSV
(`stock.usecases.export`) — the three can never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crossdock.stock.usecases.push import sellable_for

if TYPE_CHECKING:
    from crossdock.stock.storage.stock import StockRepository
    from crossdock.stock.storage.tables import ListingModel, SkuModel


@dataclass(frozen=True)
class ListingState:
    """One listing of a SKU on one shop, as crossdock knows it."""

    channel: str
    shop_id: str
    ref: dict[str, str]
    sellable: int | None  # None: crossdock keeps no stock for the SKU (never imported or synced)
    shown: int | None  # what the channel last accepted; None: never accepted
    accepted_at: datetime | None
    accepted_version: int | None
    last_status: str | None
    last_detail: str | None
    review_since: datetime | None  # set: the channel refused for good, pushes stopped
    review_code: str | None
    review_reason: str | None
    pending_version: int | None  # a change marked for the shop's flush
    pending_since: datetime | None
    retry_at: datetime | None
    refusals: int  # pushes of the pending mark the channel refused

    @property
    def needs_review(self) -> bool:
        return self.review_since is not None

    @property
    def drift(self) -> int | None:
        """shown − sellable; None when either is unknown."""
        if self.shown is None or self.sellable is None:
            return None
        return self.shown - self.sellable

    @property
    def over_sellable(self) -> bool:
        return (self.drift or 0) > 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "shop_id": self.shop_id,
            "ref": dict(self.ref),
            "sellable": self.sellable,
            "shown": self.shown,
            "accepted_at": self.accepted_at,
            "accepted_version": self.accepted_version,
            "drift": self.drift,
            "over_sellable": self.over_sellable,
            "needs_review": self.needs_review,
            "review": {"since": self.review_since, "code": self.review_code, "reason": self.review_reason}
            if self.needs_review
            else None,
            "pending": {
                "version": self.pending_version,
                "since": self.pending_since,
                "retry_at": self.retry_at,
                "refusals": self.refusals,
            }
            if self.pending_version is not None
            else None,
            "last_status": self.last_status,
            "last_detail": self.last_detail,
        }


@dataclass(frozen=True)
class SkuStock:
    sku: str
    version: int  # 0: crossdock keeps no stock for it
    on_hand: dict[str, int]  # warehouse → units (FBA: fulfillable only)
    reserved: int
    sellable: int | None  # the SKU's own policy (no channel override); None when unmanaged
    sellable_by_channel: dict[str, int]  # every channel it is listed on
    updated_at: datetime | None
    listings: tuple[ListingState, ...]

    @property
    def managed(self) -> bool:
        return self.version > 0

    @property
    def on_hand_total(self) -> int:
        return sum(self.on_hand.values())

    @property
    def drifted(self) -> bool:
        return any(listing.drift for listing in self.listings)

    @property
    def over_sellable(self) -> bool:
        return any(listing.over_sellable for listing in self.listings)

    @property
    def needs_review(self) -> bool:
        return any(listing.needs_review for listing in self.listings)

    @property
    def pending(self) -> bool:
        return any(listing.pending_version is not None for listing in self.listings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "version": self.version,
            "managed": self.managed,
            "on_hand": dict(sorted(self.on_hand.items())),
            "on_hand_total": self.on_hand_total,
            "reserved": self.reserved,
            "sellable": self.sellable,
            "sellable_by_channel": dict(sorted(self.sellable_by_channel.items())),
            "updated_at": self.updated_at,
            "drifted": self.drifted,
            "over_sellable": self.over_sellable,
            "needs_review": self.needs_review,
            "pending": self.pending,
            "listings": [listing.as_dict() for listing in self.listings],
        }


@dataclass(frozen=True)
class OverviewFilter:
    skus: tuple[str, ...] = ()  # empty: every SKU
    channel: str | None = None  # only listings on this channel (and SKUs listed there)
    drift_only: bool = False  # only SKUs a listing of which shows other than sellable
    review_only: bool = False  # only SKUs a listing of which awaits review

    def keeps(self, entry: SkuStock) -> bool:
        if not entry.managed and not entry.listings:
            return False  # crossdock knows nothing of it (a SKU named that does not exist)
        if self.channel is not None and not entry.listings:
            return False
        if self.drift_only and not entry.drifted:
            return False
        return not (self.review_only and not entry.needs_review)


def listing_state(listing: ListingModel, item: SkuModel) -> ListingState:
    managed = int(item.version) > 0
    return ListingState(
        channel=listing.channel,
        shop_id=listing.shop_id,
        ref={k: str(v) for k, v in (listing.ref or {}).items()},
        sellable=sellable_for(item, listing.channel) if managed else None,
        shown=_number(listing.last_quantity),
        accepted_at=listing.accepted_at,
        accepted_version=_number(listing.last_version) if listing.last_quantity is not None else None,
        last_status=listing.last_status,
        last_detail=listing.last_detail,
        review_since=listing.review_since,
        review_code=listing.review_code,
        review_reason=listing.review_reason,
        pending_version=_number(listing.dirty_version),
        pending_since=listing.dirty_at,
        retry_at=listing.retry_at,
        refusals=int(listing.attempts or 0),
    )


def sku_stock(item: SkuModel, listings: Iterable[ListingModel]) -> SkuStock:
    states = tuple(
        listing_state(listing, item) for listing in sorted(listings, key=lambda li: (li.channel, li.shop_id))
    )
    managed = int(item.version) > 0
    return SkuStock(
        sku=item.sku,
        version=int(item.version),
        on_hand={w: int(n) for w, n in (item.on_hand or {}).items()},
        reserved=int(item.reserved or 0),
        sellable=sellable_for(item, "") if managed else None,
        sellable_by_channel={s.channel: s.sellable for s in states if s.sellable is not None},
        updated_at=item.updated_at,
        listings=states,
    )


def overview(
    items: Mapping[str, SkuModel], listings: Iterable[ListingModel], wanted: OverviewFilter
) -> list[SkuStock]:
    """The overview of `items` (every SKU to show, unmanaged ones as version 0) and their listings."""
    by_sku: dict[str, list[ListingModel]] = defaultdict(list)
    for listing in listings:
        if wanted.channel is None or listing.channel == wanted.channel:
            by_sku[listing.sku].append(listing)
    entries = (sku_stock(items[sku], by_sku.get(sku, ())) for sku in sorted(items))
    return [entry for entry in entries if wanted.keeps(entry)]


@dataclass
class StockOverview:
    stock: StockRepository

    def skus(self, wanted: OverviewFilter = OverviewFilter()) -> list[SkuStock]:
        """Named SKUs: one BatchGetItem per 100 and a query each; else one scan of each table."""
        if wanted.skus:
            items = self.stock.skus(wanted.skus)
            found = [listing for sku in items for listing in self.stock.listings(sku)]
        else:
            found = list(self.stock.all_listings())
            items = {item.sku: item for item in self.stock.all_skus()}
            unknown = {listing.sku for listing in found} - set(items)  # listed, no stock kept yet
            items.update(self.stock.skus(unknown) if unknown else {})
        return overview(items, found, wanted)


def _number(value: Any) -> int | None:
    return None if value is None else int(value)
