"""`make bench` — supplier freshness: 1,000 products with four 1688 suppliers each, one check round.

Scenario A, every primary fresh: API calls ÷ the 1,000 reads the rule needs (goal ≤ 1.1). Scenario
B, a realistic mix (bench.suppliers_world): calls ÷ the reads the rule requires there — 2 for each
candidate the gate rejects (a read and its one retry), 1 for each fresh one, down the priority list
to the first fresh one with enough stock. For both: wall time ÷ the rate-limit bound, (calls − burst)
÷ rate at the assumed 10 calls/s per app, sped up by the printed factor in sandbox and client alike;
peak RSS of the worker processes. As deployed, the planner cuts the catalog into tasks of 25 and two
workers (the function's maximum concurrency) each pace the platform at half its rate, each task
checked by a checker built afresh as the handler does. The local stack (moto) runs in this process,
the sandbox in one child process, each worker in its own. `python -m bench.suppliers [PRODUCTS
[WORKERS]]` varies the catalog size and the workers at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from crossdock.platforms.alibaba1688.platform import OPERATION, SPEC
from crossdock.suppliers.resources import SUPPLIERS_WORKER
from crossdock.suppliers.rules.sourcing import SourcingEntry, SupplierLink
from crossdock.suppliers.storage.sourcing import SourcingRepository
from crossdock.suppliers.usecases.admin import connect_platform
from crossdock.suppliers.usecases.plan import SupplierPlanner
from crossdock_local.aws.stack import LocalStack

from bench.common import ROOT, run_child
from bench.suppliers_world import NEED, minimum_reads, world

SCALE = 2.0  # ×2: 20 calls/s keeps the platform the bottleneck (each product costs ~3 DynamoDB writes)
WORKERS = SUPPLIERS_WORKER.max_concurrency or 1  # as deployed; `python -m bench.suppliers N W` to vary
SCENARIOS = {
    "A": "every primary fresh",
    "B": "20 % of primaries stale or timeless, 10 % of alternates short/stale",
}


class Collect:
    def __init__(self) -> None:
        self.tasks: list[dict[str, Any]] = []

    def enqueue(self, tasks: Sequence[dict[str, Any]], *, delay_s: int = 0) -> int:
        self.tasks += tasks
        return len(tasks)


def populate(products: int, now: datetime) -> None:
    """The sourcing catalog: a primary and three alternates per product (set-up, not measured)."""
    catalog = SourcingRepository()
    for sku, offers in world(products, "A"):
        links = [
            SupplierLink(f"supplier-{o.product_id}", "1688", o.product_id, None, r)
            for r, o in enumerate(offers)
        ]
        catalog.save_entry(SourcingEntry.create(sku, links), reorder_qty=NEED, now=now)


@contextmanager
def gateway(products: int) -> Iterator[tuple[dict[str, Any], subprocess.Popen[str]]]:
    """The 1688 sandbox in its own process (bench.suppliers_world)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(ROOT / p) for p in ("shared", "local", "cli", ".")))
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.suppliers_world"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        yield ask(process, {"products": products, "scale": SCALE}), process
    finally:
        process.kill()


def ask(process: subprocess.Popen[str], command: dict[str, Any]) -> dict[str, Any]:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(json.dumps(command) + "\n")
    process.stdin.flush()
    answer: dict[str, Any] = json.loads(process.stdout.readline())
    return answer


def workers(env: dict[str, str], tasks: list[list[str]], count: int) -> dict[str, Any]:
    """`count` worker processes at once, the tasks dealt between them as SQS would."""

    def one(n: int) -> dict[str, Any]:
        job = {"env": env, "scale": SCALE, "workers": count, "tasks": tasks[n::count]}
        return run_child("bench.suppliers_child", job, f"suppliers worker {n + 1}")

    with ThreadPoolExecutor(max_workers=count) as pool:
        runs = list(pool.map(one, range(count)))
    total: dict[str, Any] = {
        "wall_s": max(r["wall_s"] for r in runs),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
    }
    for key in ("checked", "reads", "calls", "retries", "busy_s", "waited_s"):
        total[key] = sum(r[key] for r in runs)
    for key in ("chosen", "rejected", "faults"):
        total[key] = dict(sum((Counter(r[key]) for r in runs), Counter()))
    return total


def run(products: int, count: int = WORKERS) -> dict[str, dict[str, Any]]:
    now = datetime.now(UTC)
    results: dict[str, dict[str, Any]] = {}
    with LocalStack(rate_scale=1.0) as stack, gateway(products) as (served, process):
        connect_platform(stack.settings, "1688", served["credentials"], served["endpoints"])
        populate(products, now)
        collect = Collect()
        SupplierPlanner(SourcingRepository(), collect, lambda: now).plan()
        tasks = [task["skus"] for task in collect.tasks]
        for scenario in SCENARIOS:
            ask(process, {"scenario": scenario})
            result = workers(dict(stack.env), tasks, count)
            result["served"] = ask(process, {"stats": True})
            result["minimum"] = sum(minimum_reads(offers) for _, offers in world(products, scenario))
            result["tasks"] = len(tasks)
            results[scenario] = result
    return results


def bound_s(admitted: int) -> float:
    """The shortest time the app's bucket allows for the calls the gateway admitted (a throttled call
    spends no token): (calls − burst) ÷ rate."""
    rate = SPEC.rates[OPERATION].scaled(SCALE)
    return max(0.0, admitted - rate.burst) / rate.per_second


def main() -> None:
    products = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    count = int(sys.argv[2]) if len(sys.argv) > 2 else WORKERS
    rate = SPEC.rates[OPERATION]
    print(
        f"\nSupplier freshness: {products:,} products × 4 suppliers on the 1688 sandbox, one check round;"
        f" {rate.per_second:g} calls/s (burst {rate.burst:g}) per app assumed, ×{SCALE:g} in sandbox and"
        f" client; {count} worker(s) at once, each pacing at 1/{count} of the rate\n"
    )
    results = run(products, count)
    header = (
        f"{'scenario':<9} {'API calls':>9} {'throttled':>9} {'reads':>6} {'minimum':>8} {'calls/min':>9}"
        f" {'bound s':>8} {'wall s':>7} {'wall/bound':>10} {'peak RSS':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        calls = int(r["served"].get(f"calls:{OPERATION}", 0))
        throttled = int(r["served"].get("faults:throttled", 0))
        bound = bound_s(calls - throttled)
        print(
            f"{name:<9} {calls:>9,} {throttled:>9,} {r['reads']:>6,} {r['minimum']:>8,}"
            f" {calls / r['minimum']:>9.3f} {bound:>8.1f} {r['wall_s']:>7.1f} {r['wall_s'] / bound:>10.3f}"
            f" {r['peak_rss_mb']:>6.0f} MB"
        )
    print("-" * len(header))
    print("API calls: what the gateway served, throttled answers and retries included; reads: the checker's.")
    a = results["A"]
    ratio = int(a["served"].get(f"calls:{OPERATION}", 0)) / a["minimum"]
    print(f"goal, scenario A: calls ÷ minimum ≤ 1.1 — {ratio:.3f}, {'met' if ratio <= 1.1 else 'NOT met'}")
    for name, r in results.items():
        chosen = ", ".join(f"{k} {n}" for k, n in sorted(r["chosen"].items()))
        rejected = ", ".join(f"{k} {n}" for k, n in sorted(r["rejected"].items())) or "none"
        print(
            f"{name} ({SCENARIOS[name]}): {r['checked']:,} products in {r['tasks']} tasks; chosen: {chosen};"
            f" candidates rejected: {rejected}; client retries {r['retries']};"
            f" workers busy {r['busy_s']:.1f} s, of which waiting on the rate limit {r['waited_s']:.1f} s"
        )
        if r["rejected"].get("unavailable"):
            print(
                f"  ⚠ {r['rejected']['unavailable']} candidate(s) rejected as unavailable: throttled on every"
                " attempt, so a product moved on to an alternate (or was blocked) without a freshness verdict"
            )
    print(
        f"A design reading every supplier of every product each round: {4 * products:,} calls; one trusting"
        " the primary's stock figures: fewer calls, and the 12-hour-old cache bought against."
    )


if __name__ == "__main__":
    main()
