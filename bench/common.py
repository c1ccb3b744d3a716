"""What the benchmarks share: running a measured job in a child process, and the rate-limit bound."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from crossdock.channels.registry import channel

ROOT = Path(__file__).resolve().parent.parent


def run_child(module: str, job: dict[str, Any], what: str) -> dict[str, Any]:
    """Run `python -m module` with `job` on stdin in a fresh process (its peak RSS is its own);
    return the JSON line it prints last."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(ROOT / p) for p in ("shared", "local", "cli", ".")))
    done = subprocess.run(
        [sys.executable, "-m", module],
        input=json.dumps(job),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{what} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def bound_seconds(name: str, consumed: dict[str, float], scale: float) -> tuple[float, str]:
    """The longest any documented bucket forces the work to take: max over operations of
    (tokens spent − burst) ÷ rate, and which operation sets it. Operations without a documented
    rate (S3 uploads) do not bound anything."""
    spec = channel(name)
    worst, which = 0.0, ""
    for op, spent in consumed.items():
        if op not in spec.rates:
            continue
        rate = spec.rates[op].scaled(scale)
        seconds = max(0.0, spent - rate.burst) / rate.per_second
        if seconds >= worst:
            worst, which = seconds, op
    return worst, which
