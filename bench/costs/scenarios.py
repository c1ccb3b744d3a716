"""The three measured scenarios on the local stack (moto, the sandboxes over HTTP, the local runner),
set up as the other benches do; only the work after the set-up is metered.

- orders: the demo's shops (Taobao, Amazon US and JP, Shopify UK, eBay DE) with N orders each; the
  orders planner fires and every queue is drained — the order worker's pulls and what the orders
  set off downstream (stock ledger, shipments registrar). Then one idle cycle (nothing new).
- stock: N SKUs listed on Amazon, Shopify and eBay, changed by one stock import (the operator's
  `crossdock stock import`, metered too) and pushed through the change path (stock-changes FIFO →
  marker → stock-flush FIFO → flusher). Then one idle stock-planner run.
- tracking: N parcels in the tracking bench's carrier mix registered (`crossdock shipments import`)
  and refreshed once (tracking planner → tracking worker → 4PX, Yanwen, 17TRACK). Then one idle
  planner run.
"""

from __future__ import annotations

import math
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from crossdock.core.config import settings
from crossdock.core.specs import FunctionSpec
from crossdock.deployment import QUEUES, TABLES
from crossdock.orders.resources import ORDERS_PLANNER
from crossdock.stock import compose as stock_compose
from crossdock.stock.resources import STOCK_PLANNER
from crossdock.stock.storage.tables import ListingModel
from crossdock.stock.usecases.file import parse_stock_file
from crossdock.tracking import compose as tracking_compose
from crossdock.tracking.resources import TRACKING_PLANNER
from crossdock.tracking.usecases.register import NewShipment
from crossdock_local.aws.schedules import Schedule
from crossdock_local.aws.stack import LocalStack
from crossdock_local.demos.orders.shops import CATALOGUE, DemoShops
from crossdock_local.demos.orders.steps import stored_totals
from crossdock_local.demos.tracking.carriers import TrackingSandboxes
from crossdock_local.sandboxes.parcels import WorldParcel

from bench.costs.meter import Meter, MeteredRunner
from bench.costs.units import Usage, merged
from bench.tracking_world import parcels_for

STOCK_SHOPS = {"amazon-us": "amazon", "shopify-uk": "shopify", "ebay-de": "ebay"}
QUIET_LIMIT_S = 120.0  # longest the bench waits for delayed or retried messages
PROGRESS_BATCHES = 5  # batches drained per queue between progress checks
PROGRESS_EVERY_S = 5.0


@dataclass
class Measured:
    """One scenario: what its work used, how many units it handled, and its idle run."""

    name: str
    unit: str  # "orders pulled", ...
    count: int
    usage: Usage
    idle: Usage = field(default_factory=Usage)
    idle_label: str = ""
    idle_per_month: float = 0.0  # how often the idle run happens in a month
    idle_basis: str = ""
    notes: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    parts: dict[str, Usage] = field(default_factory=dict)  # the usage split by step, when it matters


def _runner(meter: Meter, stack: LocalStack) -> MeteredRunner:
    return MeteredRunner(
        meter,
        {q.logical_id: stack.queue_url(q) for q in QUEUES},
        visibility_timeout_s=5,
        max_batches=10_000,
    )


def _prepare(meter: Meter, stack: LocalStack) -> None:
    """What the meter needs to know about this stack: its tables' indexes and e-mail subscriptions."""
    meter.tables = {stack.table_name(t): t for t in TABLES}
    sns = stack.client("sns")
    meter.emails = {}
    for topic in sns.list_topics()["Topics"]:
        arn = topic["TopicArn"]
        subscriptions = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        meter.emails[arn] = sum(1 for s in subscriptions if s["Protocol"] == "email")


def _waiting(stack: LocalStack) -> int:
    """Messages still in the queues: visible, in flight or delayed."""
    sqs = stack.client("sqs")
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    total = 0
    for queue in QUEUES:
        found = sqs.get_queue_attributes(QueueUrl=stack.queue_url(queue), AttributeNames=names)
        total += sum(int(v) for v in found["Attributes"].values())
    return total


def settle(
    runner: MeteredRunner, meter: Meter, stack: LocalStack, *, fire: Sequence[FunctionSpec] = ()
) -> int:
    """Fire `fire`, then drain every queue a few batches at a time until none holds a message
    (delayed ones included) or the limit passes; the messages left. Says every few seconds what
    has been drained so far (stderr)."""
    for spec in fire:
        runner.fire(spec)
    deadline = time.monotonic() + QUIET_LIMIT_S
    drained: Counter[str] = Counter()
    said = time.monotonic()
    while True:
        moved = False
        for queue in QUEUES:
            consumer = runner.consumer_of(queue)
            if consumer is None:
                continue
            report = runner.drain(queue, consumer, max_batches=PROGRESS_BATCHES)
            for error in report.errors[:3]:
                print(f"  ! {error}", file=sys.stderr)
            if report.batches:
                moved = True
                drained[consumer.name] += report.ok + report.failed
            if time.monotonic() - said > PROGRESS_EVERY_S:
                said = time.monotonic()
                print(f"  … records handled: {dict(drained)}", file=sys.stderr)
        if moved:
            continue
        with meter.paused():
            left = _waiting(stack)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.5)


# -- orders -----------------------------------------------------------------------------------------
def orders(meter: Meter, per_shop: int, rate_scale: float) -> Measured:
    with (
        LocalStack(rate_scale=rate_scale) as stack,
        DemoShops(CATALOGUE, rate_scale=rate_scale, orders=per_shop) as shops,
    ):
        shops.register(stack.settings, datetime.now(UTC))
        _prepare(meter, stack)
        runner = _runner(meter, stack)
        measured = Measured("orders", "orders pulled", 0, Usage())
        began = time.perf_counter()
        with meter.measuring(measured.usage):
            left = settle(runner, meter, stack, fire=[ORDERS_PLANNER])
        measured.wall_s = time.perf_counter() - began
        new, updated = stored_totals()
        measured.count = new
        measured.notes.append(
            f"{len(CATALOGUE)} shops on 4 channels, {per_shop:,} orders each in the sandboxes: {new:,} stored"
            f" new, {updated:,} updated; {left} message(s) left"
        )
        with meter.measuring(measured.idle):
            settle(runner, meter, stack, fire=[ORDERS_PLANNER])
        fires = _fires_per_month(ORDERS_PLANNER.schedule)
        measured.idle_label = f"order polling, per shop ({ORDERS_PLANNER.schedule})"
        measured.idle_per_month = fires / len(CATALOGUE)
        measured.idle_basis = f"one idle cycle of {len(CATALOGUE)} shops measured, ÷ {len(CATALOGUE)} × {fires:,.0f} cycles/month"
    return measured


# -- stock ------------------------------------------------------------------------------------------
def stock(meter: Meter, skus: int, rate_scale: float) -> Measured:
    names = [f"CST-{n:05d}" for n in range(skus)]
    plans = tuple(p for p in CATALOGUE if p.shop_id in STOCK_SHOPS)
    with (
        LocalStack(rate_scale=rate_scale) as stack,
        DemoShops(plans, rate_scale=rate_scale, orders=1) as shops,
    ):
        shops.register(stack.settings, datetime.now(UTC))
        with ListingModel.batch_write() as batch:  # the listings, as `crossdock stock listings` leaves them
            for shop_id, channel in STOCK_SHOPS.items():
                sandbox = shops.sandbox_of(shop_id)
                for sku in names:
                    ref = sandbox.add_listing(shop_id, sku, 0)
                    batch.save(
                        ListingModel(sku, f"{channel}#{shop_id}", channel=channel, shop_id=shop_id, ref=ref)
                    )
        _prepare(meter, stack)
        runner = _runner(meter, stack)
        measured = Measured("stock", "SKUs pushed", skus, Usage())
        on_hand = {sku: (n * 7) % 50 + 20 for n, sku in enumerate(names)}
        began = time.perf_counter()
        with meter.measuring(measured.usage):
            rows = "".join(f"{sku},own:sz,{units}\n" for sku, units in on_hand.items())
            stock_compose.own_stock(settings()).import_rows(
                parse_stock_file("sku,warehouse,on_hand\n" + rows)
            )
            left = settle(runner, meter, stack)
        measured.wall_s = time.perf_counter() - began
        wrong = sum(
            1
            for shop_id in STOCK_SHOPS
            for sku, units in on_hand.items()
            if shops.sandbox_of(shop_id).quantity(shop_id, sku) != math.floor(units * 0.95)
        )
        measured.notes.append(
            f"{skus:,} SKUs × 3 channels (Amazon feed, Shopify, eBay) through the change path; "
            f"{wrong} channel quantities wrong; {left} message(s) left"
        )
        with meter.measuring(measured.idle):
            settle(runner, meter, stack, fire=[STOCK_PLANNER])
        measured.idle_label = f"stock planner at {skus:,} SKUs × 3 listings ({STOCK_PLANNER.schedule})"
        measured.idle_per_month = _fires_per_month(STOCK_PLANNER.schedule)
        measured.idle_basis = f"one idle run measured × {measured.idle_per_month:,.0f} runs/month"
    return measured


# -- tracking ---------------------------------------------------------------------------------------
def tracking(meter: Meter, parcels: int, rate_scale: float) -> Measured:
    now = datetime.now(UTC)
    world = list(parcels_for(parcels, now))
    with LocalStack(rate_scale=rate_scale) as stack, TrackingSandboxes(rate_scale=rate_scale) as carriers:
        for parcel in world:
            carriers.world.add(WorldParcel(parcel.number, parcel.carrier, parcel.scans))
        carriers.connect(stack.settings)
        _prepare(meter, stack)
        runner = _runner(meter, stack)
        measured = Measured("tracking", "parcels tracked", parcels, Usage())
        registration, refresh = Usage(), Usage()
        measured.parts = {"registration": registration, "refresh": refresh}
        began = time.perf_counter()
        with meter.measuring(registration):
            registered = tracking_compose.shipment_registrar(settings()).register(
                NewShipment(p.number, p.carrier_text, p.handed_over_at) for p in world
            )
        with meter.measuring(refresh):
            planned = 0
            for _ in range(20):  # the planner caps one run; fire it until nothing is due
                fired = runner.fire(TRACKING_PLANNER) or {}
                planned += int(fired.get("planned", 0))
                if not fired.get("planned"):
                    break
                settle(runner, meter, stack)
            left = settle(runner, meter, stack)
        measured.wall_s = time.perf_counter() - began
        measured.usage = merged(registration, refresh)
        measured.notes.append(
            f"{len(registered.new):,} parcels registered (4PX, Yanwen, YunExpress via 17TRACK, USPS via 17TRACK),"
            f" {planned:,} refreshed once; {left} message(s) left"
        )
        with meter.measuring(measured.idle):
            settle(runner, meter, stack, fire=[TRACKING_PLANNER])
        measured.idle_label = f"tracking planner, nothing due ({TRACKING_PLANNER.schedule})"
        measured.idle_per_month = _fires_per_month(TRACKING_PLANNER.schedule)
        measured.idle_basis = f"one idle run measured × {measured.idle_per_month:,.0f} runs/month"
    return measured


def _fires_per_month(schedule: str | None) -> float:
    """Fires of a schedule rule in a 30-day month (a cron rule here is daily)."""
    if schedule is None:
        return 0.0
    every = Schedule.parse(schedule).every
    return 30.0 if every is None else timedelta(days=30) / every
