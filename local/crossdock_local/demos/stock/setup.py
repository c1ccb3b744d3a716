"""The seller's stock, set up the operator's way before the first cycle: each stocked SKU listed on
the channels (the sandbox creates the listing; `crossdock stock listing add` registers its ids),
the own-warehouse counts imported from a stock file (`crossdock stock import`), one channel cap
(`crossdock stock sku set`), and FBA stock at Amazon with units inbound and reserved."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

from crossdock.core.config import Settings
from crossdock.stock import compose as stock_compose
from crossdock.stock.usecases.admin import PolicyChange
from crossdock.stock.usecases.file import parse_stock_file

from crossdock_local.demos.orders.shops import DemoShops
from crossdock_local.demos.stock.catalogue import (
    CAPPED,
    FBA_SHOP,
    FBA_SKU,
    FBA_START,
    LISTED_ON,
    STOCKED,
    FbaCounts,
    stock_file,
)
from crossdock_local.sandboxes.amazon.server import AmazonSandbox


@dataclass(frozen=True)
class SetupFacts:
    listings: int
    stock_file: Path
    rows: int
    skus_changed: int


def amazon_of(shops: DemoShops, shop_id: str = FBA_SHOP) -> AmazonSandbox:
    return cast(AmazonSandbox, shops.sandbox_of(shop_id))


def put_fba(shops: DemoShops, counts: FbaCounts) -> None:
    """Amazon's warehouses now hold `counts` of FBA_SKU for FBA_SHOP."""
    amazon_of(shops).set_fba(
        FBA_SHOP,
        FBA_SKU,
        fulfillable=counts.fulfillable,
        inbound_working=counts.inbound_working,
        inbound_shipped=counts.inbound_shipped,
        inbound_receiving=counts.inbound_receiving,
        reserved=counts.reserved,
    )


def set_up_stock(shops: DemoShops, settings: Settings, folder: Path) -> SetupFacts:
    """Listings, the imported file, the cap and the FBA stock; nothing is pushed yet (the runner
    delivers the announced changes)."""
    admin = stock_compose.stock_admin(settings)
    listings = 0
    for product in STOCKED:
        for shop_id in LISTED_ON:
            ref = shops.sandbox_of(shop_id).add_listing(shop_id, product.sku, product.shown_before)
            admin.add_listing(sku=product.sku, shop_id=shop_id, ref=ref)
            listings += 1
    path = folder / "stock.csv"
    path.write_text(stock_file(), encoding="utf-8")
    rows = parse_stock_file(path.read_text(encoding="utf-8"))
    imported = stock_compose.own_stock(settings).import_rows(rows)
    sku, channel_name, cap = CAPPED
    admin.set_policy(sku, PolicyChange(cap=cap, channel=channel_name))
    put_fba(shops, FBA_START)
    return SetupFacts(listings, path, len(rows), len(imported.changed))
