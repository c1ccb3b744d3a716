"""(d) of the stock story: channels refusing quantities. The seller imports a recount; eBay refuses one
SKU's update once (a system error: retried within the flush, then accepted), Shopify refuses another
for good (the item is not stocked at the location: the listing is marked needs_review, pushes to it
stop, and the seller gets the e-mail that says the listing shows more than is sellable). The seller
fixes the listing and resumes it, and Shopify shows the sellable quantity again.
"""

from __future__ import annotations

from collections.abc import Callable

from crossdock.core.config import Settings
from crossdock.stock import compose as stock_compose
from crossdock.stock.storage.tables import ListingModel
from crossdock.stock.usecases.file import parse_stock_file

from crossdock_local.aws.outbox import Outbox
from crossdock_local.aws.runner import LocalRunner
from crossdock_local.demos.orders.shops import DemoShops
from crossdock_local.demos.stock.view import StockView
from crossdock_local.demos.stock.watch import drive

FLAKY = ("PB-10K-BLK", "ebay-de", "SZ-01", 50)  # eBay refuses its next update once
REFUSED = ("LAMP-DESK-LED", "shopify-uk", "SZ-01", 15)  # Shopify refuses it for good


def tell_refusals(
    shops: DemoShops,
    runner: LocalRunner,
    settings: Settings,
    view: StockView,
    outbox: Outbox,
    say: Callable[[str], None],
) -> None:
    flaky_sku, flaky_shop, _, _ = FLAKY
    refused_sku, refused_shop, _, _ = REFUSED
    refused_key = f"shopify#{refused_shop}"
    shown_before = view.shown(refused_shop, refused_sku)
    shops.sandbox_of(flaky_shop).fail_next_update(flaky_shop, flaky_sku)  # type: ignore[attr-defined]
    shops.sandbox_of(refused_shop).refuse_updates(refused_shop, refused_sku)  # type: ignore[attr-defined]
    rows = "".join(f"{sku},{warehouse},{units}\n" for sku, _, warehouse, units in (FLAKY, REFUSED))
    stock_compose.own_stock(settings).import_rows(parse_stock_file("sku,warehouse,on_hand\n" + rows))
    say(
        f"(d) recount imported: {flaky_sku} and {refused_sku} down; eBay will refuse {flaky_sku} once, "
        f"Shopify will refuse {refused_sku} (not stocked at its location)"
    )

    def under_review() -> bool:
        return bool(ListingModel.get(refused_sku, refused_key, consistent_read=True).needs_review)

    others = [shop for shop in view.sellable(refused_sku) if shop != refused_shop]
    drive(runner, lambda: view.agree([flaky_sku]) and under_review() and view.agree([refused_sku], others))
    tries = [h for h in view.stock.history(flaky_sku) if h.shop_id == flaky_shop][:2]
    word = next((h.detail for h in tries if h.result == "failed"), "")
    say(
        f"(d) eBay refused {flaky_sku} once ({word[:60]}) → retried in the same flush → "
        f"{flaky_shop} shows {view.shown(flaky_shop, flaky_sku)}, sellable {view.sellable(flaky_sku)[flaky_shop]}"
    )
    listing = ListingModel.get(refused_sku, refused_key)
    sellable = view.sellable(refused_sku)[refused_shop]
    say(
        f"(d) Shopify refused {refused_sku} for good ({listing.review_code}) → listing marked needs_review, "
        f"pushes to it stopped; it still shows {view.shown(refused_shop, refused_sku)} (was {shown_before}) "
        f"while {sellable} is sellable → the seller is e-mailed:"
    )
    for path, subject in outbox.new():
        say(f"✉ alert {subject}  ({path.name})")
        if "sellable" in subject:
            body = path.read_text(encoding="utf-8").split("\n\n", 1)[-1]
            for line in body.splitlines():
                if line.strip():
                    say(f"    {line}")
    shops.sandbox_of(refused_shop).accept_updates(refused_shop, refused_sku)  # type: ignore[attr-defined]
    stock_compose.stock_admin(settings).resume(sku=refused_sku, shop_id=refused_shop)
    drive(runner, lambda: view.agree([refused_sku]))
    say(
        f"(d) the seller stocked the item at the location and ran `crossdock stock listing resume {refused_sku} "
        f"--shop {refused_shop}` → {refused_shop} shows {view.shown(refused_shop, refused_sku)}"
    )
