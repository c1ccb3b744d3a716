"""What the HTML report shows, as plain data: gathered from the stores (`gather.py`), drawn by a pure
function (`render.py`). Times are UTC; the page shows them in the operator's zone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

SLOT = timedelta(minutes=15)  # orders are counted per UTC quarter-hour: any zone's hours are whole slots


@dataclass(frozen=True)
class ShopFigures:
    """One shop as its registry item holds it: state, the current checkpoint lag, its last run."""

    shop_id: str
    name: str  # the display name (free text: CJK, emoji, markup — escaped where shown)
    channel: str
    state: str  # ok | degraded | auth_blocked | failing | disabled | new
    checkpoint: datetime | None = None
    lag_seconds: float | None = None  # now − checkpoint: only the current lag is stored, no history
    last_run_at: datetime | None = None
    last_run_orders: int = 0  # orders the last run read (new + updated + unchanged)
    last_run_calls: dict[str, int] = field(default_factory=dict)  # attempts per operation
    minimum_calls: int | None = None  # fewest listing calls for those orders (the channel's page size)

    @property
    def label(self) -> str:
        return self.shop_id if self.name in ("", self.shop_id) else f"{self.name} ({self.shop_id})"

    @property
    def calls(self) -> int:
        return sum(self.last_run_calls.values())


@dataclass(frozen=True)
class OrderSlot:
    """Orders a shop's buyers placed in one quarter-hour (`start`, UTC)."""

    shop_id: str
    start: datetime
    orders: int


@dataclass(frozen=True)
class ChannelStock:
    """Per channel, summed over its listings: what crossdock computes as sellable now beside what the
    channel last accepted (shown)."""

    channel: str
    listings: int = 0
    sellable: int = 0
    shown: int = 0
    agreeing: int = 0  # listings showing exactly their sellable quantity
    never_accepted: int = 0  # listings the channel has not accepted a quantity for yet
    waiting: int = 0  # a change waits for its flush
    needs_review: int = 0  # refused for good: a person must look


@dataclass(frozen=True)
class SourceFigures:
    """One tracking source's answers over the report's period, and whether it is demoted now."""

    source: str
    answers: int = 0
    good: int = 0
    silent: int = 0
    calls: int = 0
    failed_calls: int = 0
    demoted_since: datetime | None = None


@dataclass(frozen=True)
class SupplierAge:
    """A product's last supplier check: how old the data it stood on was, against its limit."""

    sku: str
    status: str  # ok | blocked | unchecked
    offer: str  # the chosen supplier offer, or the youngest rejected one when blocked
    age_seconds: float | None
    limit_seconds: float
    decided_at: datetime | None = None


@dataclass(frozen=True)
class ReportData:
    generated_at: datetime
    since: datetime
    shops: tuple[ShopFigures, ...] = ()
    order_slots: tuple[OrderSlot, ...] = ()
    stock: tuple[ChannelStock, ...] = ()
    tracking_statuses: Mapping[str, int] = field(default_factory=dict)  # parcels per status, now
    tracking_attention: Mapping[str, int] = field(default_factory=dict)  # follow-up / stalled counts
    sources: tuple[SourceFigures, ...] = ()
    suppliers: tuple[SupplierAge, ...] = ()
