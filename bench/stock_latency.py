"""`make bench` — stock-change latency on the local stack: moto (tables, queues), the Amazon, Shopify
and eBay sandboxes, and the local runner delivering every queue to its function.

A catalogue of SKUs is listed on amazon-us, shopify-uk and eBay-de and imported; then N stock
changes, one at a time, in turn: an own-warehouse adjustment sent to the stock-adjustments queue
(stock-adjuster → stock-changes → stock-marker → stock-flush → stock-flusher), an import of the stock file (`crossdock stock
import`), and a paid order's event on the order-events queue (stock-ledger reservation →
stock-marker → stock-flusher). After each change the runner drains the queues, round after round (a round that found
nothing waits 50 ms), until all three channels show the SKU's new sellable quantity; a thread polls
what the sandboxes show, and a change's latency is the moment the last channel showed it. Order-pull
latency is `bench.orders`' subject and not included. Goal: p99 ≤ 60 s.

    python -m bench.stock_latency [N] [RATE_SCALE]      (default 40 changes at the documented rates)
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from crossdock.core import aws
from crossdock.core.config import settings
from crossdock.core.queues import EventQueue
from crossdock.deployment import QUEUES
from crossdock.orders.resources import ORDER_EVENTS_QUEUE
from crossdock.orders.rules.events import events_for
from crossdock.orders.rules.order import Money, Order, OrderLine, OrderStatus
from crossdock.stock import compose as stock_compose
from crossdock.stock.resources import STOCK_ADJUSTMENTS_QUEUE
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.usecases.file import parse_stock_file
from crossdock_local.aws.runner import LocalRunner
from crossdock_local.aws.stack import LocalStack
from crossdock_local.demos.orders.shops import CATALOGUE, DemoShops
from crossdock_local.demos.stock.view import StockView
from crossdock_local.demos.stock.watch import IDLE_S, QuantityWatch, drive

SHOPS = ("amazon-us", "shopify-uk", "ebay-de")
SKUS = tuple(f"BENCH-{n:02d}" for n in range(5))  # ≤ 5 per push: Amazon patches listings, no feed
WAREHOUSE = "SZ-01"
START_UNITS = 200
GOAL_P99_S = 60.0


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class Changes:
    """The three ways a SKU's stock changes, each as the system receives it."""

    def __init__(self, stock: StockRepository) -> None:
        self.stock = stock
        self.orders = 0

    def on_hand(self, sku: str) -> int:
        return self.stock.sku(sku).on_hand_total

    def adjustment(self, sku: str, n: int) -> None:
        body = {
            "adjustment_id": str(uuid.uuid4()),
            "sku": sku,
            "warehouse": WAREHOUSE,
            "delta": 7 - 12 * (n % 2),
        }
        url = os.environ[STOCK_ADJUSTMENTS_QUEUE.env_var]
        aws.client("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(body))

    def stock_import(self, sku: str, n: int) -> None:
        units = self.on_hand(sku) + (9 if n % 2 else -6)
        rows = parse_stock_file(f"sku,warehouse,on_hand\n{sku},{WAREHOUSE},{units}\n")
        stock_compose.own_stock(settings()).import_rows(rows)

    def order(self, sku: str, n: int) -> None:
        self.orders += 1
        now = datetime.now(UTC)
        order_id = f"BENCH-{self.orders:05d}"
        order = Order(
            channel="amazon",
            shop_id="amazon-us",
            order_id=order_id,
            status=OrderStatus.PAID,
            raw_status="Unshipped",
            created_at=now,
            modified_at=now,
            total=Money.of(Decimal("29.97"), "USD"),
            lines=(OrderLine(f"{order_id}-1", sku, 3, Money.of(Decimal("9.99"), "USD")),),
        )
        EventQueue(os.environ[ORDER_EVENTS_QUEUE.env_var]).publish(events_for(order, None, detected_at=now))


def list_and_import(
    shops: DemoShops, skus: Sequence[str], shop_ids: Sequence[str], units: int = START_UNITS
) -> StockView:
    """Every SKU listed on every shop (`crossdock stock listing add`) and `units` of each imported
    into the own warehouse; the view of what the channels show against what is sellable."""
    admin = stock_compose.stock_admin(settings())
    for sku in skus:
        for shop_id in shop_ids:
            admin.add_listing(
                sku=sku, shop_id=shop_id, ref=shops.sandbox_of(shop_id).add_listing(shop_id, sku, 0)
            )
    rows = "".join(f"{sku},{WAREHOUSE},{units}\n" for sku in skus)
    stock_compose.own_stock(settings()).import_rows(parse_stock_file("sku,warehouse,on_hand\n" + rows))
    return StockView(shops, StockRepository(settings()))


def set_up(shops: DemoShops, runner: LocalRunner) -> None:
    view = list_and_import(shops, SKUS, SHOPS)
    if not drive(runner, lambda: view.agree(SKUS)).done:
        raise SystemExit("the first push never reached every channel")


def measure(count: int, rate_scale: float) -> tuple[list[tuple[str, float]], int]:
    """(kind, seconds) per change, and the runner rounds they took."""
    plans = tuple(p for p in CATALOGUE if p.shop_id in SHOPS)
    results: list[tuple[str, float]] = []
    rounds = 0
    with (
        LocalStack(rate_scale=rate_scale) as stack,
        DemoShops(plans, rate_scale=rate_scale, orders=1) as shops,
        open(os.devnull, "w", encoding="utf-8") as quiet,
    ):
        shops.register(stack.settings, datetime.now(UTC))
        runner = LocalRunner(
            {q.logical_id: stack.queue_url(q) for q in QUEUES}, visibility_timeout_s=1, log_stream=quiet
        )
        set_up(shops, runner)
        view = StockView(shops, StockRepository(stack.settings))
        changes = Changes(view.stock)
        kinds: dict[str, Callable[[str, int], None]] = {
            "adjustment": changes.adjustment,
            "import": changes.stock_import,
            "order": changes.order,
        }
        watch = QuantityWatch(view.shown)
        watch.watch((shop_id, sku) for sku in SKUS for shop_id in SHOPS)
        with watch.polling():
            for n in range(count):
                kind, sku = list(kinds)[n % len(kinds)], SKUS[n % len(SKUS)]
                before = view.version(sku)
                since = time.monotonic()
                kinds[kind](sku, n)
                driven = drive(runner, lambda: view.version(sku) > before and view.agree([sku]))  # noqa: B023
                rounds += driven.rounds
                if not driven.done:
                    raise SystemExit(
                        f"change {n} ({kind} of {sku}) never reached every channel: {driven.errors}"
                    )
                reached = [watch.reached((s, sku), q, since) for s, q in view.sellable(sku).items()]
                results.append((kind, max(t for t in reached if t is not None) - since))
    return results, rounds


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    rate_scale = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    print(
        f"\nStock-change latency: {count} changes on the local stack, until {', '.join(SHOPS)} all show them\n"
    )
    results, rounds = measure(count, rate_scale)
    seconds = [s for _, s in results]
    print(f"{'kind':<11} {'changes':>7} {'p50 s':>7} {'p99 s':>7} {'max s':>7}")
    for kind in ("adjustment", "import", "order", "all"):
        mine = [s for k, s in results if kind in (k, "all")]
        print(
            f"{kind:<11} {len(mine):>7} {percentile(mine, 0.5):>7.2f} {percentile(mine, 0.99):>7.2f} {max(mine):>7.2f}"
        )
    verdict = "met" if percentile(seconds, 0.99) <= GOAL_P99_S else "MISSED"
    print(
        f"\np50 {percentile(seconds, 0.5):.2f} s · p99 {percentile(seconds, 0.99):.2f} s "
        f"(goal p99 ≤ {GOAL_P99_S:g} s: {verdict}; nearest rank)"
    )
    print(
        f"Channel rate limits ×{rate_scale:g} of the documented ones (sandboxes and clients); local runner: "
        f"every queue drained round after round, {IDLE_S * 1000:g} ms between idle rounds, failed records "
        f"visible again after 1 s; {rounds} rounds in all. Order pulls are not included (bench.orders)."
    )


if __name__ == "__main__":
    main()
