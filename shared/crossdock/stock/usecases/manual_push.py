"""A person's "push this SKU now": what each listing would receive, then sending it.

`plan` reads the SKU and its listings only — no channel is opened (opening one may exchange a token)
and nothing is written — so `crossdock stock push SKU --dry-run` is free of side effects. `send`
goes through the product's own push path (`StockPusher.push_listings`, forced like the daily push):
the same batching, compare-and-set retry, version-guarded acceptance, review marking, alerts and
audit trail as a flush. Only the channels' answers are recorded on the way (`RecordingWriters`
around the pusher's writers), so each listing's outcome can be shown with the channel's own code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crossdock.core.errors import ChannelError
from crossdock.stock.usecases.push import StockPusher, WriterOpener, sellable_for

if TYPE_CHECKING:
    from crossdock.stock.rules.sellable import PushOutcome, QuantityUpdate
    from crossdock.stock.storage.stock import StockRepository
    from crossdock.stock.storage.tables import ListingModel

TRIGGER = "operator"
REFUSING_KINDS = frozenset({"auth", "rejected"})  # a whole call a person must fix (as the pusher sees it)


@dataclass(frozen=True)
class PlannedUpdate:
    """What one listing would receive now."""

    sku: str
    channel: str
    shop_id: str
    ref: dict[str, str]
    shown: int | None  # what the channel last accepted
    quantity: int
    version: int
    skipped: str | None = None  # why nothing is sent there (a listing awaiting review)

    @property
    def shop_key(self) -> str:
        return f"{self.channel}#{self.shop_id}"

    @property
    def listing_key(self) -> str:
        """As `stock.rules.sellable.Listing.key`."""
        return f"{self.channel}#{self.shop_id}#{self.sku}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "channel": self.channel,
            "shop_id": self.shop_id,
            "ref": dict(self.ref),
            "shown": self.shown,
            "quantity": self.quantity,
            "version": self.version,
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class ChannelAnswer:
    """What the channel said. result: accepted | refused (for good: the listing now awaits review,
    or the shop's call was refused) | failed (transient: the 5-minute planner pushes again) |
    skipped (nothing sent)."""

    planned: PlannedUpdate
    result: str
    quantity: int
    code: str = ""
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.planned.as_dict(),
            "quantity": self.quantity,
            "result": self.result,
            "code": self.code,
            "detail": self.detail,
        }


@dataclass
class RecordingWriters:
    """The pusher's writers, unchanged, with every answer they get noted per listing."""

    inner: WriterOpener
    outcomes: dict[str, PushOutcome] = field(default_factory=dict)  # Listing.key → last outcome
    faults: dict[str, ChannelError] = field(default_factory=dict)  # shop key → a whole call's fault

    def writer(self, shop_key: str) -> Any:
        try:
            return _RecordingWriter(self.inner.writer(shop_key), self, shop_key)
        except ChannelError as exc:
            self.faults[shop_key] = exc
            raise

    def forget(self, shop_key: str) -> None:
        forget = getattr(self.inner, "forget", None)
        if forget is not None:
            forget(shop_key)


class _RecordingWriter:
    def __init__(self, inner: Any, record: RecordingWriters, shop_key: str) -> None:
        self.inner = inner
        self.record = record
        self.shop_key = shop_key
        self.max_batch = inner.max_batch

    def push(self, updates: Sequence[QuantityUpdate]) -> list[PushOutcome]:
        try:
            outcomes: list[PushOutcome] = self.inner.push(updates)
        except ChannelError as exc:
            self.record.faults[self.shop_key] = exc
            raise
        for outcome in outcomes:
            self.record.outcomes[outcome.update.listing.key] = outcome  # a CAS retry's answer wins
        return outcomes

    def read(self, listings: Sequence[Any]) -> dict[str, int]:
        return dict(self.inner.read(listings))


@dataclass
class ManualPush:
    stock: StockRepository
    pusher: StockPusher

    def plan(self, sku: str, shop_id: str | None = None) -> list[PlannedUpdate]:
        """Each listing's quantity and version as a push would send them now. ValueError when the
        SKU has no stock kept (a push would empty its listings) or no listing (on that shop)."""
        _, listings = self._listings(sku, shop_id)
        item = self.stock.sku(sku)
        return [
            _planned(listing, sellable_for(item, listing.channel), int(item.version)) for listing in listings
        ]

    def send(self, sku: str, shop_id: str | None = None) -> list[ChannelAnswer]:
        """Push to every listing (of the shop) now, whatever it shows; each channel's answer."""
        item, listings = self._listings(sku, shop_id)
        planned = [_planned(li, sellable_for(item, li.channel), int(item.version)) for li in listings]
        recording = RecordingWriters(self.pusher.writers)
        pusher = dataclasses.replace(self.pusher, writers=recording)
        sendable = [listing for listing in listings if not listing.needs_review]
        if sendable:  # the push updates these models in place: the plan was taken before
            pusher.push_listings(sendable, trigger=TRIGGER, force=True, items={sku: item})
        return [_answer(plan, recording) for plan in planned]

    def _listings(self, sku: str, shop_id: str | None) -> tuple[Any, list[ListingModel]]:
        item = self.stock.sku(sku)
        if int(item.version) == 0:
            raise ValueError(f"crossdock keeps no stock for {sku} yet: a push would empty its listings")
        listings = sorted(self.stock.listings(sku), key=lambda li: (li.channel, li.shop_id))
        if shop_id is not None:
            listings = [listing for listing in listings if listing.shop_id == shop_id]
        if not listings:
            where = f"on shop {shop_id}" if shop_id is not None else "anywhere"
            raise ValueError(f"{sku} is not listed {where} (see `crossdock stock list --sku {sku}`)")
        return item, listings


def _planned(listing: ListingModel, quantity: int, version: int) -> PlannedUpdate:
    skipped = None
    if listing.needs_review:
        skipped = (
            f"awaits review ({listing.review_code}): resume it first with "
            f"`crossdock stock listing resume {listing.sku} --shop {listing.shop_id}`"
        )
    return PlannedUpdate(
        sku=listing.sku,
        channel=listing.channel,
        shop_id=listing.shop_id,
        ref={k: str(v) for k, v in (listing.ref or {}).items()},
        shown=None if listing.last_quantity is None else int(listing.last_quantity),
        quantity=quantity,
        version=version,
        skipped=skipped,
    )


def _answer(planned: PlannedUpdate, recording: RecordingWriters) -> ChannelAnswer:
    if planned.skipped is not None:
        return ChannelAnswer(planned, "skipped", planned.quantity, detail=planned.skipped)
    outcome = recording.outcomes.get(planned.listing_key)
    if outcome is not None:
        result = {"accepted": "accepted", "rejected": "refused"}.get(outcome.status, "failed")
        return ChannelAnswer(planned, result, outcome.update.quantity, outcome.code, outcome.detail)
    fault = recording.faults.get(planned.shop_key)
    if fault is not None:
        result = "refused" if fault.kind in REFUSING_KINDS else "failed"
        return ChannelAnswer(planned, result, planned.quantity, fault.code or fault.kind, str(fault))
    return ChannelAnswer(planned, "failed", planned.quantity, detail="the channel gave no answer")
