"""Cold import time of each Lambda handler ÷ `import boto3`, each in a fresh interpreter.

Run as `python -m bench.imports` (also part of `bench.orders`). Both sides are measured the same
way: site-packages (boto3, Powertools, pynamodb) is bytecode-compiled when pip installs it, so the
crossdock package is compiled too (into a temporary copy) — the ratio then measures how much code a
handler loads, not how long the compiler takes. Each figure is the best of `RUNS` interpreters,
handlers and baseline interleaved, so a busy machine slows both alike.
"""

from __future__ import annotations

import compileall
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from crossdock.deployment import FUNCTIONS

ROOT = Path(__file__).resolve().parent.parent
GOAL = 1.5  # every handler's cold import ≤ 1.5 × import boto3
RUNS = 7

_TIMER = """
import importlib.util, sys, time
t = time.perf_counter()
{body}
print(time.perf_counter() - t)
"""
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
    """(function folder, seconds, ratio to `import boto3`), the baseline first."""
    folders = sorted({f.folder for f in FUNCTIONS})
    with tempfile.TemporaryDirectory() as tmp:
        layer = Path(tmp)
        shutil.copytree(
            ROOT / "shared" / "crossdock", layer / "crossdock", ignore=shutil.ignore_patterns("__pycache__")
        )
        compileall.compile_dir(layer / "crossdock", quiet=1)
        bodies = {"import boto3 (baseline)": "import boto3"}
        bodies |= {f: _HANDLER.format(path=str(ROOT / "functions" / f / "handler.py")) for f in folders}
        best = dict.fromkeys(bodies, float("inf"))
        for _ in range(runs):
            for name, body in bodies.items():
                best[name] = min(best[name], _once(body, layer))
    baseline = best.pop("import boto3 (baseline)")
    return [("import boto3 (baseline)", baseline, 1.0)] + [(f, s, s / baseline) for f, s in best.items()]


def main() -> None:
    rows = handler_import_ratios()
    print(
        f"Cold import (best of {RUNS} fresh interpreters, bytecode as installed), goal ≤ {GOAL}× import boto3:"
    )
    for name, seconds, ratio in rows:
        mark = "" if ratio <= GOAL else "   over the goal"
        print(f"  {name:<28} {seconds * 1000:>7.0f} ms   {ratio:>5.2f}×{mark}")
    worst = max(ratio for _, _, ratio in rows)
    print(
        f"  worst {worst:.2f}× — {'within' if worst <= GOAL else 'OVER'} the {GOAL}× goal ({len(rows) - 1} handlers)"
    )


if __name__ == "__main__":
    main()
