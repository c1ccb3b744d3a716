"""Push sellable stock to every channel a SKU is listed on, with each channel's bulk API.

For each SKU: read it once, compute the sellable quantity per listing (never above what is
sellable now), and send only what differs from what the channel last accepted (or everything on a
forced full push). Updates are grouped per shop and sent in the channel's largest batches. A
compare-and-set loss (Shopify) is re-read, recomputed and retried once — never a blind overwrite.
What the channel accepted is recorded only if no newer SKU version was recorded meanwhile, and
every push lands in the audit trail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from crossdock.adapters.errors import ChannelError
from crossdock.alerts.message import Alert
from crossdock.domain.stock import Listing, PushOutcome, QuantityUpdate, StockPolicy, sellable
from crossdock.storage.stock import StockRepository
from crossdock.storage.stock_models import ListingModel, SkuModel
from crossdock.usecases.ports import AlertSink


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


@dataclass
class PushReport:
    pushed: int = 0
    unchanged: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failed_skus: set[str] = field(default_factory=set)
    rejected: list[str] = field(default_factory=list)


@dataclass
class StockPusher:
    stock: StockRepository
    writers: WriterOpener
    alerts: AlertSink
    clock: Callable[[], datetime]

    def push(self, skus: Iterable[str], *, trigger: str, force: bool = False) -> PushReport:
        report = PushReport()
        by_shop: dict[str, list[tuple[QuantityUpdate, ListingModel, int | None]]] = defaultdict(list)
        for sku in dict.fromkeys(skus):
            item = self.stock.sku(sku)
            for listing in self.stock.listings(sku):
                quantity = sellable_for(item, listing.channel)
                if not force and listing.last_quantity == quantity:
                    report.unchanged += 1
                    continue
                update = QuantityUpdate(to_listing(listing), quantity, int(item.version))
                last = None if listing.last_quantity is None else int(listing.last_quantity)
                by_shop[listing.shop_key].append((update, listing, last))
        for shop_key, entries in by_shop.items():
            self._push_shop(shop_key, entries, trigger, report)
        return report

    def _push_shop(
        self,
        shop_key: str,
        entries: list[tuple[QuantityUpdate, ListingModel, int | None]],
        trigger: str,
        report: PushReport,
    ) -> None:
        done = 0  # entries whose batch the channel answered
        try:
            writer = self.writers.writer(shop_key)
            for start in range(0, len(entries), writer.max_batch):
                chunk = entries[start : start + writer.max_batch]
                outcomes = writer.push([u for u, _, _ in chunk])
                done = start + len(chunk)
                self._record(writer, chunk, outcomes, trigger, report, retry_stale=True)
        except ChannelError as exc:
            now = self.clock()
            needs_person = exc.kind in ("auth", "rejected")
            for update, listing, old in entries[done:]:  # only what the channel did not answer
                if not needs_person:  # transient: the SQS record is retried; otherwise the 5-minute
                    report.failed_skus.add(update.listing.sku)  # drift check re-sends once fixed
                report.outcomes["failed"] += 1
                self._audit(update, listing, old, trigger, "failed", str(exc), now)
            if needs_person:
                self.alerts.send(push_blocked_alert(shop_key, exc, len(entries) - done, now), now=now)

    def _audit(
        self,
        update: QuantityUpdate,
        listing: ListingModel,
        old: int | None,
        trigger: str,
        result: str,
        detail: str,
        now: datetime,
    ) -> None:
        self.stock.audit(
            sku=update.listing.sku,
            channel=listing.channel,
            shop_id=listing.shop_id,
            old=old,
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
        chunk: Sequence[tuple[QuantityUpdate, ListingModel, int | None]],
        outcomes: Sequence[PushOutcome],
        trigger: str,
        report: PushReport,
        *,
        retry_stale: bool,
    ) -> None:
        now = self.clock()
        stale: list[tuple[QuantityUpdate, ListingModel, int | None]] = []
        for (update, listing, old), outcome in zip(chunk, outcomes, strict=True):
            report.outcomes[outcome.status] += 1
            if outcome.status == "stale" and retry_stale:
                stale.append((update, listing, outcome.observed))
                continue
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
            else:
                self.stock.note(listing, status=outcome.status, detail=outcome.detail)
                if outcome.status == "rejected":
                    report.rejected.append(
                        f"{listing.channel} {listing.shop_id} {update.listing.sku}: {outcome.detail}"
                    )
                else:
                    report.failed_skus.add(update.listing.sku)
            self._audit(update, listing, old, trigger, outcome.status, outcome.detail, now)
        if stale:
            # The channel's value moved under us: re-read our SKU, recompute, compare against what it shows.
            retry = []
            for update, listing, observed in stale:
                item = self.stock.sku(update.listing.sku)
                base = Listing(**{**update.listing.__dict__, "last_accepted": observed})
                retry.append(
                    (
                        QuantityUpdate(base, sellable_for(item, listing.channel), int(item.version)),
                        listing,
                        observed,
                    )
                )
            self._record(
                writer,
                retry,
                writer.push([u for u, _, _ in retry]),
                f"{trigger}:cas-retry",
                report,
                retry_stale=False,
            )
        if report.rejected:
            self.alerts.send(rejected_alert(report.rejected, now), now=now)


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
        what_we_did="Kept the last accepted quantities on record; the 5-minute check re-sends every SKU whose "
        "channel quantity differs from what is sellable once the shop accepts calls again.",
        what_to_do="Re-authorize the shop (or fix its listing ids) — until then this channel may show stock "
        "that was sold elsewhere.",
        details=(str(exc),),
    )


def rejected_alert(lines: list[str], now: datetime) -> Alert:
    return Alert(
        dedupe_key=f"stock-rejected:{now:%Y-%m-%dT%H}",
        subject=f"{len(lines)} stock update(s) rejected by channels",
        shop_id="(several)",
        channel="(several)",
        since=now,
        what_happened="Channels refused these quantity updates for the listing itself (not a temporary fault).",
        what_we_did="Recorded the refusal in the push history (`crossdock stock history SKU`); other SKUs went through.",
        what_to_do="Check each listing's ids and state on the channel (deleted offer, unpublished listing, "
        "SKU not stocked at the location).",
        details=tuple(lines),
    )
