"""When to look at a parcel again, when it has stalled or expired, and what a buyer is told (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from crossdock.tracking.rules.buyer_zone import buyer_zone
from crossdock.tracking.rules.status import TrackingStatus

if TYPE_CHECKING:
    from crossdock.tracking.rules.parcel import Parcel

H = timedelta(hours=1)

CHECK_EVERY: dict[TrackingStatus, timedelta] = {
    TrackingStatus.PENDING: 3 * H,
    TrackingStatus.INFO_RECEIVED: 6 * H,
    TrackingStatus.IN_TRANSIT: 4 * H,
    TrackingStatus.OUT_FOR_DELIVERY: 1 * H,
    TrackingStatus.DELIVERY_FAILED: 2 * H,
    TrackingStatus.AVAILABLE_FOR_PICKUP: 6 * H,
    TrackingStatus.EXCEPTION: 1 * H,
}


@dataclass(frozen=True)
class TrackingPolicy:
    """The schedule and the patience. `stall_after` may be set per carrier (a sea lane is slower)."""

    check_every: Mapping[TrackingStatus, timedelta] = field(default_factory=lambda: dict(CHECK_EVERY))
    follow_up_every: timedelta = timedelta(minutes=30)  # while every source fails
    escalate_after: timedelta = 2 * H  # no data from any source for this long after the follow-up digest
    stall_after: timedelta = 72 * H
    stall_after_by_carrier: Mapping[str, timedelta] = field(default_factory=dict)
    expire_after: timedelta = timedelta(days=30)
    should_know_after: timedelta = 24 * H  # a source should know a parcel handed over this long ago
    # Kept fresh by push (17TRACK's webhook): a parcel pushed within `push_trusted_for` is polled
    # every `push_check_every` (or at its status's cadence when that is slower); the poll stays the
    # safety net and is back at its normal cadence once `push_trusted_for` passes without a push, so
    # a webhook that breaks costs a parcel at most that long on the slow poll.
    push_check_every: timedelta = 6 * H
    push_trusted_for: timedelta = 24 * H
    # A pushed scan may lie this far in the future of our clock (carrier clocks, zone-less times).
    push_future_skew: timedelta = 1 * H

    def stall_limit(self, carrier: str) -> timedelta:
        return self.stall_after_by_carrier.get(carrier, self.stall_after)

    def next_check(self, parcel: Parcel, now: datetime) -> datetime | None:
        """None: the parcel is delivered or expired, and no longer checked."""
        if parcel.final:
            return None
        if parcel.follow_up_since is not None:
            return now + self.follow_up_every
        normal = now + self.check_every.get(parcel.status, 4 * H)
        if parcel.pushed_at is None:
            return normal
        # Pushed recently: the slow poll, but no later than when the push stops being trusted.
        return max(normal, min(now + self.push_check_every, parcel.pushed_at + self.push_trusted_for))

    def expire_if_silent(self, parcel: Parcel, now: datetime) -> Parcel:
        """30 days without news: the parcel is expired and no longer checked."""
        if parcel.final or now - parcel.last_news_at < self.expire_after:
            return parcel
        return replace(parcel, status=TrackingStatus.EXPIRED, raw_status="crossdock:expired")

    def notice_stall(self, parcel: Parcel, now: datetime) -> Parcel:
        """Flag a parcel with no new scan for its carrier's limit (once per stall: the flag stays
        until a new scan clears it)."""
        if parcel.final or parcel.stalled_since is not None:
            return parcel
        if now - parcel.last_news_at >= self.stall_limit(parcel.carrier):
            return replace(parcel, stalled_since=parcel.last_news_at, stall_reported=False)
        return parcel


_LINES: dict[TrackingStatus, str] = {
    TrackingStatus.PENDING: "Shipping label created; waiting for the carrier's first scan.",
    TrackingStatus.INFO_RECEIVED: "The carrier has the shipment details and is waiting to receive the parcel.",
    TrackingStatus.IN_TRANSIT: "In transit",
    TrackingStatus.OUT_FOR_DELIVERY: "Out for delivery",
    TrackingStatus.DELIVERY_FAILED: "Delivery attempt failed; the carrier will try again or leave a notice",
    TrackingStatus.AVAILABLE_FOR_PICKUP: "Ready for pickup",
    TrackingStatus.DELIVERED: "Delivered",
    TrackingStatus.EXCEPTION: "The carrier reported a problem; our staff are looking into it",
    TrackingStatus.EXPIRED: "No carrier update for 30 days; our staff are following up with the carrier.",
}
FOLLOW_UP_LINE = "Tracking updates are delayed; our staff are following up with the carrier."


def status_line(parcel: Parcel, now: datetime, zone: tzinfo | None = None) -> str:
    """What customer service reads to a buyer: the status, the last scan, and whether staff are on it.
    The scan's time is in the buyer's zone (default: the parcel's shop's zone, else its order's channel's,
    `buyer_zone`), named as the buyer knows it ("JST", "PDT"; "UTC" for a parcel without either)."""
    last = parcel.events[-1] if parcel.events else None
    base = _LINES[parcel.status]
    if last is not None and parcel.status not in (TrackingStatus.PENDING, TrackingStatus.EXPIRED):
        where = f", {last.location}" if last.location else ""
        channel = parcel.order.channel if parcel.order else None
        local = last.at.astimezone(zone or buyer_zone(channel, parcel.shop_time_zone))
        base = (
            f"{base.rstrip('.')} — {last.description}{where} ({local:%d %b %H:%M} {local.tzname() or 'UTC'})."
        )
    if parcel.follow_up_since is not None and not parcel.final:
        return f"{FOLLOW_UP_LINE} Last known: {base}"
    if parcel.stalled_since is not None and not parcel.final:
        days = (now - parcel.stalled_since).days
        return f"No carrier update for {days} days; our staff are following up with the carrier. Last known: {base}"
    return base
