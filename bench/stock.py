"""`make bench` — stock push: 10,000 SKUs to Amazon, Shopify and eBay through the sandboxes.

Per channel: API calls ÷ the minimum the batch sizes allow (goal ≤ 1.1), beside the calls a naive
per-SKU loop would make; wall time ÷ the rate-limit bound (goal ≤ 1.2; documented rates sped up by
the printed factor in sandbox and client alike); peak RSS of the pushing process (goal ≤ 256 MB).
Amazon's minimum is the feed flow: createFeedDocument + createFeed + getFeed (≥ 1 poll) +
getFeedDocument per 25,000 messages; the presigned document upload and report download are S3,
not SP-API calls, and are printed apart.
"""

from __future__ import annotations

import math
import sys
from typing import Any

from crossdock_local.demos.orders.shops import CATALOGUE, SANDBOXES
from crossdock_local.sandboxes.orderbook import OrderBook

from bench.common import bound_seconds, run_child

SCALE = {"amazon": 50.0, "shopify": 1.0, "ebay": 20.0}
NOT_API = {"uploadFeedDocument", "downloadReport"}  # presigned S3, not SP-API


def minimum_calls(name: str, skus: int, max_batch: int) -> int:
    if name == "amazon":
        return 4 * math.ceil(skus / max_batch)
    return math.ceil(skus / max_batch)


def run(name: str, skus: int) -> dict[str, Any]:
    plan = next(p for p in CATALOGUE if p.channel == name)
    sandbox = SANDBOXES[name](rate_scale=SCALE[name]).start()
    try:
        shop = sandbox.add_shop(plan.shop_id, OrderBook(plan.shop_id, plan.currency))
        listings = []
        for i in range(skus):
            sku = f"SKU-{i:05d}"
            listings.append((sku, sandbox.add_listing(plan.shop_id, sku, 0), (i * 7) % 50))  # type: ignore[attr-defined]
        job = {
            "channel": name,
            "shop_id": plan.shop_id,
            "credentials": shop.credentials,
            "options": shop.options,
            "endpoints": shop.endpoints,
            "rate_scale": SCALE[name],
            "listings": listings,
        }
        result = run_child("bench.stock_child", job, f"{name}: the push")
        wrong = sum(1 for sku, _, qty in listings if sandbox.quantity(plan.shop_id, sku) != qty)  # type: ignore[attr-defined]
    finally:
        sandbox.stop()
    writer_batch = {"amazon": 25_000, "shopify": 250, "ebay": 25}[name]
    api_calls = {
        op: n for op, n in result["calls"].items() if op not in NOT_API and "token" not in op.lower()
    }
    result["api_calls"] = sum(api_calls.values())
    result["other_calls"] = {op: n for op, n in result["calls"].items() if op not in api_calls}
    result["minimum"] = minimum_calls(name, skus, writer_batch)
    result["wrong"] = wrong
    result["bound_s"], _ = bound_seconds(name, result["consumed"], SCALE[name])
    return result


def main() -> None:
    skus = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print(f"\nStock push: {skus:,} SKUs per channel, sandboxes on 127.0.0.1\n")
    header = (
        f"{'channel':<8} {'API calls':>9} {'minimum':>8} {'calls/min':>9} {'naive':>7} {'wall s':>7} "
        f"{'bound s':>8} {'wall/bound':>10} {'rate ×':>7} {'RSS MB':>7} {'wrong':>6}"
    )
    print(header)
    print("-" * len(header))
    notes = []
    for name in ("amazon", "shopify", "ebay"):
        r = run(name, skus)
        ratio = r["wall_s"] / r["bound_s"] if r["bound_s"] > 0.5 else math.nan
        print(
            f"{name:<8} {r['api_calls']:>9,} {r['minimum']:>8,} {r['api_calls'] / r['minimum']:>9.3f} {skus:>7,} "
            f"{r['wall_s']:>7.2f} {r['bound_s']:>8.2f} {ratio:>10.3f} {SCALE[name]:>7g} {r['peak_rss_mb']:>7.1f} "
            f"{r['wrong']:>6}"
        )
        notes.append(f"{name}: calls {r['calls']}, outcomes {r['statuses']}, retries {r['retries']}")
        if r["other_calls"]:
            notes.append(f"{name}: not SP-API/API-quota calls: {r['other_calls']}")
    print(
        f"\nNaive per-SKU loop: {3 * skus:,} calls for the three channels. Goals: calls/min ≤ 1.1, "
        "wall/bound ≤ 1.2 (n/a when the bound is under 0.5 s), RSS ≤ 256 MB, wrong = 0."
    )
    for line in notes:
        print(f"  - {line}")


if __name__ == "__main__":
    main()
