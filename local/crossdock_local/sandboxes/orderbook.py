"""A channel-neutral book of synthetic orders that each sandbox renders in its own wire format.

Seeded and realistic: Chinese and Latin buyer names, product titles in several scripts, several
currencies (JPY without decimals), orders that move through their lifecycle — and keep moving while
a pull is running (`mutate`), which is what makes incremental pulls hard.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from crossdock_local.sandboxes.money import minor_units

BUYERS = [
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨磊",
    "赵敏",
    "黄晓明",
    "周杰",
    "吴婷",
    "田中 太郎",
    "佐藤 花子",
    "김민준",
    "Emma Müller",
    "Jean-Luc Dupont",
    "Olivia Smith",
    "José García",
    "<script>alert('x')</script> Mallory",  # buyer text is untrusted: must stay inert in e-mails
]
PRODUCTS = [
    ("BT-EAR-01", "无线蓝牙耳机 降噪", Decimal("129.00")),
    ("PHONE-CASE-12", "iPhone 15 硅胶手机壳", Decimal("19.90")),
    ("LED-STRIP-5M", "LED灯带 5米 RGB", Decimal("45.50")),
    ("YOGA-MAT-6", "瑜伽垫 加厚 6mm", Decimal("88.00")),
    ("USB-C-CABLE", "USB-C cable 2m braided", Decimal("9.99")),
    ("TEA-OOLONG-250", "安溪铁观音 250g", Decimal("168.00")),
    ("BAG-CANVAS", "キャンバス トートバッグ", Decimal("35.00")),
    ("WATCH-BAND-22", "Uhrenarmband 22 mm Leder", Decimal("24.00")),
]
# Buyer notes to the seller (gift and delivery instructions), untrusted like buyer names: one with an
# emoji, one with markup and a link that must stay inert wherever it is shown. One order in five has
# one (NOTE_ODDS: five entries, always, since its length decides how much of the seeded random stream
# a new order draws); which one rotates with the order's number.
NOTES = (
    "请尽快发货，谢谢！是送朋友的生日礼物，包裹里请不要放价格单 🎁",
    "Please gift-wrap – it's a birthday present. If we're out, leave it with the neighbour at no. 12.",
    "<b>urgent</b> & fragile: pick a delivery slot at https://delivery.example.com/slot?o=1&x=<i>2</i>",
)
NOTE_ODDS = (False, False, False, False, True)
CARRIERS = [("4PX", "4PX30015186{:05d}CN"), ("Yanwen", "UH1838{:05d}YP"), ("YunExpress", "YT23011{:05d}")]
LIFECYCLE = {
    "pending": ["paid", "cancelled"],
    "paid": ["shipped", "refunded"],
    "shipped": ["completed", "refunded"],
}


@dataclass(frozen=True)
class SyntheticLine:
    line_id: str
    sku: str
    title: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class SyntheticOrder:
    order_id: str
    created_at: datetime
    modified_at: datetime
    status: str  # pending | paid | shipped | completed | cancelled | refunded
    currency: str
    buyer_name: str
    lines: tuple[SyntheticLine, ...]
    note: str = ""
    tracking: tuple[str, str] | None = None  # (carrier, number)
    version: int = 1

    @property
    def total(self) -> Decimal:
        exp = Decimal(1).scaleb(-minor_units(self.currency))
        return sum((line.unit_price * line.quantity for line in self.lines), Decimal(0)).quantize(exp)


@dataclass
class OrderBook:
    """One shop's orders. Thread-safe: sandboxes serve concurrently while `mutate` runs."""

    shop: str
    currency: str
    id_format: str = "{n}"  # e.g. "{n:019d}" (Taobao tid), "114-{a:07d}-{b:07d}" is built by the sandbox
    seed: int = 1
    orders: dict[str, SyntheticOrder] = field(default_factory=dict)
    rate_to_cny: Decimal = Decimal("1")

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.shop}:{self.seed}")
        self.lock = threading.RLock()
        self._counter = 0
        self.revision = 0  # bumped on every change, so sandboxes may cache what they derive from the book

    # -- population ----------------------------------------------------------------------------
    def _price(self, cny: Decimal) -> Decimal:
        exp = Decimal(1).scaleb(-minor_units(self.currency))
        return (cny / self.rate_to_cny).quantize(exp)

    def new_order(self, created_at: datetime, *, status: str = "paid") -> SyntheticOrder:
        with self.lock:
            self._counter += 1
            n = self._counter
            order_id = self.id_format.format(n=n, seed=self.seed)
            lines = []
            for i in range(self.rng.choice([1, 1, 1, 2, 2, 3])):
                sku, title, cny = self.rng.choice(PRODUCTS)
                lines.append(
                    SyntheticLine(
                        f"{order_id}-{i + 1}", sku, title, self.rng.choice([1, 1, 2, 3]), self._price(cny)
                    )
                )
            order = SyntheticOrder(
                order_id=order_id,
                created_at=created_at,
                modified_at=created_at,
                status=status,
                currency=self.currency,
                buyer_name=self.rng.choice(BUYERS),
                lines=tuple(lines),
                note=NOTES[n % len(NOTES)] if self.rng.choice(NOTE_ODDS) else "",
            )
            if status in ("shipped", "completed"):
                order = replace(order, tracking=self._tracking(n))
            self.orders[order_id] = order
            self.revision += 1
            return order

    def _tracking(self, n: int) -> tuple[str, str]:
        carrier, fmt = self.rng.choice(CARRIERS)
        return carrier, fmt.format(n % 100000)

    def populate(self, count: int, *, start: datetime, end: datetime) -> None:
        """`count` orders created uniformly in [start, end), some already further along."""
        span = (end - start).total_seconds()
        for _ in range(count):
            created = start + timedelta(seconds=self.rng.random() * span)
            status = self.rng.choices(["pending", "paid", "shipped", "completed"], [1, 5, 3, 2])[0]
            order = self.new_order(created, status=status)
            modified = min(end, created + timedelta(minutes=self.rng.randint(0, 600)))
            self.orders[order.order_id] = replace(order, modified_at=max(modified, created))
            self.revision += 1

    # -- change while pulls run -------------------------------------------------------------------
    def mutate(self, count: int, *, now: datetime | None = None) -> list[SyntheticOrder]:
        """Move `count` random open orders one lifecycle step, or create new ones, stamped `now`."""
        now = now or datetime.now(UTC)
        changed = []
        with self.lock:
            open_ids = [oid for oid, o in self.orders.items() if o.status in LIFECYCLE]
            for _ in range(count):
                if not open_ids or self.rng.random() < 0.3:
                    changed.append(self.new_order(now, status="pending"))
                    continue
                oid = self.rng.choice(open_ids)
                order = self.orders[oid]
                if order.status not in LIFECYCLE:
                    continue
                nxt = self.rng.choices(LIFECYCLE[order.status], [9, 1])[0]
                updated = replace(
                    order,
                    status=nxt,
                    modified_at=max(now, order.modified_at + timedelta(seconds=1)),
                    version=order.version + 1,
                )
                if nxt == "shipped":
                    updated = replace(updated, tracking=self._tracking(self.rng.randint(0, 99999)))
                self.orders[oid] = updated
                self.revision += 1
                changed.append(updated)
        return changed

    # -- queries the sandboxes use -----------------------------------------------------------------
    def modified_between(
        self, start: datetime, end: datetime, *, newest_first: bool = False
    ) -> list[SyntheticOrder]:
        """Orders whose modified time is in [start, end] (both inclusive, as the channels document)."""
        with self.lock:
            found = [o for o in self.orders.values() if start <= o.modified_at <= end]
        found.sort(key=lambda o: (o.modified_at, o.order_id), reverse=newest_first)
        return found

    def get(self, order_id: str) -> SyntheticOrder | None:
        with self.lock:
            return self.orders.get(order_id)

    def snapshot(self) -> dict[str, SyntheticOrder]:
        with self.lock:
            return dict(self.orders)
