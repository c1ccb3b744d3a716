"""The demo's plot (which shop has which incident in which cycle) and its small steps."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from crossdock.orders.resources import (
    ORDER_TASKS_QUEUE,
    ORDERS_PLANNER,
    ORDERS_RECONCILE_PLANNER,
    ORDERS_WORKER,
)
from crossdock.orders.storage.tables import OrderModel
from crossdock.shops.storage.shops import ShopRepository

from crossdock_local.aws.runner import CycleReport, LocalRunner
from crossdock_local.demos.orders.shops import ShopPlan
from crossdock_local.demos.ticker import Ticker
from crossdock_local.sandboxes.orderbook import OrderBook

SETTLED_STATUSES = ("completed", "cancelled", "refunded")  # the book never changes these again
MAX_SETTLE_WAIT_S = 5.0


@dataclass(frozen=True)
class Plot:
    cycles: int
    revoked: str  # loses its authorization mid-run, gets it back before the last cycle
    reconciled: str  # one of its stored orders is deleted before the daily reconciliation
    revoke_at: int
    reconcile_at: int

    @classmethod
    def for_shops(cls, plans: list[ShopPlan], cycles: int) -> Plot:
        ids = [p.shop_id for p in plans]
        if len(ids) < 2:
            raise ValueError("the demo needs at least two shops")
        revoked = "ebay-de" if "ebay-de" in ids else ids[-1]
        reconciled = "amazon-jp" if "amazon-jp" in ids else next(i for i in ids if i != revoked)
        return cls(cycles, revoked, reconciled, revoke_at=max(2, cycles // 3), reconcile_at=cycles - 1)

    def ticker(self, number: int, runner: LocalRunner, say: Callable[[str], None]) -> Ticker:
        """A line every few seconds while cycle `number` pulls (the first one backfills for minutes):
        orders in the orders table and pull tasks the worker has finished, as counted at each tick."""
        before, start = stored_orders(), _records_ok(runner, ORDERS_WORKER.name)

        def figures() -> str:
            stored = stored_orders()
            done = _records_ok(runner, ORDERS_WORKER.name) - start
            return (
                f"cycle {number}/{self.cycles}: {stored:,} orders stored (+{stored - before:,} this cycle)"
                f" · {done} pull task(s) done"
            )

        return Ticker(say, figures)

    def progress(
        self, number: int, cycle: CycleReport, before: tuple[int, int], after: tuple[int, int], changes: int
    ) -> str:
        planned = cycle.fired.get(ORDERS_PLANNER.name) or {}
        skipped = ", ".join(f"{n} {why}" for why, n in sorted((planned.get("skipped") or {}).items()))
        line = f"cycle {number}/{self.cycles}: planner queued {planned.get('enqueued', 0)} pulls"
        line += f" (skipped {skipped})" if skipped else ""
        reconciling = cycle.fired.get(ORDERS_RECONCILE_PLANNER.name)
        if reconciling is not None:
            line += f", reconciliation planner queued {reconciling.get('enqueued', 0)}"
        drained = cycle.drained.get(ORDER_TASKS_QUEUE.logical_id)
        if drained is not None:
            line += f" · worker: {drained.ok} tasks done, {drained.failed} failed"
        line += f" · stored +{after[0] - before[0]} new, +{after[1] - before[1]} updated"
        line += f" · {changes} book changes so far"
        if cycle.errors:
            line += " · errors: " + "; ".join(cycle.errors[:3])
        return line


def _records_ok(runner: LocalRunner, function: str) -> int:
    figures = runner.figures.get(function)
    return figures.records_ok if figures else 0


def stored_orders() -> int:
    """Orders in the orders table now (one item per order; a keys-only scan)."""
    return sum(1 for _ in OrderModel.scan(attributes_to_get=["shop_key"]))


def stored_totals() -> tuple[int, int]:
    """New and updated orders stored so far, over every shop (from the shops' run totals)."""
    new = updated = 0
    for shop in ShopRepository().all():
        totals = shop.totals or {}
        new += int(totals.get("new", 0))
        updated += int(totals.get("updated", 0))
    return new, updated


def pick_witness(book: OrderBook, now: datetime) -> str:
    """A book order last changed yesterday (UTC) that will not change again: the one whose stored copy
    the demo deletes, for the daily reconciliation to find. Created when the book has none."""
    day = datetime.combine((now - timedelta(days=1)).date(), time(), tzinfo=now.tzinfo)
    settled = sorted(
        oid
        for oid, o in book.snapshot().items()
        if day <= o.modified_at < day + timedelta(days=1) and o.status in SETTLED_STATUSES
    )
    if settled:
        return settled[0]
    return book.new_order(day + timedelta(hours=12), status="completed").order_id


def delete_stored_order(channel: str, shop_id: str, order_id: str) -> bool:
    """Delete a stored order directly in the table, as a careless script or a bad restore would."""
    try:
        OrderModel.get(f"{channel}#{shop_id}", order_id, consistent_read=True).delete()
    except OrderModel.DoesNotExist:
        return False
    return True


def settle_wait(books: Mapping[str, OrderBook], lags: Mapping[str, timedelta], now: datetime) -> float:
    """Seconds until every book change is older than its channel's settle lag (capped)."""
    wait = 0.0
    for shop_id, book in books.items():
        newest = max((o.modified_at for o in book.snapshot().values()), default=None)
        if newest is not None:
            wait = max(wait, (newest + lags[shop_id] - now).total_seconds())
    return min(max(wait, 0.0), MAX_SETTLE_WAIT_S)
