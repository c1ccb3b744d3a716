"""One suppliers worker in its own process (peak RSS = its own), as one of the concurrent Lambdas.

Reads a JSON job on stdin: the local stack's environment, the rate factor, how many workers run at
once, and this worker's planned tasks. Each task is checked by a checker built afresh, as the
deployed handler builds one per record (so its client's bucket starts full each time, as in Lambda).
Prints one JSON line of figures."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections import Counter
from dataclasses import replace

from crossdock.core.config import Settings
from crossdock.core.http import CallStats
from crossdock.suppliers import compose as suppliers_compose
from crossdock.suppliers.usecases.sources import SupplierSources


def main() -> None:
    job = json.loads(sys.stdin.read())
    os.environ.update(job["env"])
    settings = replace(Settings.from_env(), rate_scale=job["scale"], worker_concurrency=job["workers"])
    wire = CallStats()
    reads = checked = 0
    chosen_rank: Counter[str] = Counter()  # "primary", "alternate 1", …, "blocked"
    rejected: Counter[str] = Counter()
    busy = 0.0
    began = time.perf_counter()
    for skus in job["tasks"]:
        started = time.perf_counter()
        sources = SupplierSources(settings)
        report = suppliers_compose.supplier_checker(settings, suppliers=sources).check(skus)
        busy += time.perf_counter() - started
        wire.merge(sources.stats("1688"))
        reads, checked = reads + report.reads, checked + report.checked
        rejected.update(report.rejected)
        for decision in report.decisions:
            rank = int(decision.chosen.ref.product_id[-1]) if decision.chosen else -1
            chosen_rank["blocked" if rank < 0 else "primary" if rank == 0 else f"alternate {rank}"] += 1
    wall = time.perf_counter() - began
    print(
        json.dumps(
            {
                "checked": checked,
                "reads": reads,
                "chosen": dict(chosen_rank),
                "rejected": dict(rejected),
                "calls": wire.total_calls,
                "retries": wire.retries,
                "faults": dict(wire.faults),
                "waited_s": wire.waited_s,
                "busy_s": busy,
                "wall_s": wall,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
