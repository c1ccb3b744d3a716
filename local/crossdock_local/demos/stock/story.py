"""The stock story of `crossdock local`: the seller's stock is set up before the first cycle and
pushed; after the order cycles, (a) a buyer's order on Taobao is pulled, reserved and pushed to
Amazon, Shopify and eBay, timed from its appearance on the channel until all three show the new
quantity; (b) Amazon shelves inbound FBA units and the FBA sync counts only the fulfillable ones;
(c) two channels sell a SKU's last units in the same cycle and exactly one line is oversold; (d) eBay
refuses an update once (retried) and Shopify refuses one for good (needs_review, the seller's e-mail,
then resumed).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from crossdock.core.config import Settings
from crossdock.orders.resources import ORDERS_PLANNER
from crossdock.shops.storage.shops import ShopRepository
from crossdock.shops.usecases.admin import shop_statuses
from crossdock.stock.resources import FBA_SYNC
from crossdock.stock.storage.stock import StockRepository

from crossdock_local.aws.outbox import Outbox
from crossdock_local.aws.runner import LocalRunner
from crossdock_local.demos.orders.shops import DemoShops
from crossdock_local.demos.stock.catalogue import (
    CAPPED,
    FBA_RECEIPT,
    FBA_SHOP,
    FBA_SKU,
    LISTED_ON,
    NOTIFIED_SALE,
    NOTIFIED_SALE_SHOP,
    RACE_SHOPS,
    RACE_SKU,
    SALE,
    SALE_SHOPS,
    STOCKED,
    race_line,
)
from crossdock_local.demos.stock.refusals import tell_refusals
from crossdock_local.demos.stock.report import StockOutcome
from crossdock_local.demos.stock.setup import put_fba, set_up_stock
from crossdock_local.demos.stock.steps import StepRunner, shown, timing
from crossdock_local.demos.stock.view import StockView
from crossdock_local.demos.stock.watch import QuantityWatch

ALL_SKUS = tuple(p.sku for p in STOCKED)


class StockStory:
    def __init__(
        self,
        shops: DemoShops,
        runner: LocalRunner,
        settings: Settings,
        outbox: Outbox,
        say: Callable[[str], None],
    ) -> None:
        self.shops = shops
        self.settings = settings
        self.outbox = outbox
        self.say = say
        self.view = StockView(shops, StockRepository(settings))
        self.outcome = StockOutcome()
        self.steps = StepRunner(runner, self.view, QuantityWatch(self.view.shown), outbox, self.outcome, say)
        missing = [shop_id for shop_id in LISTED_ON if shop_id not in shops.plans]
        if missing:
            self.outcome.skipped = f"the stock story needs the shops {', '.join(missing)}"

    # -- before the first cycle ------------------------------------------------------------------
    def set_up(self, folder: Path) -> None:
        if self.outcome.skipped:
            self.say(f"stock: {self.outcome.skipped}")
            return
        since = time.monotonic()
        facts = set_up_stock(self.shops, self.settings, folder)
        self.say(
            f"stock: {facts.listings} listings registered (`crossdock stock listing add`):"
            f" {len(STOCKED)} SKUs on {', '.join(LISTED_ON)}"
        )
        sku, channel_name, cap = CAPPED
        self.say(
            f"stock: {facts.stock_file} imported (`crossdock stock import`): {facts.rows} rows,"
            f" {facts.skus_changed} SKUs; {sku} capped at {cap} on {channel_name} (`crossdock stock sku set`)"
        )
        step = self.steps.run("first push (listings, import, cap, FBA sync)", ALL_SKUS, [FBA_SYNC], since)
        fba = self.view.fba(FBA_SHOP, FBA_SKU)
        self.say(
            f"FBA sync ({FBA_SHOP}): {FBA_SKU} {fba.counted} fulfillable counted,"
            f" {fba.inbound} inbound and {fba.reserved} reserved excluded"
        )
        self.say(f"stock: first push — every listing shows its sellable quantity; {timing(step)}")

    # -- after the order cycles ------------------------------------------------------------------
    def tell(self) -> StockOutcome:
        if self.outcome.skipped:
            return self.outcome
        ok = {s.shop_id for s in shop_statuses(datetime.now(UTC)) if s.state == "ok"}
        self._sale(ok)
        self._notified_sale(ok)
        self._fba_receipt()
        self._race(ok)
        tell_refusals(self.shops, self.steps.runner, self.settings, self.view, self.outbox, self.say)
        self.outcome.rows = [self.view.row(sku) for sku in ALL_SKUS]
        self.outcome.fba = self.view.fba(FBA_SHOP, FBA_SKU)
        self.outcome.oversold_alerts = [p for p in self.outbox.all() if "-oversold_" in p.name]
        return self.outcome

    def _sale(self, ok: set[str]) -> None:
        seller = next((shop_id for shop_id in SALE_SHOPS if shop_id in ok), None)
        if seller is None:
            self.say("⚠ stock (a): no shop pulls normally now; the sale is skipped")
            return
        before = self.view.version(SALE.sku)
        since = time.monotonic()
        order_id = self.shops.order_id(seller, self.shops.book_sale(seller, [SALE]))
        step = self.steps.run(
            f"(a) sale on {seller}: {SALE.sku} × {SALE.quantity}",
            [SALE.sku],
            [ORDERS_PLANNER],
            since,
            ready=lambda: self.view.version(SALE.sku) > before,
        )
        self.say(
            f"(a) sale on {seller}: order {order_id} buys {SALE.sku} × {SALE.quantity} → order pull →"
            f" order event → stock-ledger reservation → stock-marker → stock-flusher → {shown(step)};"
            f" {timing(step, 'from the order appearing on the channel')}"
        )

    def _notified_sale(self, ok: set[str]) -> None:
        """(e) A Shopify sale reaching the other channels by Shopify's webhook, with no order pull run:
        the sandbox puts orders/create on the partner event bus, the rule forwards it to the
        ShopifyNoticesQueue, and orders-notices-shopify reads the order by id and stores it."""
        seller = NOTIFIED_SALE_SHOP
        if seller not in ok or not ShopRepository().get(seller).push_key:
            self.say(f"⚠ stock (e): {seller} is not subscribed to order notices or not pulling; skipped")
            return
        line = NOTIFIED_SALE
        before = self.view.version(line.sku)
        since = time.monotonic()
        order_id = self.shops.order_id(seller, self.shops.book_sale(seller, [line]))
        step = self.steps.run(
            f"(e) sale on {seller} by notification: {line.sku} × {line.quantity}",
            [line.sku],
            [],  # no schedule fires: only the queues are drained
            since,
            ready=lambda: self.view.version(line.sku) > before,
        )
        self.say(
            f"(e) sale on {seller}: order {order_id} buys {line.sku} × {line.quantity} → Shopify webhook →"
            f" EventBridge partner bus → ShopifyNoticesQueue → orders-notices-shopify (order read by id)"
            f" → stock-ledger → stock-marker → stock-flusher → {shown(step)};"
            f" {timing(step, 'from the sale, no order pull ran')}"
        )

    def _fba_receipt(self) -> None:
        before = self.view.fba(FBA_SHOP, FBA_SKU)
        since = time.monotonic()
        put_fba(self.shops, FBA_RECEIPT)
        target = FBA_RECEIPT.fulfillable
        step = self.steps.run(
            f"(b) FBA receipt at {FBA_SHOP}: {FBA_SKU} {before.counted} → {target} fulfillable",
            [FBA_SKU],
            [FBA_SYNC],
            since,
            ready=lambda: self.view.fba(FBA_SHOP, FBA_SKU).counted == target,
        )
        fba = self.view.fba(FBA_SHOP, FBA_SKU)
        self.say(
            f"(b) FBA at {FBA_SHOP}: {target - before.counted} units of {FBA_SKU} shelved → FBA sync counted"
            f" {fba.counted} fulfillable, excluded {fba.inbound} inbound and {fba.reserved} reserved →"
            f" {shown(step)} (counting them: {fba.sellable_with_inbound}); {timing(step)}"
        )

    def _race(self, ok: set[str]) -> None:
        sellers: list[str] = []
        for shop_id in RACE_SHOPS:
            channel_name = self.shops.plans[shop_id].channel if shop_id in self.shops.plans else ""
            if shop_id in ok and channel_name not in {self.shops.plans[s].channel for s in sellers}:
                sellers.append(shop_id)
        if len(sellers) < 2:
            self.say("⚠ stock (c): fewer than two channels pull normally now; the race is skipped")
            return
        sellers = sellers[:2]
        line = race_line()
        since = time.monotonic()
        for shop_id in sellers:
            self.shops.book_sale(shop_id, [line])
        step = self.steps.run(
            f"(c) oversold race on {' and '.join(sellers)}: {RACE_SKU}",
            [RACE_SKU],
            [ORDERS_PLANNER],
            since,
            ready=lambda: len(self.view.stock.reservations(RACE_SKU)) >= len(sellers),
            quiet=True,
        )
        states = Counter(r.state for r in self.view.stock.reservations(RACE_SKU))
        self.say(
            f"(c) oversold race: {' and '.join(sellers)} each sold the last {line.quantity} × {RACE_SKU}"
            f" in the same cycle → stock-ledger: {states['reserved']} order line(s) covered,"
            f" {states['oversold']} oversold → {shown(step)}; {timing(step)}"
        )
        self.steps.alerts()
