"""Sellable stock: what a channel may show (pure).

sellable = max(0, floor(on_hand × (1 − buffer)) − reserved − min_units), then capped per channel.
The buffer covers counting errors in physical stock, so it is taken from on-hand, not from what is
left after reservations (100 on hand, 95 reserved: 0 offered, never 4).
FBA counts only `fulfillableQuantity`: inbound, reserved, researching and unfulfillable units are
not on hand for selling. Every change to a SKU bumps its version; a push carries the version it was
computed from and is refused on write when a newer one has already been pushed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

DEFAULT_BUFFER = Decimal("0.05")


@dataclass(frozen=True)
class StockPolicy:
    """Buffer, minimum and cap: per SKU, overridable per channel."""

    buffer: Decimal = DEFAULT_BUFFER
    min_units: int = 0
    cap: int | None = None

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.buffer < Decimal(1):
            raise ValueError(f"buffer must be within [0, 1), got {self.buffer}")
        if self.min_units < 0 or (self.cap is not None and self.cap < 0):
            raise ValueError("min_units and cap must not be negative")

    def merged(self, override: dict[str, Any] | None) -> StockPolicy:
        if not override:
            return self
        return StockPolicy(
            buffer=Decimal(str(override.get("buffer", self.buffer))),
            min_units=int(override.get("min_units", self.min_units)),
            cap=override.get("cap", self.cap),
        )


def sellable(on_hand: int, reserved: int, policy: StockPolicy) -> int:
    """Units a channel may offer. Never negative; exact decimal arithmetic (no float rounding up)."""
    counted = math.floor(Decimal(max(0, on_hand)) * (Decimal(1) - policy.buffer))
    quantity = max(0, counted - reserved - policy.min_units)
    if policy.cap is not None:
        quantity = min(quantity, policy.cap)
    return quantity


@dataclass(frozen=True)
class FbaSummary:
    """One FBA inventory summary: only `fulfillable` is sellable; the rest is reported, never counted."""

    seller_sku: str
    fulfillable: int
    inbound: int = 0  # working + shipped + receiving
    reserved: int = 0
    researching: int = 0
    unfulfillable: int = 0
    details: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Listing:
    """How one SKU is listed on one shop of a channel. `ref` holds the channel's own ids:
    amazon {seller_sku, marketplace_id, product_type}; shopify {inventory_item_id, location_id};
    ebay {sku, offer_id}; taobao {num_iid, sku_id}."""

    sku: str
    channel: str
    shop_id: str
    ref: dict[str, str]
    last_accepted: int | None = None  # what the channel last accepted (Shopify's compare value)

    @property
    def key(self) -> str:
        return f"{self.channel}#{self.shop_id}#{self.sku}"


@dataclass(frozen=True)
class QuantityUpdate:
    listing: Listing
    quantity: int
    version: int  # the SKU version the quantity was computed from


@dataclass(frozen=True)
class PushOutcome:
    """What the channel said about one update. `status`: accepted | rejected (permanent per-item
    refusal: the listing or SKU is unknown to the channel or the update is invalid for it — retrying
    cannot help, a person must look) | stale (compare-and-set lost: `observed` is the channel's value)
    | failed (transient, the whole call's or this item's: retry). `code` is the channel's own error
    code when it gave one (eBay errorId, Amazon issue code or FATAL/CANCELLED, Shopify userError code,
    TOP sub_code), for the listing view and the alert."""

    update: QuantityUpdate
    status: str
    detail: str = ""
    observed: int | None = None
    code: str = ""
