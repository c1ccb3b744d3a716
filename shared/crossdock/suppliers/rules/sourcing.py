"""The sourcing catalog's rules and the verdict on one supplier offer (pure, no I/O).

Each product has a primary supplier and up to three alternates, in priority order, and a freshness
limit: 60 minutes unless configured, never above 120 (supplier data older than two hours is never used,
however special the goods). An offer is usable only if its update time passes the freshness gate, it
states its stock, that stock covers the reorder quantity, and the offer is on sale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from crossdock.core.times import iso_z
from crossdock.suppliers.rules.freshness import Rejection, check_freshness, describe_age, parse_supplier_time

if TYPE_CHECKING:  # the port's value type only; the domain imports no adapter at run time
    from crossdock.suppliers.rules.offers import SupplierOffer

T = TypeVar("T")
DEFAULT_LIMIT = timedelta(minutes=60)
MAX_LIMIT = timedelta(minutes=120)
MAX_SUPPLIERS = 4  # one primary and up to three alternates
BLOCKED_LINE = "do not reorder — no fresh supplier data"

SHORT_OF_STOCK = "short_of_stock"  # fresh, but fewer on sale than the reorder quantity
QUOTA = "quota"  # the platform's call quota is used up (1688 gw.NoUsageLeftError)
AUTH = "auth"  # our credentials for the platform were refused
UNAVAILABLE = "unavailable"  # offer not published, unknown, without a stock figure, or the read failed
REASONS = frozenset({*(r.value for r in Rejection), SHORT_OF_STOCK, QUOTA, AUTH, UNAVAILABLE})
PUBLISHED = ("published", "")  # "" = the platform stated no status


class SourcingConfigError(ValueError):
    """A catalog entry that breaks the sourcing rules; the message says which and why."""


def freshness_limit(minutes: int | None) -> timedelta:
    """The product's freshness limit: the default 60 minutes when none is configured."""
    if minutes is None:
        return DEFAULT_LIMIT
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise SourcingConfigError(f"freshness limit must be a whole number of minutes, got {minutes!r}")
    if minutes <= 0:
        raise SourcingConfigError(f"freshness limit of {minutes} minutes must be positive")
    if timedelta(minutes=minutes) > MAX_LIMIT:
        raise SourcingConfigError(
            f"freshness limit of {minutes} minutes is above the 120-minute maximum:"
            " supplier data older than 2 hours is never used"
        )
    return timedelta(minutes=minutes)


@dataclass(frozen=True)
class SupplierLink:
    """One supplier offer a product can be bought from; the lowest `priority` is the primary."""

    supplier_id: str
    platform: str  # "1688"
    product_id: str
    sku_id: str | None  # the offer's SKU our product maps to, None for a single-SKU offer
    priority: int

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.supplier_id, self.product_id, self.sku_id)


@dataclass(frozen=True)
class SourcingEntry:
    sku: str
    suppliers: tuple[SupplierLink, ...]
    limit: timedelta
    lead_time_days: int = 7
    pack_size: int = 1

    def __post_init__(self) -> None:
        _check_entry(self)

    @classmethod
    def create(
        cls,
        sku: str,
        suppliers: Iterable[SupplierLink],
        *,
        limit_minutes: int | None = None,
        lead_time_days: int = 7,
        pack_size: int = 1,
    ) -> SourcingEntry:
        """A validated entry; raises SourcingConfigError with the rule broken."""
        links = tuple(suppliers)
        return cls(sku.strip(), links, freshness_limit(limit_minutes), lead_time_days, pack_size)

    def ordered(self) -> tuple[SupplierLink, ...]:
        """Primary first, then the alternates in priority order."""
        return tuple(sorted(self.suppliers, key=lambda link: link.priority))

    @property
    def primary(self) -> SupplierLink:
        return self.ordered()[0]


def _check_entry(entry: SourcingEntry) -> None:
    sku, links = entry.sku, entry.suppliers
    if not sku or sku != sku.strip():
        raise SourcingConfigError(f"product SKU {sku!r} must be non-empty, without surrounding spaces")
    if not 1 <= len(links) <= MAX_SUPPLIERS:
        raise SourcingConfigError(
            f"{sku}: {len(links)} suppliers given; a product has one primary and up to 3 alternates (1–4)"
        )
    for link in links:
        if not (link.supplier_id and link.platform and link.product_id) or link.sku_id == "":
            raise SourcingConfigError(f"{sku}: supplier, platform and offer id are required, in {link}")
    if (twice := _repeat([x.priority for x in links])) is not None:
        raise SourcingConfigError(f"{sku}: priority {twice} is given twice; each supplier needs its own")
    if (same := _repeat([x.key for x in links])) is not None:
        offer = f"{same[0]} offer {same[1]}" + (f" sku {same[2]}" if same[2] else "")
        raise SourcingConfigError(f"{sku}: {offer} is listed twice")
    if not timedelta(0) < entry.limit <= MAX_LIMIT:
        raise SourcingConfigError(f"{sku}: freshness limit {entry.limit} is outside (0, 120 min]")
    if entry.lead_time_days < 0 or entry.pack_size < 1:
        raise SourcingConfigError(f"{sku}: lead time must be ≥ 0 days and pack size ≥ 1")


def _repeat(values: list[T]) -> T | None:
    return next((v for i, v in enumerate(values) if v in values[:i]), None)


@dataclass(frozen=True)
class Rejected:
    """A candidate offer not used, and why (`reason` is one of REASONS); age and update time when known."""

    supplier_id: str
    product_id: str
    reason: str
    detail: str = ""
    age: timedelta | None = None
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.reason not in REASONS:
            raise ValueError(f"unknown rejection reason {self.reason!r}; one of {sorted(REASONS)}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "supplier_id": self.supplier_id,
            "product_id": self.product_id,
            "reason": str(self.reason),
            "detail": self.detail,
            "updated_at": iso_z(self.updated_at, millis=True) if self.updated_at else None,
            "age_seconds": self.age.total_seconds() if self.age is not None else None,
        }


def judge_offer(offer: SupplierOffer, *, need: int, now: datetime, limit: timedelta) -> Rejected | None:
    """None when the offer can be bought from for `need` units; else why not. Freshness comes first:
    stock figures from stale data are not evidence. An offer off sale is unavailable whatever its stock
    says (so purchasing does not wait for a restock that will not come)."""
    if need < 0:
        raise ValueError(f"reorder quantity {need} is negative")
    gate = check_freshness(offer.updated_raw, now=now, limit=limit)

    def rejected(reason: str, detail: str) -> Rejected:
        ref = offer.ref
        return Rejected(ref.supplier_id, ref.product_id, reason, detail, gate.age, gate.updated_at)

    if gate.reason is not None:
        return rejected(gate.reason.value, gate.detail)
    if offer.status.strip().lower() not in PUBLISHED:
        return rejected(UNAVAILABLE, f"offer status is {offer.status!r}, not published")
    if offer.stock is None:
        return rejected(UNAVAILABLE, "the offer states no stock figure")
    if offer.stock < need:
        return rejected(SHORT_OF_STOCK, f"{offer.stock} on sale, {need} needed")
    return None


@dataclass(frozen=True)
class Decision:
    """Which supplier a product's reorder goes to, on what evidence, and every candidate turned down."""

    sku: str
    decided_at: datetime
    need: int
    chosen: SupplierOffer | None
    chosen_age: timedelta | None
    chosen_updated_at: datetime | None
    rejected: tuple[Rejected, ...]
    chosen_platform: str = ""  # "1688": the offer itself does not say which platform it came from

    @classmethod
    def of(
        cls,
        sku: str,
        *,
        now: datetime,
        need: int,
        chosen: SupplierOffer | None,
        rejected: Iterable[Rejected],
        platform: str = "",
    ) -> Decision:
        """The decision, with the chosen offer's update time and age worked out from its raw time."""
        updated = parse_supplier_time(chosen.updated_raw) if chosen else None
        age = max(now - updated, timedelta(0)) if updated else None
        return cls(sku, now, need, chosen, age, updated, tuple(rejected), platform if chosen else "")

    @property
    def blocked(self) -> bool:
        return self.chosen is None

    def summary(self) -> str:
        """One line for purchasing."""
        turned_down = "; rejected: " + ", ".join(_rejections(self)) if self.rejected else ""
        if self.chosen is None:
            return f"{self.sku}: {BLOCKED_LINE}{turned_down or '; no supplier offer was read'}"
        ref, age = self.chosen.ref, self.chosen_age
        where = " ".join(p for p in (self.chosen_platform, ref.supplier_id, "offer", ref.product_id) if p)
        where += f" sku {ref.sku_id}" if ref.sku_id else ""
        price = f"¥{_money(self.chosen.price)}" if self.chosen.price is not None else "an unknown price"
        data = f"data {describe_age(age)} old" if age is not None else "data age unknown"
        return f"{self.sku}: {where} — {self.chosen.stock} on sale at {price}, {data}{turned_down}"

    def to_dict(self) -> dict[str, Any]:
        """The decision record, JSON-safe: prices as strings, times as ISO 8601 UTC with a Z."""
        chosen = self.chosen
        return {
            "sku": self.sku,
            "decided_at": iso_z(self.decided_at, millis=True),
            "need": self.need,
            "blocked": self.blocked,
            "summary": self.summary(),
            "chosen": None
            if chosen is None
            else {
                "platform": self.chosen_platform,
                "supplier_id": chosen.ref.supplier_id,
                "product_id": chosen.ref.product_id,
                "sku_id": chosen.ref.sku_id,
                "stock": chosen.stock,
                "price": str(chosen.price) if chosen.price is not None else None,
                "status": chosen.status,
                "updated_raw": chosen.updated_raw,
                "updated_at": iso_z(self.chosen_updated_at, millis=True) if self.chosen_updated_at else None,
                "age_seconds": self.chosen_age.total_seconds() if self.chosen_age is not None else None,
            },
            "rejected": [r.to_dict() for r in self.rejected],
        }


def _rejections(decision: Decision) -> list[str]:
    """Each candidate once, in the order first read, as last judged, with how often it was read when
    retried; a supplier with several offers in play is named with the offer."""
    last: dict[tuple[str, str], Rejected] = {}
    reads: dict[tuple[str, str], int] = {}
    for r in decision.rejected:
        key = (r.supplier_id, r.product_id)
        last[key], reads[key] = r, reads.get(key, 0) + 1
    offers = [*last, *([(c.ref.supplier_id, c.ref.product_id)] if (c := decision.chosen) else [])]
    parts = []
    for (supplier, product), r in last.items():
        label = supplier if sum(s == supplier for s, _ in offers) == 1 else f"{supplier} offer {product}"
        notes = [str(r.reason), _note(r)] + (
            [f"{reads[supplier, product]} reads"] if reads[supplier, product] > 1 else []
        )
        parts.append(f"{label} ({', '.join(n for n in notes if n)})")
    return parts


def _note(r: Rejected) -> str:
    if r.reason == Rejection.STALE and r.age is not None:
        return f"{describe_age(r.age)} old"
    if r.reason in (Rejection.MISSING, Rejection.FUTURE):
        return ""  # the reason says it all in a summary line; the record keeps the detail
    return r.detail if len(r.detail) <= 60 else r.detail[:57] + "..."


def _money(price: Decimal) -> str:
    """At least two decimals (¥23.50), more when the platform gave them (¥0.125)."""
    exponent = price.as_tuple().exponent
    return str(price) if isinstance(exponent, int) and exponent < -2 else str(price.quantize(Decimal("0.01")))
