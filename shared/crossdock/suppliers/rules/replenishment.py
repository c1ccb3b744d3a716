"""Replenishment: how many units of a SKU to buy today (pure).

velocity = units sold in the last 7 days ÷ 7 (per day). The stock we hold or have coming must last
until a purchase placed today arrives (lead time), until the next review (review days) and a little
longer (safety days): target = ⌈velocity × (lead + review + safety)⌉. What we have is sellable stock
(on hand − reserved, never below 0) plus inbound; the suggestion is the shortfall, rounded UP to
whole supplier packs. Nothing sold in 7 days → no suggestion: a SKU without recent demand is a
person's decision, not a formula's. Integer arithmetic throughout, so a boundary never flips on a
float rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

WINDOW_DAYS = 7
_CENTS = Decimal("0.01")
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class StockPosition:
    """A SKU's stock as replenishment sees it: all warehouses summed, FBA inbound as `inbound`."""

    sku: str
    on_hand: int
    reserved: int
    inbound: int

    @property
    def available(self) -> int:
        """Sellable now; an oversold SKU (reserved > on hand) has nothing, not a negative amount."""
        return max(0, self.on_hand - self.reserved)


@dataclass(frozen=True)
class ReorderPolicy:
    review_days: int = 7  # a suggestion list runs daily, but a SKU is bought about once a week
    safety_days: int = 3

    def __post_init__(self) -> None:
        if self.review_days < 0 or self.safety_days < 0:
            raise ValueError("review_days and safety_days must not be negative")


@dataclass(frozen=True)
class Suggestion:
    sku: str
    quantity: int  # a multiple of the pack size, > 0
    velocity: Decimal  # units per day, 2 places
    cover_days_left: Decimal | None  # (available + inbound) ÷ velocity, 1 place rounded down
    target: int  # units that must be held or coming to last lead + review + safety days
    reason: str
    sold_7d: int = 0
    available: int = 0
    inbound: int = 0


def velocity_of(sold_7d: int) -> Decimal:
    return (Decimal(sold_7d) / WINDOW_DAYS).quantize(_CENTS, rounding=ROUND_HALF_UP)


def cover_days(have: int, sold_7d: int) -> Decimal | None:
    """Days the stock lasts at the 7-day rate (rounded down: never promise more than there is)."""
    if sold_7d <= 0:
        return None
    return (Decimal(max(0, have) * WINDOW_DAYS) / sold_7d).quantize(_TENTH, rounding=ROUND_DOWN)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def suggest(
    sku: str,
    sold_7d: int,
    position: StockPosition,
    *,
    lead_time_days: int,
    pack_size: int = 1,
    policy: ReorderPolicy = ReorderPolicy(),  # frozen: one shared default is safe
) -> Suggestion | None:
    """The purchase suggestion for one SKU, or None when its stock and inbound already cover it."""
    if lead_time_days < 0:
        raise ValueError(f"lead time must not be negative, got {lead_time_days}")
    if pack_size < 1:
        raise ValueError(f"pack size must be at least 1, got {pack_size}")
    if sold_7d <= 0:
        return None
    horizon = lead_time_days + policy.review_days + policy.safety_days
    target = _ceil_div(sold_7d * horizon, WINDOW_DAYS)  # ⌈sold/7 × horizon⌉ without a fraction
    available, inbound = position.available, max(0, position.inbound)
    shortfall = target - (available + inbound)
    if shortfall <= 0:
        return None
    quantity = _ceil_div(shortfall, pack_size) * pack_size
    cover = cover_days(available + inbound, sold_7d)
    rate = (Decimal(sold_7d) / WINDOW_DAYS).quantize(_TENTH, rounding=ROUND_HALF_UP)
    reason = (
        f"sold {sold_7d} in {WINDOW_DAYS} days ({rate}/day); "
        f"{available} available + {inbound} inbound cover {cover} days; lead time {lead_time_days} days"
    )
    return Suggestion(
        sku=sku,
        quantity=quantity,
        velocity=velocity_of(sold_7d),
        cover_days_left=cover,
        target=target,
        reason=reason,
        sold_7d=sold_7d,
        available=available,
        inbound=inbound,
    )
