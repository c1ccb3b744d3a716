"""The demo seller's sourcing: each stocked SKU with a primary 1688 supplier and three alternates,
and what each offer says on the 1688 sandbox (stock, price, update time and its format).

Three products buy from their primary as usual (one of them, a keyboard, has a 120-minute limit).
Three carry the story:
- SCARF-SILK-90 (the SKU the stock story's race sells out): its primary is served from a cache stuck
  twelve hours ago, still showing 500 on sale though the supplier has sold out since — the loss the
  issue starts from. The gate rejects it (read twice) and the first alternate is chosen.
- PB-10K-BLK: its primary is three hours stale, its first alternate fresh but 12 on sale where 50
  are needed; the second alternate is chosen.
- LAMP-DESK-LED: no supplier is fresh (stale, no update time, five hours stale, 25 minutes in the
  future): "do not reorder — no fresh supplier data", and purchasing gets one alert.

The stock story's orders sell only PB-10K-WHT and SCARF-SILK-90, so the story books two more orders
(PB-10K-BLK and LAMP-DESK-LED) for the suggestion list to have 7-day sales of them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from crossdock_local.demos.orders.shops import SaleLine
from crossdock_local.demos.stock.catalogue import BY_SKU


@dataclass(frozen=True)
class DemoOffer:
    supplier_id: str
    product_id: str
    price: Decimal
    stock: int
    age: timedelta | None  # how old its update time is at set-up; None: the result carries none
    time_format: str = "1688"  # how the sandbox renders the time: 1688, plain, millis, nested
    sku_id: str | None = None  # the offer's SKU our product maps to (a two-variant offer)
    stuck: bool = False  # a stuck cache: served as it is at set-up whatever happens after


@dataclass(frozen=True)
class SourcedProduct:
    sku: str
    offers: tuple[DemoOffer, ...]  # primary first
    reorder_qty: int
    lead_time_days: int = 15  # 1688 to the Shenzhen warehouse, then the sea freight's share
    pack_size: int = 1
    limit_minutes: int | None = None  # None: the default 60


def _offer(
    supplier: str,
    product: str,
    price: str,
    stock: int,
    minutes: float | None,
    *,
    time_format: str = "1688",
    sku_id: str | None = None,
    stuck: bool = False,
) -> DemoOffer:
    """`minutes`: the update time's age at set-up (negative: ahead of now; None: no time)."""
    age = None if minutes is None else timedelta(minutes=minutes)
    return DemoOffer(supplier, product, Decimal(price), stock, age, time_format, sku_id, stuck)


STALE_SKU = "SCARF-SILK-90"
SHORT_SKU = "PB-10K-BLK"
BLOCKED_SKU = "LAMP-DESK-LED"

SOURCING: tuple[SourcedProduct, ...] = (
    SourcedProduct(
        STALE_SKU,
        (
            _offer("hangzhou-wansilk", "610384772051", "38.00", 500, 12 * 60, stuck=True),
            _offer("suzhou-silkroad", "610384772090", "41.50", 180, 7, time_format="plain"),
            _offer("shengze-textile", "610384772133", "43.00", 90, 22, time_format="millis"),
            _offer("huzhou-silk-co", "610384772176", "45.80", 60, 35),
        ),
        reorder_qty=20,
        pack_size=10,
    ),
    SourcedProduct(
        SHORT_SKU,
        (
            _offer("shenzhen-voltcell", "622910458813", "31.20", 800, 3 * 60, time_format="plain"),
            _offer("dongguan-powerup", "622910458860", "30.50", 12, 4, time_format="millis"),
            _offer("huaqiang-energy", "622910458907", "32.90", 400, 11, time_format="nested"),
            _offer("shenzhen-cellmate", "622910458954", "33.60", 250, 16),
        ),
        reorder_qty=50,
        pack_size=10,
    ),
    SourcedProduct(
        BLOCKED_SKU,
        (
            _offer("zhongshan-lumina", "633572019921", "48.00", 300, 95),
            _offer("guzhen-lighting", "633572019968", "46.50", 150, None),
            _offer("ningbo-brightway", "633572020015", "51.00", 220, 5 * 60, time_format="millis"),
            _offer("jiangmen-ledhome", "633572020062", "49.90", 90, -25, time_format="plain"),
        ),
        reorder_qty=20,
    ),
    SourcedProduct(
        "PB-10K-WHT",
        (
            _offer("shenzhen-voltcell", "622910459001", "31.20", 640, 6, sku_id="4731186620041"),
            _offer("dongguan-powerup", "622910459048", "30.80", 300, 9, time_format="millis"),
            _offer("huaqiang-energy", "622910459095", "32.90", 200, 14, time_format="nested"),
            _offer("shenzhen-cellmate", "622910459142", "33.60", 150, 18),
        ),
        reorder_qty=50,
        pack_size=10,
    ),
    SourcedProduct(
        "KB-MINI-68",
        (
            _offer("dongguan-keysmith", "644018367742", "118.00", 80, 95),
            _offer("shenzhen-typecraft", "644018367789", "124.00", 40, 12, time_format="plain"),
            _offer("huizhou-switchworks", "644018367836", "129.00", 30, 26, time_format="millis"),
            _offer("guangzhou-keylab", "644018367883", "131.50", 25, 41),
        ),
        reorder_qty=10,
        limit_minutes=120,  # built to order: the supplier updates stock every two hours at most
    ),
    SourcedProduct(
        "THERMOS-500",
        (
            _offer("yongkang-cupworks", "655203981174", "21.40", 1200, 3, time_format="nested"),
            _offer("yongkang-steelware", "655203981221", "22.10", 900, 17),
            _offer("jinhua-vacuumflask", "655203981268", "22.80", 600, 23, time_format="plain"),
            _offer("wuyi-drinkware", "655203981315", "23.50", 400, 30, time_format="millis"),
        ),
        reorder_qty=40,
    ),
)
BY_SOURCED_SKU = {product.sku: product for product in SOURCING}


def sale(sku: str, quantity: int) -> SaleLine:
    product = BY_SKU[sku]
    return SaleLine(sku, product.title, quantity, product.cny)


# Two buyers' orders the story books (the stock story's orders never sell these SKUs).
SEEDED_ORDERS: tuple[tuple[SaleLine, ...], ...] = (
    (sale(SHORT_SKU, 8), sale(BLOCKED_SKU, 6)),
    (sale(SHORT_SKU, 10), sale(BLOCKED_SKU, 4)),
)
SEED_SHOPS = ("taobao-cn", "shopify-uk", "amazon-jp", "amazon-us", "ebay-de")  # preferred first
