"""One channel's stock push of N SKUs in its own process (peak RSS = the writer's alone).

Reads a JSON job on stdin, prints one JSON line of figures."""

from __future__ import annotations

import json
import resource
import sys
import time

from crossdock.channels.registry import channel
from crossdock.channels.spec import ShopContext
from crossdock.core.http import ChannelHttp
from crossdock.stock.rules.sellable import Listing, QuantityUpdate


def main() -> None:
    job = json.loads(sys.stdin.read())
    spec = channel(job["channel"])
    assert spec.stock is not None
    http = ChannelHttp(spec.name, spec.rates, rate_scale=job["rate_scale"])
    writer = spec.stock(
        ShopContext(
            shop_id=job["shop_id"],
            credentials=job["credentials"],
            http=http,
            endpoints=job["endpoints"],
            settings=job["options"],
        )
    )
    updates = [
        QuantityUpdate(Listing(sku, spec.name, job["shop_id"], ref, last_accepted=0), qty, 1)
        for sku, ref, qty in job["listings"]
    ]
    began = time.perf_counter()
    statuses: dict[str, int] = {}
    for start in range(0, len(updates), writer.max_batch):
        for outcome in writer.push(updates[start : start + writer.max_batch]):
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    wall = time.perf_counter() - began
    print(
        json.dumps(
            {
                "statuses": statuses,
                "calls": dict(http.stats.calls),
                "consumed": dict(http.stats.consumed),
                "retries": http.stats.retries,
                "faults": dict(http.stats.faults),
                "wall_s": wall,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
