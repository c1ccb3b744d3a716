"""The demo seller's stocked range: seven SKUs crossdock keeps stock for, the shops they are listed on,
the own-warehouse counts the seller imports, the FBA stock Amazon holds, and the story's orders.

The books' everyday orders sell the order book's own products (BT-EAR-01, …), which crossdock keeps
no stock for: the stock ledger counts their lines as unmanaged. Only the story's orders sell
stocked SKUs, so every reservation in the run is one the story can account for.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from crossdock_local.demos.orders.shops import SaleLine


@dataclass(frozen=True)
class StockedProduct:
    sku: str
    title: str
    cny: Decimal
    own: tuple[tuple[str, int], ...]  # own warehouse → units on hand (the imported file's rows)
    shown_before: int  # what every channel showed before crossdock managed the SKU


STOCKED: tuple[StockedProduct, ...] = (
    StockedProduct("PB-10K-WHT", "充电宝 10000mAh 白色", Decimal("99.00"), (("SZ-01", 120),), 200),
    StockedProduct("PB-10K-BLK", "充电宝 10000mAh 黑色", Decimal("99.00"), (("SZ-01", 60),), 200),
    StockedProduct("KB-MINI-68", "Mechanical keyboard, 68 keys", Decimal("259.00"), (("SZ-01", 40),), 15),
    StockedProduct(
        "LAMP-DESK-LED", "LED デスクライト", Decimal("149.00"), (("SZ-01", 25), ("UK-01", 10)), 50
    ),
    StockedProduct("SCARF-SILK-90", "真丝方巾 90cm", Decimal("199.00"), (("SZ-01", 4),), 12),
    StockedProduct("THERMOS-500", "Thermosflasche 500 ml", Decimal("79.00"), (("SZ-01", 200),), 100),
    StockedProduct("CABLE-USBC-1M", "USB-C cable 1 m", Decimal("19.00"), (("SZ-01", 80),), 30),
)
BY_SKU = {product.sku: product for product in STOCKED}

LISTED_ON = ("amazon-us", "shopify-uk", "ebay-de", "taobao-cn")  # every stocked SKU, on every one
WATCHED = ("amazon-us", "shopify-uk", "ebay-de")  # the channels whose latency the story measures

CAPPED = ("THERMOS-500", "ebay", 20)  # the seller never offers more than 20 on eBay

FBA_SHOP = "amazon-us"
FBA_SKU = "KB-MINI-68"


@dataclass(frozen=True)
class FbaCounts:
    """What Amazon's warehouses hold of FBA_SKU: only `fulfillable` may be sold."""

    fulfillable: int
    inbound_working: int
    inbound_shipped: int
    inbound_receiving: int
    reserved: int


FBA_START = FbaCounts(fulfillable=30, inbound_working=5, inbound_shipped=4, inbound_receiving=3, reserved=3)
FBA_RECEIPT = replace(FBA_START, fulfillable=33, inbound_receiving=0)  # the 3 being received are shelved

SALE = SaleLine("PB-10K-WHT", BY_SKU["PB-10K-WHT"].title, 2, BY_SKU["PB-10K-WHT"].cny)
# (e) a sale that reaches crossdock by Shopify's webhook (the shop is subscribed), not by the pull
NOTIFIED_SALE = SaleLine("CABLE-USBC-1M", BY_SKU["CABLE-USBC-1M"].title, 1, BY_SKU["CABLE-USBC-1M"].cny)
NOTIFIED_SALE_SHOP = "shopify-uk"
SALE_SHOPS = ("taobao-cn", "amazon-jp", "shopify-uk", "ebay-de", "amazon-us")  # preferred first
RACE_SKU = "SCARF-SILK-90"  # 4 on hand: every channel shows 3 (5 % buffer), two buyers take 3 each
RACE_QUANTITY = 3
RACE_SHOPS = ("taobao-cn", "shopify-uk", "ebay-de", "amazon-jp", "amazon-us")


def stock_file() -> str:
    """The seller's stock file, as `crossdock stock import` reads it."""
    rows = [f"{p.sku},{warehouse},{units}" for p in STOCKED for warehouse, units in p.own]
    return "\n".join(["sku,warehouse,on_hand", *rows]) + "\n"


def race_line() -> SaleLine:
    product = BY_SKU[RACE_SKU]
    return SaleLine(product.sku, product.title, RACE_QUANTITY, product.cny)
