"""The one normalized order model every channel maps into (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any


class OrderStatus(StrEnum):
    PENDING = "pending"  # placed, not paid
    PAID = "paid"  # paid, waiting for shipment
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


# A buyer's note to the seller (gift or delivery instructions) is kept as the channel sent it, cut to
# this many characters (the cut one ends in "…"; the raw payload keeps the whole text). It is untrusted
# text: whatever shows it renders it inert (`crossdock.core.alerts.message.inert`).
MAX_BUYER_NOTE = 1000

# ISO 4217 minor units for currencies that do not use two decimals.
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "HUF": 2, "BHD": 3, "KWD": 3, "JOD": 3}


def minor_units(currency: str) -> int:
    return _MINOR_UNITS.get(currency.upper(), 2)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: str | int | float | Decimal, currency: str) -> Money:
        """Parse a channel amount exactly (floats go through `str`, never binary) and round to the
        currency's minor units (JPY has none)."""
        value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
        exponent = Decimal(1).scaleb(-minor_units(currency))
        return cls(value.quantize(exponent, rounding=ROUND_HALF_UP), currency.upper())

    def to_dict(self) -> dict[str, str]:
        return {"amount": str(self.amount), "currency": self.currency}


@dataclass(frozen=True)
class OrderLine:
    line_id: str
    sku: str
    quantity: int
    unit_price: Money | None = None
    title: str = ""


@dataclass(frozen=True)
class Shipment:
    carrier: str
    tracking_number: str


def bounded_note(text: str) -> str:
    """`text` as received, at most MAX_BUYER_NOTE characters."""
    return text if len(text) <= MAX_BUYER_NOTE else text[: MAX_BUYER_NOTE - 1] + "…"


@dataclass(frozen=True)
class Order:
    """One order in its newest known state. `modified_at` orders versions of the same order.
    `buyer_note` is the buyer's free text to the seller ("" when none or the channel has none).
    `buyer_id` is the channel's id of the buyer's account (eBay `buyer.username`; "" when the
    normalizer does not set it): a platform's erasure request finds the buyer's orders by it."""

    channel: str
    shop_id: str
    order_id: str
    status: OrderStatus
    raw_status: str
    created_at: datetime
    modified_at: datetime
    total: Money | None
    lines: tuple[OrderLine, ...] = ()
    buyer_name: str = ""
    shipments: tuple[Shipment, ...] = ()
    buyer_note: str = ""
    buyer_id: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        for name in ("created_at", "modified_at"):
            value = getattr(self, name)
            if value.tzinfo is None:
                raise ValueError(f"{name} of order {self.order_id} must be timezone-aware")
            object.__setattr__(self, name, value.astimezone(UTC))
        object.__setattr__(self, "buyer_note", bounded_note(self.buyer_note))

    @property
    def shop_key(self) -> str:
        return f"{self.channel}#{self.shop_id}"
