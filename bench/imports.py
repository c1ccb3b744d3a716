"""Cold import time of each Lambda handler ÷ `import boto3`, each in a fresh interpreter.

Run as `python -m bench.imports` (the first step of `make bench`). Both sides are measured the same
way: site-packages (boto3, Powertools, pynamodb) is bytecode-compiled when pip installs it, so the
crossdock package is compiled too (into a temporary copy) — the ratio then measures how much code a
handler loads, not how long the compiler takes. Each figure is a median of `RUNS` rounds,
the ratio taken within each round (a median over 15 rounds), so a busy machine slows both alike.
"""

from __future__ import annotations

import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from crossdock.deployment import FUNCTIONS

ROOT = Path(__file__).resolve().parent.parent
GOAL = 1.5  # every handler's cold import ≤ 1.5 × import boto3
RUNS = 15

_TIMER = """
import importlib.util, sys, time
t = time.perf_counter()
{body}
print(time.perf_counter() - t)
"""
# What a handler needs before any crossdock code: the libraries alone, as a scheduled handler and an SQS
# worker import them (Powertools with X-Ray patching boto3, pynamodb, the event data classes / batch).
_LIBRARIES = (
    "import boto3; from aws_lambda_powertools import Logger, Metrics, Tracer; "
    "Tracer(service='crossdock', patch_modules=('boto3',)); import pynamodb.models; "
)
FLOORS = {
    "libraries alone: scheduled": _LIBRARIES
    + "from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source",
    "libraries alone: SQS worker": _LIBRARIES
    + "from aws_lambda_powertools.utilities.batch import BatchProcessor, process_partial_response",
}
_HANDLER = (
    "spec = importlib.util.spec_from_file_location('handler', {path!r}); "
    "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)"
)


def _once(body: str, layer: Path) -> float:
    # As in Lambda: the layer on the path and the runtime's variables (X-Ray's SDK, for one, starts
    # far lighter when it sees it runs in Lambda).
    env = dict(
        os.environ,
        PYTHONPATH=str(layer),
        PYTHONDONTWRITEBYTECODE="1",
        POWERTOOLS_METRICS_NAMESPACE="Crossdock",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_LAMBDA_FUNCTION_NAME="bench",
        LAMBDA_TASK_ROOT=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, "-c", _TIMER.format(body=body)], env=env, check=True, capture_output=True, text=True
    )
    return float(done.stdout.strip())


def handler_import_ratios(runs: int = RUNS) -> list[tuple[str, float, float]]:
    """(function folder, seconds, ratio to `import boto3`), the baseline first.

    Each round times the baseline, then every handler, in fresh interpreters; a handler's ratio is
    its median over rounds of (its time ÷ that round's baseline), so a slow spell of a shared
    machine slows both sides of the ratio alike. Seconds are medians too."""
    folders = sorted({f.folder for f in FUNCTIONS})
    with tempfile.TemporaryDirectory() as tmp:
        layer = Path(tmp)
        shutil.copytree(
            ROOT / "shared" / "crossdock", layer / "crossdock", ignore=shutil.ignore_patterns("__pycache__")
        )
        compileall.compile_dir(layer / "crossdock", quiet=1)
        bodies = dict(FLOORS)
        bodies |= {f: _HANDLER.format(path=str(ROOT / "functions" / f / "handler.py")) for f in folders}
        baseline: list[float] = []
        seconds: dict[str, list[float]] = {f: [] for f in bodies}
        ratios: dict[str, list[float]] = {f: [] for f in bodies}
        for _ in range(runs):
            base = _once("import boto3", layer)
            baseline.append(base)
            for name, body in bodies.items():
                took = _once(body, layer)
                seconds[name].append(took)
                ratios[name].append(took / base)
    rows = [("import boto3 (baseline)", statistics.median(baseline), 1.0)]
    return rows + [(f, statistics.median(seconds[f]), statistics.median(ratios[f])) for f in bodies]


def main() -> None:
    rows = handler_import_ratios()
    print(
        f"Cold import (median of {RUNS} rounds of fresh interpreters, bytecode as installed), goal ≤ {GOAL}× import boto3:"
    )
    for name, seconds, ratio in rows:
        mark = "" if ratio <= GOAL or name in FLOORS else "   over the goal"
        print(f"  {name:<28} {seconds * 1000:>7.0f} ms   {ratio:>5.2f}×{mark}")
    worst = max(ratio for name, _, ratio in rows if name not in FLOORS)
    print(
        f"  worst {worst:.2f}× — {'within' if worst <= GOAL else 'OVER'} the {GOAL}× goal ({len(rows) - 1 - len(FLOORS)} handlers)"
    )


if __name__ == "__main__":
    main()
