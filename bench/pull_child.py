"""One channel's pull in its own process, so its peak RSS is the adapter's alone (the sandbox and
its 10,000-order book live in the parent). Prints one JSON line of figures."""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import datetime, timedelta

from crossdock.channels.registry import channel
from crossdock.channels.spec import ShopContext
from crossdock.core.http import ChannelHttp
from crossdock.orders.rules.windows import plan_windows


def main() -> None:
    job = json.loads(sys.stdin.read())
    spec = channel(job["channel"])
    start, end = datetime.fromisoformat(job["start"]), datetime.fromisoformat(job["end"])
    http = ChannelHttp(spec.name, spec.rates, rate_scale=job["rate_scale"])
    source = spec.build(
        ShopContext(
            shop_id=job["shop_id"],
            credentials=job["credentials"],
            http=http,
            endpoints=job["endpoints"],
            settings=job["options"],
        )
    )
    windows = plan_windows(
        checkpoint=start,
        now=end + spec.limits.settle_lag,
        limits=spec.limits,
        overlap=timedelta(0),
        backfill=timedelta(0),
    )
    began = time.perf_counter()
    ids: set[str] = set()
    for window in windows:
        for page in source.pages(window):
            ids.update(order.order_id for order in page)
    wall = time.perf_counter() - began
    print(
        json.dumps(
            {
                "orders": len(ids),
                "windows": len(windows),
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
