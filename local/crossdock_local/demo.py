"""`crossdock local`: the whole order pull and stock push on one workstation, with nothing deployed.

moto's server plays AWS (tables, queues with DLQs, the alerts topic), one sandbox per channel plays
Taobao, Amazon, Shopify and eBay with a seller's five shops, and the local runner plays EventBridge
and the SQS event source mapping. Before the first cycle the seller's stock is listed, imported and
pushed (demos/stock). While the cycles run, the books keep changing; mid-run one shop's
authorization is revoked and one stored order is deleted behind crossdock's back before the daily
reconciliation. After them, the stock story: a sale timed until three other channels show it, FBA
inbound units left uncounted, an oversold race. Then the tracking story (demos/tracking): the shipped
orders' parcels refreshed from local 4PX, Yanwen and 17TRACK APIs, a 4PX outage answering 200 with
empty data failing over to 17TRACK, a parcel unknown everywhere, a stall digest. Then the supplier
story (demos/suppliers): a local 1688 platform's offers checked through the freshness gate — a stuck
cache's stale primary rejected, an alternate chosen, a product blocked and alerted, the daily
purchase suggestions. The run ends with a per-shop account checked against the channels' truth, the
stock every channel shows beside what is sellable, what customer service reads to buyers about
their parcels, and what purchasing may buy from whom.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from crossdock.deployment import QUEUES
from crossdock.orders.resources import ORDER_EVENTS_QUEUE, ORDERS_PLANNER, ORDERS_RECONCILE_PLANNER
from crossdock.shops.usecases.admin import resume_shop, shop_statuses

from crossdock_local.aws.lambda_output import captured
from crossdock_local.aws.outbox import Outbox
from crossdock_local.demos.notices.story import PushStory
from crossdock_local.demos.orders.convergence import check
from crossdock_local.demos.orders.mutator import BookMutator
from crossdock_local.demos.orders.shops import CATALOGUE, DemoShops, ShopPlan
from crossdock_local.demos.orders.steps import (
    Plot,
    delete_stored_order,
    pick_witness,
    settle_wait,
    stored_totals,
)
from crossdock_local.demos.stock.story import StockStory
from crossdock_local.demos.stock.tap import DemoRunner, LedgerTap
from crossdock_local.demos.suppliers.story import SupplierStory
from crossdock_local.demos.tracking.story import TrackingStory
from crossdock_local.playground import Playground, playground
from crossdock_local.report import DemoResult, print_report

MIN_CYCLES = 3


@dataclass
class World:
    """Everything a running demo holds."""

    shops: DemoShops
    runner: DemoRunner
    mutator: BookMutator
    tap: LedgerTap
    outbox: Outbox
    plot: Plot
    witness: str  # book id of the order deleted from the store before the reconciliation
    stock: StockStory
    tracking: TrackingStory
    suppliers: SupplierStory
    pushes: PushStory
    deleted: str | None = None


class Demo:
    def __init__(self, plans: tuple[ShopPlan, ...], cycles: int, out: TextIO) -> None:
        if cycles < MIN_CYCLES:
            raise ValueError(f"the demo needs at least {MIN_CYCLES} cycles (backfill, incidents, final pull)")
        self.plans = plans
        self.cycles = cycles
        self.out = out
        self.started = time.monotonic()

    def say(self, line: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s] {line}", file=self.out, flush=True)

    def run(self, world: World) -> DemoResult:
        try:
            for number in range(1, self.cycles + 1):
                self._incidents(world, number)
                self._cycle(world, number)
        finally:
            world.mutator.stop()
        world.stock.tell()
        world.tracking.tell()
        world.pushes.tell()
        world.suppliers.tell()
        return self._result(world)

    def _incidents(self, world: World, number: int) -> None:
        plot, shops = world.plot, world.shops
        if number == plot.revoke_at:
            shops.sandbox_of(plot.revoked).revoke(plot.revoked)
            self.say(
                f"⚡ {plot.revoked}: the seller revoked crossdock's access on {shops.plans[plot.revoked].channel}"
            )
        if number == plot.reconcile_at:
            order_id = shops.order_id(plot.reconciled, world.witness)
            if delete_stored_order(shops.plans[plot.reconciled].channel, plot.reconciled, order_id):
                world.deleted = order_id
                self.say(f"⚡ {plot.reconciled}: stored order {order_id} deleted behind crossdock's back")
            else:
                self.say(
                    f"⚠ {plot.reconciled}: order {order_id} was never stored; the reconciliation adds it"
                )
        if number == self.cycles:
            world.mutator.stop()
            shops.sandbox_of(plot.revoked).reinstate(plot.revoked)
            resume_shop(plot.revoked)
            self.say(f"✔ {plot.revoked}: re-authorized; operator ran `crossdock shops resume {plot.revoked}`")
            time.sleep(settle_wait(shops.books, shops.settle_lags(), datetime.now(UTC)))
        else:
            world.mutator.begin_cycle()

    def _cycle(self, world: World, number: int) -> None:
        before = stored_totals()
        reconcile = [ORDERS_RECONCILE_PLANNER] if number == world.plot.reconcile_at else []
        with (
            world.runner.polling(ORDER_EVENTS_QUEUE),  # the stock ledger reads while the worker sends
            world.plot.ticker(number, world.runner, self.say),  # a line every 5 s: the backfill is long
        ):
            cycle = world.runner.run_cycle(fire=[ORDERS_PLANNER, *reconcile])
        cycle.errors += world.runner.take_background_errors()
        world.mutator.end_cycle()
        self.say(world.plot.progress(number, cycle, before, stored_totals(), world.mutator.total()))
        for path, subject in world.outbox.new():
            self.say(f"✉ alert {subject}  ({path.name})")

    def _result(self, world: World) -> DemoResult:
        shops, runner = world.shops, world.runner
        return DemoResult(
            convergence={
                shop_id: check(shop_id, plan.channel, shops.books[shop_id], shops.id_mapper(shop_id))
                for shop_id, plan in shops.plans.items()
            },
            statuses=shop_statuses(datetime.now(UTC)),
            alerts=world.outbox.all(),
            functions=runner.figures,
            dead_letters={q.logical_id: runner.depth(q, dead_letters=True) for q in QUEUES},
            sandbox_stats={name: dict(sandbox.stats) for name, sandbox in shops.sandboxes.items()}
            | {name: dict(sandbox.stats) for name, sandbox in world.tracking.carriers.sandboxes.items()}
            | {"1688": dict(world.suppliers.sandbox.stats)},
            events={shop_id: world.tap.by_type(shop_id) for shop_id in shops.plans},
            redelivered_events=world.tap.redelivered,
            deleted_order=world.deleted,
            stock=world.stock.outcome,
            tracking=world.tracking.outcome,
            suppliers=world.suppliers.outcome,
            pushes=world.pushes.outcome,
            elapsed_s=time.monotonic() - self.started,
        )


def run_demo(
    cycles: int = 6,
    fault_profile: str = "realistic",
    seed: int = 7,
    *,
    outbox: str | Path = "outbox",
    rate_scale: float = 200.0,
    orders: int | None = None,
    changes_per_cycle: int = 40,
    plans: tuple[ShopPlan, ...] = CATALOGUE,
    out: TextIO | None = None,
    keep: Callable[[Playground, DemoResult], None] | None = None,
) -> DemoResult:
    """Run the demo; progress and the final account go to `out` (default: stdout).

    keep: called after the final account with everything still running (`crossdock local --keep`
    holds the stack there for the operator's commands); the stack stops when it returns."""
    out = out or sys.stdout
    demo = Demo(plans, cycles, out)
    plot = Plot.for_shops(list(plans), cycles)
    folder = Path(outbox).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    print(
        f"crossdock local · {len(plans)} shops · {cycles} cycles · faults {fault_profile} · seed {seed}",
        file=out,
    )
    print(
        f"Channel rate limits run {rate_scale:g}× faster than documented (CROSSDOCK_RATE_SCALE={rate_scale:g}).",
        file=out,
    )
    with playground(
        plans,
        faults=fault_profile,
        seed=seed,
        rate_scale=rate_scale,
        folder=folder,
        say=demo.say,
        orders=orders,
    ) as stage:
        shops = stage.shops
        witness = pick_witness(shops.books[plot.reconciled], datetime.now(UTC))
        demo.say(
            f"moto on {stage.stack.endpoint_url}; "
            + ", ".join(f"{n} sandbox on {s.url}" for n, s in shops.sandboxes.items())
        )
        demo.say(
            "shops: " + ", ".join(f"{p.shop_id} ({len(shops.books[p.shop_id].orders)} orders)" for p in plans)
        )
        stage.set_up()
        with captured(stage.lambda_log):  # the functions' logs and metrics (two may run at once)
            world = World(
                shops=shops,
                runner=stage.runner,
                mutator=BookMutator(
                    shops.books, shops.settle_lags(), per_cycle=changes_per_cycle, seed=seed
                ).start(),
                tap=stage.tap,
                outbox=stage.outbox,
                plot=plot,
                witness=witness,
                stock=stage.stock,
                tracking=stage.tracking,
                suppliers=stage.suppliers,
                pushes=stage.push_story,
            )
            result = demo.run(world)
        print_report(
            result, shops, world.mutator, rate_scale=rate_scale, lambda_log=folder / "lambda.log", out=out
        )
        if keep is not None:
            keep(stage, result)
    return result
