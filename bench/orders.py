"""`make bench` — order pull: 10,000 changed orders per channel from the sandboxes.

Per channel, printed as ratios against a baseline measured or derived in the same run:
- listing calls ÷ the minimum the channel's page size allows (goal ≤ 1.05); detail calls (Taobao
  fullinfo for buyer messages and waybills, eBay shipping fulfillments) are printed beside, with what
  they buy;
- wall time ÷ the bound the documented rate limit implies, max over operations of
  (tokens spent − burst) ÷ rate (goal ≤ 1.2). Sandbox and client run the documented rates faster by
  the same factor (printed), chosen so each bound is ~10 s;
- peak RSS of the pulling process (goal ≤ 256 MB) — the sandbox and its book live in this process;
- Shopify's 20-hour window is ≥ its `bulk_from_minutes` (1 h), so it is read by one bulk operation:
  its calls (currentBulkOperation, the run, the polls, the JSONL download) against the bulk minimum
  (4, whatever the number of orders; goal ≤ 10 calls), beside the paged query's calls for the same
  window in the same run (`shopify-paged`, the shop option `bulk_from_minutes: off`) as the baseline;
- each handler's cold import time ÷ `import boto3` in a fresh interpreter (goal ≤ 2).
"""

from __future__ import annotations

import argparse
import math
from datetime import UTC, datetime, timedelta

from crossdock.channels.registry import channel
from crossdock.channels.shopify.bulk import MINIMUM_CALLS as SHOPIFY_BULK_MINIMUM
from crossdock_local.demos.orders.shops import CATALOGUE, SANDBOXES
from crossdock_local.sandboxes.orderbook import OrderBook

from bench.common import bound_seconds, run_child

# Speed-up of the documented rates, per channel, so every bound lands near ten seconds.
# Taobao's bound is its fullinfo calls, one per order with a buyer message (1 in 5: ~2,000): sequential
# round trips, so at ×10 (~20 s) each has 10 ms, well above the loopback's few ms.
RATE_SCALE = {"taobao": 10.0, "amazon": 1000.0, "shopify": 30.0, "ebay": 20.0}
DETAIL_NOTE = {
    "taobao.trade.fullinfo.get": "buyer messages, and waybills of shipped trades",
    "getShippingFulfillments": "tracking of shipped orders",
}


def run_channel(name: str, orders: int, seed: int, options: dict | None = None) -> dict:
    plan = next(p for p in CATALOGUE if p.channel == name)
    now = datetime.now(UTC)
    end = now - channel(name).limits.settle_lag - timedelta(minutes=5)
    start = end - timedelta(hours=20)
    book = OrderBook(
        plan.shop_id, plan.currency, id_format=plan.id_format, seed=seed, rate_to_cny=plan.cny_per_unit
    )
    book.populate(orders, start=start, end=end)
    scale = RATE_SCALE[name]
    sandbox = SANDBOXES[name](rate_scale=scale).start()
    try:
        shop = sandbox.add_shop(plan.shop_id, book)
        job = {
            "channel": name,
            "shop_id": plan.shop_id,
            "credentials": shop.credentials,
            "options": {**shop.options, **(options or {})},
            "endpoints": shop.endpoints,
            "rate_scale": scale,
            "start": (start - timedelta(seconds=1)).isoformat(),
            "end": (end + timedelta(seconds=1)).isoformat(),
        }
        result = run_child("bench.pull_child", job, f"{name}: the pull")
    finally:
        sandbox.stop()
    spec = channel(name)
    list_op = next(iter(spec.rates))
    result["scale"] = scale
    result["expected"] = orders
    result["minimum"] = spec.minimum_calls(orders) * result["windows"]
    result["list_calls"] = result["calls"].get(list_op, 0)
    if result["calls"].get("bulkDownload"):  # read in bulk: every call of the operation counts
        result["minimum"] = SHOPIFY_BULK_MINIMUM * result["windows"]
        result["list_calls"] = sum(result["calls"].values())
    result["bound_s"], result["bound_op"] = bound_seconds(name, result["consumed"], scale)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--channels", default="taobao,amazon,shopify,ebay")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    print(f"Order pull: {args.orders:,} changed orders per channel, sandboxes on 127.0.0.1\n")
    header = (
        f"{'channel':<13} {'orders':>7} {'list calls':>10} {'minimum':>8} {'calls/min':>9} {'detail calls':>13} "
        f"{'wall s':>7} {'bound s':>8} {'wall/bound':>10} {'rate ×':>7} {'peak RSS MB':>11}"
    )
    print(header)
    print("-" * len(header))
    notes = []
    runs = []
    for name in args.channels.split(","):
        if name == "shopify":  # today's paged reading of the same window, as the baseline
            runs.append(
                ("shopify-paged", run_channel(name, args.orders, args.seed, {"bulk_from_minutes": "off"}))
            )
        runs.append((name, run_channel(name, args.orders, args.seed)))
    for name, r in runs:
        detail = {op: n for op, n in r["calls"].items() if op in DETAIL_NOTE}
        ratio = r["list_calls"] / r["minimum"]
        time_ratio = r["wall_s"] / r["bound_s"] if r["bound_s"] else math.nan
        print(
            f"{name:<13} {r['orders']:>7,} {r['list_calls']:>10,} {r['minimum']:>8,} {ratio:>9.3f} "
            f"{sum(detail.values()):>13,} {r['wall_s']:>7.2f} {r['bound_s']:>8.2f} {time_ratio:>10.3f} "
            f"{r['scale']:>7g} {r['peak_rss_mb']:>11.1f}"
        )
        if r["orders"] != r["expected"]:
            notes.append(f"{name}: pulled {r['orders']} distinct orders of {r['expected']}!")
        for op, n in detail.items():
            notes.append(f"{name}: {n:,} {op} calls — {DETAIL_NOTE[op]} (one per such order, not pageable)")
        if r["retries"] or r["faults"]:
            notes.append(f"{name}: {r['retries']} retries, faults {r['faults']}")
        notes.append(
            f"{name}: bound set by {r['bound_op']} (tokens spent {r['consumed'].get(r['bound_op'], 0):,.0f})"
        )
    print("\nGoals: calls/min ≤ 1.05, wall/bound ≤ 1.2, peak RSS ≤ 256 MB; Shopify by bulk: calls ≤ 10.")
    by_name = dict(runs)
    if "shopify" in by_name and "shopify-paged" in by_name:
        paged, bulk = by_name["shopify-paged"], by_name["shopify"]
        notes.append(
            f"shopify: {paged['list_calls']:,} paged calls → {bulk['list_calls']:,} bulk calls "
            f"({dict(bulk['calls'])}), peak RSS {paged['peak_rss_mb']:.0f} → {bulk['peak_rss_mb']:.0f} MB; "
            "a bulk read spends almost no cost points, so it has no rate bound (wall/bound nan)"
        )
    for line in notes:
        print(f"  - {line}")


if __name__ == "__main__":
    main()
