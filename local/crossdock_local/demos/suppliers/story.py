"""The supplier story of `crossdock local`: a local 1688 open platform serves the seller's supplier
offers, its credentials are stored and the sourcing catalog added before the first cycle. After the
other stories: two buyers' orders give the suppliers' SKUs this week's sales (pulled like any order);
the suppliers planner's schedule fires and the worker checks every product through the freshness
gate — a primary served from a cache stuck twelve hours ago is rejected with its age and an alternate
chosen, a fresh alternate short of stock is passed over, a product with no fresh supplier is marked
"do not reorder" and alerted once — then the daily rule sends purchasing its suggestion list, and
one product's decisions are shown as `crossdock suppliers history` prints them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from crossdock.core.config import Settings
from crossdock.core.text import table_lines
from crossdock.orders.resources import ORDERS_PLANNER
from crossdock.shops.usecases.admin import shop_statuses
from crossdock.suppliers.resources import (
    SUPPLIER_TASKS_QUEUE,
    SUPPLIERS_DAILY,
    SUPPLIERS_PLANNER,
    SUPPLIERS_WORKER,
)
from crossdock.suppliers.storage.sourcing import SourcingRepository
from crossdock.suppliers.storage.velocity import units_sold_last_7_days
from crossdock.suppliers.usecases.history import HEADERS as HISTORY_HEADERS
from crossdock.suppliers.usecases.history import decision_history

from crossdock_local.aws.outbox import Outbox
from crossdock_local.aws.runner import LocalRunner
from crossdock_local.demos.orders.shops import DemoShops
from crossdock_local.demos.stock.watch import drive
from crossdock_local.demos.suppliers.catalogue import SEED_SHOPS, SEEDED_ORDERS, SOURCING, STALE_SKU
from crossdock_local.demos.suppliers.report import SupplierOutcome, reads_in
from crossdock_local.demos.suppliers.setup import (
    alibaba_sandbox,
    detail_lines,
    refresh,
    set_up_sourcing,
    stored,
)
from crossdock_local.sandboxes.alibaba1688.server import API, Alibaba1688Sandbox

__all__ = ["SupplierStory", "alibaba_sandbox"]
CALLS = f"calls:{API}"


class SupplierStory:
    def __init__(
        self,
        sandbox: Alibaba1688Sandbox,
        shops: DemoShops,
        runner: LocalRunner,
        settings: Settings,
        outbox: Outbox,
        say: Callable[[str], None],
    ) -> None:
        self.sandbox = sandbox
        self.shops = shops
        self.runner = runner
        self.settings = settings
        self.outbox = outbox
        self.say = say
        self.catalog = SourcingRepository()
        self.outcome = SupplierOutcome()

    # -- before the first cycle ------------------------------------------------------------------
    def set_up(self, folder: Path) -> None:
        self.outcome.secret = set_up_sourcing(self.sandbox, self.settings, datetime.now(UTC))
        self.outcome.sandbox_url = self.sandbox.url
        self.outcome.products = len(SOURCING)
        self.outcome.offers = sum(len(p.offers) for p in SOURCING)
        self.say(
            f"suppliers: 1688 sandbox on {self.sandbox.url}; credentials and endpoint in {self.outcome.secret}"
            f"; {self.outcome.products} products added (`crossdock suppliers add`), a primary and three"
            f" alternates each, {self.outcome.offers} offers on 1688"
        )
        stuck = next(o for p in SOURCING for o in p.offers if o.stuck)
        hours = stuck.age.total_seconds() / 3600 if stuck.age else 0
        self.say(
            f"⚡ 1688: {stuck.supplier_id} offer {stuck.product_id} ({STALE_SKU}'s primary) is served from a"
            f" cache stuck {hours:g} h ago: {stuck.stock} on sale, though the supplier has sold out since"
        )

    # -- after the other stories -----------------------------------------------------------------
    def tell(self) -> SupplierOutcome:
        self._book_sales()
        self._round()
        self._daily()
        self._history()
        return self.outcome

    def _book_sales(self) -> None:
        ok = {s.shop_id for s in shop_statuses(datetime.now(UTC)) if s.state == "ok"}
        shop_id = next((s for s in SEED_SHOPS if s in ok and s in self.shops.plans), None)
        if shop_id is None:
            self.say("⚠ suppliers: no shop pulls normally now; no orders booked")
        else:
            channel_name = self.shops.plans[shop_id].channel
            ids = [
                self.shops.order_id(shop_id, self.shops.book_sale(shop_id, list(o))) for o in SEEDED_ORDERS
            ]
            booked: Counter[str] = Counter()
            for order in SEEDED_ORDERS:
                for line in order:
                    booked[line.sku] += line.quantity
            driven = drive(
                self.runner,
                lambda: all(stored(channel_name, shop_id, i) for i in ids),
                fire=[ORDERS_PLANNER],
            )
            if not driven.done:
                self.outcome.errors.append(f"the booked orders on {shop_id} were not all stored")
            self.outcome.booked, self.outcome.booked_on = dict(booked), shop_id
            self.say(
                f"suppliers: two buyers order on {shop_id} ({', '.join(ids)}): "
                + ", ".join(f"{sku} × {n}" for sku, n in booked.items())
                + f" → order pull → stored in {driven.rounds} runner round(s)"
            )
        sold = units_sold_last_7_days(datetime.now(UTC))
        self.outcome.sold = {p.sku: sold[p.sku] for p in SOURCING if sold.get(p.sku)}

    def _round(self) -> None:
        refresh(self.sandbox, datetime.now(UTC))
        before = self.sandbox.stats[CALLS]
        try:
            self.outcome.planned = dict(self.runner.fire(SUPPLIERS_PLANNER) or {})
        except Exception as exc:  # the planner failed: nothing is queued, say so and go on
            self.outcome.errors.append(f"{SUPPLIERS_PLANNER.name}: {type(exc).__name__}: {exc}")
        drained = self.runner.drain(SUPPLIER_TASKS_QUEUE, SUPPLIERS_WORKER)
        self.outcome.errors += drained.errors
        if drained.failed:
            self.outcome.errors.append(f"{SUPPLIERS_WORKER.name}: {drained.failed} task(s) failed")
        self.outcome.round_calls = self.sandbox.stats[CALLS] - before
        items = {item.sku: item for item in self.catalog.all()}
        for product in SOURCING:
            item = items.get(product.sku)
            if item is not None:
                self.outcome.decisions[product.sku] = dict(item.last_decision or {})
                self.outcome.statuses[product.sku] = item.reorder_status
        self.say(
            f"suppliers round: planner queued {self.outcome.planned.get('products', 0)} products in"
            f" {self.outcome.planned.get('tasks', 0)} task(s) · worker: {reads_in(self.outcome.decisions.values())}"
            f" supplier reads ({self.outcome.round_calls} calls served):"
            f" {sum(s == 'ok' for s in self.outcome.statuses.values())} products with a fresh"
            f" supplier, {sum(s == 'blocked' for s in self.outcome.statuses.values())} blocked"
        )
        for record in self.outcome.decisions.values():
            self.say(f"  {record.get('summary', '?')}")
        self._alerts()
        self.outcome.blocked_alerts = [p for p in self.outbox.all() if "-suppliers-blocked_" in p.name]

    def _daily(self) -> None:
        before = self.sandbox.stats[CALLS]
        try:
            self.outcome.daily = dict(self.runner.fire(SUPPLIERS_DAILY) or {})
        except Exception as exc:
            self.outcome.errors.append(f"{SUPPLIERS_DAILY.name}: {type(exc).__name__}: {exc}")
        self.outcome.daily_calls = self.sandbox.stats[CALLS] - before
        self._alerts()
        digests = [p for p in self.outbox.all() if "-suppliers-suggestions_" in p.name]
        self.outcome.digest = digests[-1] if digests else None
        self.outcome.suggestions = detail_lines(digests[-1]) if digests else []
        self.say(
            f"suppliers daily: {self.outcome.daily.get('suggested', 0)} of"
            f" {self.outcome.daily.get('considered', 0)} products to buy, from 7-day sales "
            + (", ".join(f"{sku} {n}" for sku, n in self.outcome.sold.items()) or "(none)")
        )
        for line in self.outcome.suggestions:
            self.say(f"  {line}")

    def _history(self) -> None:
        """What `crossdock suppliers history` prints for the product whose primary is stuck: the same
        use case the command calls, as the same table."""
        history = decision_history(self.catalog, STALE_SKU)
        if not history.known:
            self.outcome.errors.append(f"{STALE_SKU} is not in the sourcing catalog")
            return
        self.outcome.history = table_lines(HISTORY_HEADERS, history.rows, history.empty)

    def _alerts(self) -> None:
        for path, subject in self.outbox.new():
            self.say(f"✉ alert {subject}  ({path.name})")
