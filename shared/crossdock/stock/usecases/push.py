"""Push sellable stock to the listings of one or more shops, with each channel's bulk API.

For each listing: compute the sellable quantity from the SKU as stored now (one BatchGetItem per
100 SKUs), and send only what differs from what the channel last accepted (or everything on a forced
full push). Updates are grouped per shop and sent in the channel's largest batches. A
compare-and-set loss (Shopify) is re-read, recomputed and retried once — never a blind overwrite.
Per item, what the channel said decides what happens to the listing:

- accepted: recorded (only if no newer SKU version was recorded meanwhile), the dirty mark cleared
  when no newer change marked it since;
- rejected (permanent: unknown listing or SKU, invalid for the listing): the listing is marked
  `needs_review` with the channel's code and text and no push reaches it until it is resumed — an
  incident for the alert;
- failed (transient, this item's): handed back in `PushReport.retry` for the caller's backoff.

A fault of a whole call leaves the listings marked: transient ones are the caller's to retry
(`failed_skus`), auth or configuration refusals alert once per shop. Every push lands in the audit
trail, written in batches.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from crossdock.core.alerts.message import Alert
from crossdock.core.errors import ChannelError
from crossdock.core.figures import STOCK_PUSHES, STOCK_REFUSALS
from crossdock.stock.rules.sellable import Listing, PushOutcome, QuantityUpdate, StockPolicy, sellable
from crossdock.stock.storage.tables import ListingModel, SkuModel, StockAuditModel

if TYPE_CHECKING:
    from crossdock.core.ports import AlertSink
    from crossdock.stock.storage.stock import StockRepository


class WriterOpener(Protocol):
    def writer(self, shop_key: str) -> Any: ...


def policy_for(item: SkuModel, channel: str) -> StockPolicy:
    base = item.policy or {}
    policy = StockPolicy(
        buffer=Decimal(str(base.get("buffer", "0.05"))),
        min_units=int(base.get("min_units", 0)),
        cap=base.get("cap"),
    )
    return policy.merged((item.channel_policies or {}).get(channel))


def sellable_for(item: SkuModel, channel: str) -> int:
    return sellable(item.on_hand_total, int(item.reserved), policy_for(item, channel))


@dataclass(frozen=True)
class Attempt:
    """One listing's update and what its channel said about it."""

    listing: ListingModel
    update: QuantityUpdate
    outcome: PushOutcome


@dataclass
class PushReport:
    pushed: int = 0
    unchanged: int = 0
    under_review: int = 0  # listings left alone: a person must look at them first
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failed_skus: set[str] = field(default_factory=set)  # a whole call failed transiently
    blocked: set[str] = field(default_factory=set)  # shops whose calls were refused (auth, config)
    retry: list[Attempt] = field(default_factory=list)  # this item refused transiently
    reviews: list[Attempt] = field(default_factory=list)  # this item refused for good: needs_review
    by_channel: Counter[tuple[str, str]] = field(default_factory=Counter)  # (channel, status) → items

    def per_channel(self) -> dict[str, dict[str, int]]:
        """channel → {StockPushes: quantities it accepted, StockRefusals: quantities it refused, for
        good or for now} (the figures the stock functions emit per channel)."""
        channels = sorted({channel for channel, _ in self.by_channel})
        return {
            c: {
                STOCK_PUSHES: self.by_channel[(c, "accepted")],
                STOCK_REFUSALS: self.by_channel[(c, "rejected")] + self.by_channel[(c, "failed")],
            }
            for c in channels
        }

    def merge(self, other: PushReport) -> None:
        self.pushed += other.pushed
        self.unchanged += other.unchanged
        self.under_review += other.under_review
        for status, n in other.outcomes.items():
            self.outcomes[status] += n
        self.failed_skus |= other.failed_skus
        self.blocked |= other.blocked
        self.retry += other.retry
        self.reviews += other.reviews
        self.by_channel.update(other.by_channel)


Entry = tuple[QuantityUpdate, ListingModel]


@dataclass
class StockPusher:
    stock: StockRepository
    writers: WriterOpener
    alerts: AlertSink
    clock: Callable[[], datetime]

    def push(self, skus: Iterable[str], *, trigger: str, force: bool = False) -> PushReport:
        """Every listing of these SKUs (the daily push, a person's `stock push`)."""
        items = self.stock.skus(skus)
        listings = [listing for sku in items for listing in self.stock.listings(sku)]
        return self.push_listings(listings, trigger=trigger, force=force, items=items)

    def push_listings(
        self,
        listings: Sequence[ListingModel],
        *,
        trigger: str,
        force: bool = False,
        items: dict[str, SkuModel] | None = None,
    ) -> PushReport:
        report = PushReport()
        items = items if items is not None else self.stock.skus(listing.sku for listing in listings)
        audit: list[StockAuditModel] = []
        by_shop: dict[str, list[Entry]] = defaultdict(list)
        for listing in listings:
            item = items.get(listing.sku) or self.stock.sku(listing.sku)
            if listing.needs_review:
                report.under_review += 1
                continue
            quantity = sellable_for(item, listing.channel)
            version = int(item.version)
            if not force and _already_shown(listing, quantity, version):
                report.unchanged += 1
                if listing.dirty_version is not None:  # nothing to send: the mark is done
                    self.stock.settle(
                        listing, version=version, status="unchanged", detail=f"shows {quantity}"
                    )
                continue
            by_shop[listing.shop_key].append(
                (QuantityUpdate(to_listing(listing), quantity, version), listing)
            )
        for shop_key, entries in by_shop.items():
            self._push_shop(shop_key, entries, trigger, report, audit)
        self.stock.audit_many(audit)
        return report

    def _push_shop(
        self,
        shop_key: str,
        entries: list[Entry],
        trigger: str,
        report: PushReport,
        audit: list[StockAuditModel],
    ) -> None:
        done = 0  # entries whose batch the channel answered
        try:
            writer = self.writers.writer(shop_key)
            for start in range(0, len(entries), writer.max_batch):
                chunk = entries[start : start + writer.max_batch]
                outcomes = writer.push([update for update, _ in chunk])
                done = start + len(chunk)
                self._record(writer, chunk, outcomes, trigger, report, audit, retry_stale=True)
        except ChannelError as exc:
            now = self.clock()
            needs_person = exc.kind in ("auth", "rejected")
            for update, listing in entries[done:]:  # only what the channel did not answer
                report.outcomes["failed"] += 1
                report.by_channel[(listing.channel, "failed")] += 1
                if not needs_person:  # transient: the caller retries; the listing stays marked
                    report.failed_skus.add(update.listing.sku)
                audit.append(self._audit(update, listing, trigger, "failed", str(exc), now))
            if needs_person:
                forget = getattr(self.writers, "forget", None)  # a cached writer holds refused credentials
                if forget is not None:
                    forget(shop_key)
                report.blocked.add(shop_key)
                self.alerts.send(push_blocked_alert(shop_key, exc, len(entries) - done, now), now=now)

    def _audit(
        self,
        update: QuantityUpdate,
        listing: ListingModel,
        trigger: str,
        result: str,
        detail: str,
        now: datetime,
    ) -> StockAuditModel:
        return self.stock.audit_record(
            sku=update.listing.sku,
            channel=listing.channel,
            shop_id=listing.shop_id,
            old=update.listing.last_accepted,
            new=update.quantity,
            version=update.version,
            trigger=trigger,
            result=result,
            detail=detail,
            now=now,
        )

    def _record(
        self,
        writer: Any,
        chunk: Sequence[Entry],
        outcomes: Sequence[PushOutcome],
        trigger: str,
        report: PushReport,
        audit: list[StockAuditModel],
        *,
        retry_stale: bool,
    ) -> None:
        now = self.clock()
        stale: list[tuple[QuantityUpdate, ListingModel, int | None]] = []
        for (update, listing), outcome in zip(chunk, outcomes, strict=True):
            report.outcomes[outcome.status] += 1
            report.by_channel[(listing.channel, outcome.status)] += 1
            if outcome.status == "stale" and retry_stale:
                stale.append((update, listing, outcome.observed))
                continue
            result = outcome.status
            if outcome.status == "accepted":
                report.pushed += 1
                self.stock.accept(
                    listing,
                    quantity=update.quantity,
                    version=update.version,
                    status="accepted",
                    detail=outcome.detail,
                    now=now,
                )
            elif outcome.status == "rejected":
                result = "needs_review"
                self.stock.review(listing, code=outcome.code, reason=outcome.detail, now=now)
                report.reviews.append(Attempt(listing, update, outcome))
            else:  # failed, or stale twice: transient for this item
                report.retry.append(Attempt(listing, update, outcome))
            audit.append(self._audit(update, listing, trigger, result, described(outcome), now))
        if stale:
            # The channel's value moved under us: re-read our SKU, recompute, compare against what it shows.
            items = self.stock.skus(update.listing.sku for update, _, _ in stale)
            retry: list[Entry] = []
            for update, listing, observed in stale:
                item = items[update.listing.sku]
                base = Listing(**{**update.listing.__dict__, "last_accepted": observed})
                retry.append(
                    (QuantityUpdate(base, sellable_for(item, listing.channel), int(item.version)), listing)
                )
            self._record(
                writer,
                retry,
                writer.push([update for update, _ in retry]),
                f"{trigger}:cas-retry",
                report,
                audit,
                retry_stale=False,
            )


def _already_shown(listing: ListingModel, quantity: int, version: int) -> bool:
    """Nothing to send. An unmarked listing: the channel accepted this quantity. A marked one only
    when the channel accepted this very version: a mark may outlive a push the channel applied but
    crossdock never recorded (a crash between the two), so what we recorded is no proof of what it
    shows — the marked quantity is sent again (an absolute set: harmless when it was applied)."""
    if listing.last_quantity is None or int(listing.last_quantity) != quantity:
        return False
    return listing.dirty_version is None or int(listing.last_version) >= version


def described(outcome: PushOutcome) -> str:
    if outcome.code and not outcome.detail.startswith(outcome.code):
        return f"{outcome.code}: {outcome.detail}"
    return outcome.detail


def to_listing(model: ListingModel) -> Listing:
    """The channel-facing view of a stored listing."""
    return Listing(
        sku=model.sku,
        channel=model.channel,
        shop_id=model.shop_id,
        ref=dict(model.ref or {}),
        last_accepted=None if model.last_quantity is None else int(model.last_quantity),
    )


def push_blocked_alert(shop_key: str, exc: ChannelError, count: int, now: datetime) -> Alert:
    channel, _, shop_id = shop_key.partition("#")
    return Alert(
        dedupe_key=f"stock-push-blocked:{shop_key}:{exc.kind}",
        subject=f"Shop {shop_id} ({channel}): stock updates refused ({exc.kind})",
        shop_id=shop_id,
        channel=channel,
        since=now,
        what_happened=f"{channel} refused {count} stock update(s) for this shop: {exc.kind}.",
        what_we_did="Kept the listings marked for their next push; the 5-minute check asks for a flush of "
        "every marked listing once the shop accepts calls again.",
        what_to_do="Re-authorize the shop (or fix its listing ids) — until then this channel may show stock "
        "that was sold elsewhere.",
        details=(str(exc),),
    )
