"""What the operations room shows: plain dataclasses, one per section of the status screen and the
daily digest (the CLI's `--json` keys are these fields' names)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ShopLine:
    shop_id: str
    channel: str
    state: str  # ok | degraded | auth_blocked | failing | disabled | new
    checkpoint: datetime | None
    lag_seconds: float | None
    last_error: str | None
    last_run: dict[str, Any]
    totals: dict[str, Any]
    orders: int | None = None  # orders placed within the window (None: not read)

    @property
    def last_outcome(self) -> str:
        return str(self.last_run.get("outcome") or "—")


@dataclass(frozen=True)
class ListingIssue:
    sku: str
    shop_id: str
    channel: str
    shown: int | None  # what the channel last accepted
    sellable: int
    detail: str = ""


@dataclass(frozen=True)
class StockAgreement:
    listings: int = 0
    agreeing: int = 0
    over_offered: tuple[ListingIssue, ...] = ()  # the channel shows more than is sellable now
    under_offered: int = 0  # shows less (costs sales, never oversells)
    needs_review: tuple[ListingIssue, ...] = ()  # a channel refused for good: pushes stopped
    pending_marks: int = 0  # changes waiting for their shop's flush
    oldest_mark_at: datetime | None = None
    read_back_drift: int = 0  # listings whose last read-backs disagreed with what was accepted
    pushes: int = 0  # within the window (audit trail)
    refusals: int = 0
    failures: int = 0


@dataclass(frozen=True)
class ParcelIssue:
    parcel_key: str
    shop_id: str
    status: str
    since: datetime


@dataclass(frozen=True)
class SourceLine:
    source: str
    answers: int
    silent: int
    demoted_since: datetime | None

    @property
    def silent_rate(self) -> float:
        return self.silent / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class TrackingIncidents:
    parcels: int = 0  # parcels still being tracked
    stalled: tuple[ParcelIssue, ...] = ()
    follow_up: tuple[ParcelIssue, ...] = ()  # no source answers for them
    sources: tuple[SourceLine, ...] = ()  # answers within the last day, demotions now


@dataclass(frozen=True)
class BlockedProduct:
    sku: str
    since: datetime | None
    summary: str


@dataclass(frozen=True)
class QueueDepth:
    queue: str  # the queue's logical id
    variable: str  # the environment variable naming its dead-letter queue
    depth: int | None  # None: unknown (variable missing or the queue could not be read)
    note: str = ""


@dataclass(frozen=True)
class AlertLine:
    sent_at: datetime
    topic: str  # alerts | reports
    subject: str
    key: str


@dataclass(frozen=True)
class Health:
    level: str  # ok | attention | action needed
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    taken_at: datetime
    since: datetime  # the window of the figures that count events (orders, pushes, alerts)
    shops: tuple[ShopLine, ...]
    stock: StockAgreement
    tracking: TrackingIncidents
    blocked: tuple[BlockedProduct, ...]
    dead_letters: tuple[QueueDepth, ...]
    alerts: tuple[AlertLine, ...]
    health: Health = field(default_factory=lambda: Health("ok"))
