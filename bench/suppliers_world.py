"""The supplier bench's world: 1,000 products with four 1688 offers each, in two scenarios, and the
1688 sandbox serving them from its own process.

Scenario A: every primary fresh (its update time 1–45 min old) with enough stock. Scenario B, a
realistic mix: 20 % of primaries fail the freshness gate (15 % stale, 61 min–12 h; 5 % without an
update time); each alternate is short of stock with 5 %, stale with 5 %. Update times come in each
format the platform uses. The same seed gives the same world in every process.

`python -m bench.suppliers_world` reads {"products", "scale"} on stdin, starts the sandbox (no
faults, the assumed 10 calls/s × scale), prints its credentials and endpoints; then answers one JSON
line per command: {"scenario": "A"|"B"} publishes that world's offers (now) and zeroes the counters;
{"stats": true} prints the counters; an empty line ends it. Apart from moto's process, so the
gateway's answers do not queue behind moto's DynamoDB work for the one interpreter lock.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crossdock_local.sandboxes.alibaba1688.server import TIME_FORMATS, Alibaba1688Sandbox

SUPPLIERS = 4
NEED = 50  # every product's reorder quantity
STALE = ("stale", "missing")  # rejected by the gate: read twice
PRIMARY_MIX = {"A": (("fresh", 1.0),), "B": (("stale", 0.15), ("missing", 0.05), ("fresh", 0.80))}
ALTERNATE_MIX = (("short", 0.05), ("stale", 0.05), ("fresh", 0.90))


@dataclass(frozen=True)
class BenchOffer:
    product_id: str
    state: str  # fresh | short | stale | missing
    stock: int
    age_minutes: float | None  # None: no update time
    time_format: str


def _draw(rng: random.Random, mix: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random()
    for state, share in mix:
        if roll < share:
            return state
        roll -= share
    return mix[-1][0]


def _offer(rng: random.Random, product_id: str, state: str) -> BenchOffer:
    stock = rng.randrange(NEED) if state == "short" else rng.randrange(NEED * 2, NEED * 40)
    age = {"stale": rng.uniform(61, 12 * 60), "missing": None}.get(state, rng.uniform(1, 45))
    return BenchOffer(product_id, state, stock, age, rng.choice(TIME_FORMATS))


def sku_of(index: int) -> str:
    return f"BENCH-{index:05d}"


def world(products: int, scenario: str) -> Iterator[tuple[str, list[BenchOffer]]]:
    """Each product's SKU and its offers, primary first."""
    rng = random.Random(f"suppliers:{scenario}")
    for i in range(products):
        states = [
            _draw(rng, PRIMARY_MIX[scenario]),
            *(_draw(rng, ALTERNATE_MIX) for _ in range(SUPPLIERS - 1)),
        ]
        yield sku_of(i), [_offer(rng, f"7{i:06d}{rank}", state) for rank, state in enumerate(states)]


def minimum_reads(offers: list[BenchOffer]) -> int:
    """The reads the rule requires: down the priority list, 2 for an offer the gate rejects (a read and
    its one retry), 1 for a fresh one; stop at the first fresh offer with enough stock."""
    reads = 0
    for offer in offers:
        if offer.state in STALE:
            reads += 2
            continue
        reads += 1
        if offer.state == "fresh":
            break
    return reads


def publish(sandbox: Alibaba1688Sandbox, products: int, scenario: str, now: datetime) -> None:
    for _, offers in world(products, scenario):
        for offer in offers:
            updated = None if offer.age_minutes is None else now - timedelta(minutes=offer.age_minutes)
            sandbox.add_offer(
                offer.product_id,
                updated_at=updated,
                amount_on_sale=offer.stock,
                price_ranges=[(1, "12.80")],
                time_format=offer.time_format,
            )


def main() -> None:
    job = json.loads(sys.stdin.readline())
    sandbox = Alibaba1688Sandbox(rate_scale=job["scale"])
    sandbox.start()
    try:
        print(json.dumps({"credentials": sandbox.credentials, "endpoints": sandbox.endpoints}), flush=True)
        for line in sys.stdin:
            if not line.strip():
                break
            command = json.loads(line)
            if "scenario" in command:
                publish(sandbox, job["products"], command["scenario"], datetime.now(UTC))
                sandbox.stats.clear()
                print(json.dumps({"ready": command["scenario"]}), flush=True)
            else:
                print(json.dumps(dict(sandbox.stats)), flush=True)
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
