"""`make bench` — tracking refresh: 10,000 parcels in a realistic carrier mix through the sandboxes.

One refresh round of every parcel (first contact: 17TRACK numbers are registered as well), per
source: API calls ÷ the minimum its batch size allows (goal ≤ 1.1; 4PX asks 1 number a call,
Yanwen 30, 17TRACK 40 + one register call per 40 new numbers), wall time ÷ the rate-limit bound
(goal ≤ 1.2; the sources run concurrently like the Lambda workers, so the round's bound is the
slowest source's (calls − burst) ÷ rate, documented or assumed rates sped up by the printed factor
in sandbox and client alike), peak RSS of the largest worker process. The local stack (moto) runs
in this process, the sandboxes in one child process, and each source's worker in its own.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from crossdock.carriers.registry import SOURCES
from crossdock.tracking.rules.chains import chain_for
from crossdock.tracking.rules.policy import TrackingPolicy
from crossdock.tracking.storage.shipments import ShipmentRepository, iso, shard_of
from crossdock.tracking.storage.tables import ShipmentModel
from crossdock.tracking.usecases.admin import connect_source
from crossdock.tracking.usecases.plan import TrackingPlanner
from crossdock_local.aws.stack import LocalStack

from bench.common import ROOT, run_child
from bench.tracking_world import parcels_for

MIX = (
    ("4px", "4PX", 0.35),
    ("yanwen", "Yanwen", 0.35),
    ("yunexpress", "YunExpress", 0.2),
    ("usps", "USPS", 0.1),
)
SCALES = {
    "4px": 4.0,
    "yanwen": 4.0,
    "17track": 4.0,
}  # keeps the API the bottleneck, as in AWS (moto writes ~100 items/s)


class Collect:
    def __init__(self) -> None:
        self.tasks: list[dict[str, Any]] = []

    def enqueue(self, tasks: list[dict[str, Any]], *, delay_s: int = 0) -> int:
        self.tasks += tasks
        return len(tasks)


class NoAlerts:
    def send(self, alert: Any, *, now: datetime) -> bool:
        raise AssertionError(f"unexpected alert in the bench: {alert.subject}")


def populate(parcels: int, now: datetime) -> dict[str, int]:
    """crossdock's parcel items, all due (written in batches: set-up, not measured)."""
    counts: dict[str, int] = {}
    with ShipmentModel.batch_write() as batch:
        for parcel in parcels_for(parcels, now):
            counts[parcel.carrier] = counts.get(parcel.carrier, 0) + 1
            key = f"{parcel.carrier}#{parcel.number}"
            batch.save(
                ShipmentModel(
                    key,
                    tracking_number=parcel.number,
                    carrier=parcel.carrier,
                    carrier_text=parcel.carrier_text,
                    registered_at=parcel.handed_over_at,
                    handed_over_at=parcel.handed_over_at,
                    check_shard=shard_of(key),
                    next_check_at=iso(now - timedelta(minutes=1)),
                )
            )
    return counts


@contextmanager
def sandboxes(parcels: int, now: datetime) -> Iterator[tuple[dict[str, Any], subprocess.Popen[str]]]:
    """The tracking sandboxes in their own process (bench.tracking_world)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(ROOT / p) for p in ("shared", "local", "cli", ".")))
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.tracking_world"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(json.dumps({"parcels": parcels, "now": now.isoformat(), "scales": SCALES}) + "\n")
        process.stdin.flush()
        yield json.loads(process.stdout.readline()), process
    finally:
        process.kill()


def minimum(source: str, numbers: int) -> int:
    """Fewest calls to ask about `numbers` new numbers: sources that need registration (17TRACK)
    also register them, one call per batch."""
    calls = SOURCES[source].minimum_calls(numbers)
    return 2 * calls if SOURCES[source].registers else calls


def workers(env: dict[str, str], by_source: dict[str, list[list[str]]]) -> dict[str, Any]:
    """One worker process per source, all at once (as concurrent Lambdas are separate processes):
    the round's wall time is the slowest's, the peak RSS the largest."""

    def one(name: str) -> dict[str, Any]:
        job = {"env": env, "tasks": {name: by_source[name]}, "scales": SCALES}
        return run_child("bench.tracking_child", job, f"the {name} worker")

    with ThreadPoolExecutor(max_workers=len(by_source)) as pool:
        runs = list(pool.map(one, sorted(by_source)))
    return {
        "groups": {name: run["groups"][name] for name, run in zip(sorted(by_source), runs, strict=True)},
        "wall_s": max(run["wall_s"] for run in runs),
        "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
    }


def run(parcels: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    with LocalStack(rate_scale=1.0) as stack, sandboxes(parcels, now) as (served, world):
        for name, source in served.items():
            connect_source(stack.settings, name, source["credentials"], source["endpoints"])
        counts = populate(parcels, now)
        collect = Collect()
        chains = {"4px": ("4px", "17track"), "yanwen": ("yanwen", "17track"), "*": ("17track",)}
        TrackingPlanner(
            ShipmentRepository(), collect, NoAlerts(), TrackingPolicy(), chains, lambda: now
        ).plan()
        by_source: dict[str, list[list[str]]] = {}
        for task in collect.tasks:
            by_source.setdefault(chain_for(task["carrier"], chains)[0], []).append(task["parcels"])
        result = workers(dict(stack.env), by_source)
        assert world.stdin is not None and world.stdout is not None
        world.stdin.write("done\n")
        world.stdin.flush()
        result["sandbox"] = json.loads(world.stdout.readline())
    result["counts"] = counts
    result["asked"] = {name: sum(len(t) for t in tasks) for name, tasks in by_source.items()}
    return result


def main() -> None:
    parcels = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print(f"\nTracking refresh: {parcels:,} parcels, one round, sandboxes on 127.0.0.1\n")
    r = run(parcels)
    header = (
        f"{'source':<8} {'numbers':>8} {'API calls':>9} {'minimum':>8} {'calls/min':>9} "
        f"{'bound s':>8} {'rate ×':>7} {'answered':>9}"
    )
    print(header)
    print("-" * len(header))
    total_calls = total_min = 0
    worst_bound = 0.0
    for name, asked in sorted(r["asked"].items()):
        group = r["groups"][name]
        calls = sum(group["calls"].get(name, {}).values())
        floor = minimum(name, asked)
        total_calls, total_min = total_calls + calls, total_min + floor
        bound = 0.0
        for op, spent in group["consumed"].get(name, {}).items():
            rate = SOURCES[name].rates[op].scaled(SCALES[name])
            bound = max(bound, max(0.0, spent - rate.burst) / rate.per_second)
        worst_bound = max(worst_bound, bound)
        print(
            f"{name:<8} {asked:>8,} {calls:>9,} {floor:>8,} {calls / floor:>9.3f} {bound:>8.2f} "
            f"{SCALES[name]:>7g} {sum(group['answered'].values()):>9,}"
        )
    ratio = r["wall_s"] / worst_bound if worst_bound > 0.5 else math.nan
    print("-" * len(header))
    print(
        f"{'all':<8} {sum(r['asked'].values()):>8,} {total_calls:>9,} {total_min:>8,} {total_calls / total_min:>9.3f}"
        f" {worst_bound:>8.2f}\n\nwall {r['wall_s']:.2f} s ÷ bound {worst_bound:.2f} s = {ratio:.3f}"
        f" (goal ≤ 1.2); peak RSS of the workers {r['peak_rss_mb']:.1f} MB"
    )
    for name, group in sorted(r["groups"].items()):
        waited = sum(group["waited_s"].values())
        print(
            f"  {name} worker: busy {group['busy_s']:.2f} s, of which waiting on rate limits {waited:.2f} s"
        )
    print(
        f"carrier mix: {r['counts']}; followed up (no source answered): "
        f"{sum(g.get('followed_up', 0) for g in r['groups'].values())}"
    )
    print(
        "A naive loop asking every number of its own: "
        f"{parcels:,} calls; an aggregator-only design: {2 * math.ceil(parcels / 40):,} calls but no failover."
    )


if __name__ == "__main__":
    main()
