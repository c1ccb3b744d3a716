"""Tracking workers of one refresh round in their own process (peak RSS = theirs alone).

Reads a JSON job on stdin: the local stack's environment and planned tasks grouped by the
carrier's first source. One thread per source group works its tasks in sequence, so the source's
rate limit is honoured as a whole (the bench gives each source its own process). Prints one JSON
line of figures."""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
import traceback
from dataclasses import replace
from typing import Any

from crossdock.core.config import Settings
from crossdock.tracking import compose as tracking_compose
from crossdock.tracking.usecases.sources import TrackingSources


def work(settings: Settings, tasks: list[list[str]], out: dict[str, Any]) -> None:
    try:
        _work(settings, tasks, out)
    except Exception:  # reported to the parent, which fails the bench
        out["error"] = traceback.format_exc()


def _work(settings: Settings, tasks: list[list[str]], out: dict[str, Any]) -> None:
    sources = TrackingSources(settings)
    refresher = tracking_compose.tracking_refresher(settings, sources=sources)
    answered: dict[str, int] = {}
    busy = 0.0
    for keys in tasks:
        began = time.perf_counter()
        report = refresher.refresh(keys)
        busy += time.perf_counter() - began
        for name, n in report.answered_by.items():
            answered[name] = answered.get(name, 0) + n
        out["followed_up"] = out.get("followed_up", 0) + len(report.followed_up)
    out["answered"] = answered
    out["busy_s"] = busy
    out["calls"] = {name: dict(sources.stats(name).calls) for name in sources.opened()}
    out["waited_s"] = {name: sources.stats(name).waited_s for name in sources.opened()}
    out["consumed"] = {name: dict(sources.stats(name).consumed) for name in sources.opened()}


def main() -> None:
    job = json.loads(sys.stdin.read())
    os.environ.update(job["env"])
    base = Settings.from_env()
    results: dict[str, dict[str, Any]] = {name: {} for name in job["tasks"]}
    threads = [
        threading.Thread(
            target=work, args=(replace(base, rate_scale=job["scales"][name]), tasks, results[name]), name=name
        )
        for name, tasks in job["tasks"].items()
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    errors = [r["error"] for r in results.values() if "error" in r]
    if errors:
        raise SystemExit("a worker failed:\n" + "\n".join(errors))
    print(
        json.dumps(
            {
                "groups": results,
                "wall_s": wall,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
