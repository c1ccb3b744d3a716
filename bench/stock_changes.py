"""`make bench` — stock push, the change path: N SKUs changed by one import, pushed to Amazon, Shopify
and eBay through the real path on the local stack (moto server, the sandboxes over HTTP, the local
runner: stock import → stock-changes FIFO → stock-marker → stock-flush FIFO → stock-flusher).

Per channel: API calls ÷ the minimum the channel's batch sizes allow (goal ≤ 1.1; Amazon ⌈N/25,000⌉
feeds × createFeedDocument + createFeed + getFeed + getFeedDocument, Shopify ⌈N/250⌉, eBay ⌈N/25⌉),
beside what the change path cost before the flush (one push per FIFO batch of 10 SKUs: ⌈N/10⌉ feeds
or calls per channel); JSON_LISTINGS_FEEDs created against the 5-per-5-minutes limit; wall time of
the whole path. The listings are registered straight into the table (set-up, not measured).

    python -m bench.stock_changes [N] [RATE_SCALE]     (default 10,000 SKUs, rates ×20)
"""

from __future__ import annotations

import math
import os
import sys
import time
from datetime import UTC, datetime

from crossdock.core.config import settings
from crossdock.deployment import QUEUES
from crossdock.stock import compose as stock_compose
from crossdock.stock.storage.tables import ListingModel
from crossdock.stock.usecases.file import parse_stock_file
from crossdock_local.aws.runner import LocalRunner
from crossdock_local.aws.stack import LocalStack
from crossdock_local.demos.orders.shops import CATALOGUE, DemoShops

SHOPS = {"amazon-us": "amazon", "shopify-uk": "shopify", "ebay-de": "ebay"}
BATCH = {"amazon": 25_000, "shopify": 250, "ebay": 25}
FEED_CALLS = ("createFeedDocument", "createFeed", "getFeed", "getFeedDocument")
COUNTED = {
    "amazon": (*FEED_CALLS, "patchListingsItem"),
    "shopify": ("graphql",),
    "ebay": ("bulkUpdatePriceQuantity",),
}
FIFO_BATCH = 10  # what the stock-changes FIFO hands one invocation


def minimum(channel: str, skus: int) -> int:
    feeds_or_calls = math.ceil(skus / BATCH[channel])
    return 4 * feeds_or_calls if channel == "amazon" else feeds_or_calls


def register(shops: DemoShops, skus: list[str]) -> None:
    with ListingModel.batch_write() as batch:
        for shop_id, channel in SHOPS.items():
            sandbox = shops.sandbox_of(shop_id)
            for sku in skus:
                ref = sandbox.add_listing(shop_id, sku, 0)
                batch.save(
                    ListingModel(sku, f"{channel}#{shop_id}", channel=channel, shop_id=shop_id, ref=ref)
                )


def run(count: int, rate_scale: float) -> dict[str, object]:
    skus = [f"CHG-{n:05d}" for n in range(count)]
    plans = tuple(p for p in CATALOGUE if p.shop_id in SHOPS)
    with (
        LocalStack(rate_scale=rate_scale) as stack,
        DemoShops(plans, rate_scale=rate_scale, orders=1) as shops,
        open(os.devnull, "w", encoding="utf-8") as quiet,
    ):
        shops.register(stack.settings, datetime.now(UTC))
        register(shops, skus)
        runner = LocalRunner(
            {q.logical_id: stack.queue_url(q) for q in QUEUES},
            visibility_timeout_s=5,
            max_batches=count,
            log_stream=quiet,
        )
        before = {shop_id: dict(shops.sandbox_of(shop_id).stats) for shop_id in SHOPS}
        began = time.perf_counter()
        rows = "".join(f"{sku},own:sz,{(n * 7) % 50 + 20}\n" for n, sku in enumerate(skus))
        stock_compose.own_stock(settings()).import_rows(parse_stock_file("sku,warehouse,on_hand\n" + rows))
        imported = time.perf_counter() - began
        rounds = 0
        while rounds < 50:
            cycle = runner.run_cycle(fire=[])
            rounds += 1
            if not any(d.batches for d in cycle.drained.values()):
                break
        wall = time.perf_counter() - began
        figures: dict[str, object] = {"wall_s": wall, "import_s": imported, "rounds": rounds}
        for shop_id, channel in SHOPS.items():
            sandbox = shops.sandbox_of(shop_id)
            stats = {k: v - before[shop_id].get(k, 0) for k, v in sandbox.stats.items()}
            calls = {op: int(stats.get(f"calls:{op}", 0)) for op in COUNTED[channel]}
            wrong = sum(
                1
                for n, sku in enumerate(skus)
                if sandbox.quantity(shop_id, sku) != _sellable((n * 7) % 50 + 20)
            )  # type: ignore[attr-defined]
            figures[channel] = {"calls": calls, "api": sum(calls.values()), "wrong": wrong}
        figures["marked_left"] = sum(1 for li in ListingModel.scan() if li.dirty_version is not None)
        return figures


def _sellable(units: int) -> int:
    return math.floor(units * 0.95)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rate_scale = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
    print(f"\nStock push, change path: {count:,} SKUs changed by one import → Amazon, Shopify, eBay\n")
    result = run(count, rate_scale)
    header = f"{'channel':<8} {'API calls':>9} {'minimum':>8} {'calls/min':>9} {'before':>7} {'wrong':>6}"
    print(header)
    print("-" * len(header))
    for channel in ("amazon", "shopify", "ebay"):
        r = result[channel]
        assert isinstance(r, dict)
        low = minimum(channel, count)
        before = math.ceil(count / FIFO_BATCH) * (4 if channel == "amazon" else 1)
        print(f"{channel:<8} {r['api']:>9,} {low:>8,} {r['api'] / low:>9.3f} {before:>7,} {r['wrong']:>6}")
    amazon = result["amazon"]
    assert isinstance(amazon, dict)
    feeds = amazon["calls"]["createFeed"]
    wall = float(result["wall_s"])  # type: ignore[arg-type]
    print(
        f"\nJSON_LISTINGS_FEEDs created: {feeds} in {wall:.0f} s (limit 5 per 5 minutes per region: "
        f"{'kept' if feeds <= 5 * max(1, math.ceil(wall / 300)) else 'EXCEEDED'}). "
        f"Wall {wall:.1f} s for the whole path (import {float(result['import_s']):.1f} s; moto writes bound it), "  # type: ignore[arg-type]
        f"{result['rounds']} runner rounds, rates ×{rate_scale:g}, marks left {result['marked_left']}."
    )
    print(f"  calls: { {ch: result[ch]['calls'] for ch in ('amazon', 'shopify', 'ebay')} }")  # type: ignore[index]
    print(
        "Goal: calls/min ≤ 1.1 per channel, feeds within the limit, wrong = 0. 'before' = one push per FIFO "
        "batch of 10 SKUs (Amazon: a feed of 4 calls each), as the change path cost without the flush."
    )


if __name__ == "__main__":
    main()
