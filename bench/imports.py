"""Cold import time of each Lambda handler ÷ `import boto3`, each in a fresh interpreter."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

from crossdock.deployment import FUNCTIONS

ROOT = Path(__file__).resolve().parent.parent

_TIMER = """
import importlib.util, sys, time
t = time.perf_counter()
{body}
print(time.perf_counter() - t)
"""


def _time(body: str, runs: int = 5) -> float:
    # As in Lambda: the layer on the path and the runtime's variables (X-Ray's SDK, for one, starts
    # far lighter when it sees it runs in Lambda).
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "shared"),
        POWERTOOLS_METRICS_NAMESPACE="Crossdock",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_LAMBDA_FUNCTION_NAME="bench",
        LAMBDA_TASK_ROOT=str(ROOT),
    )
    samples = [
        float(
            subprocess.run(
                [sys.executable, "-c", _TIMER.format(body=body)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
        for _ in range(runs)
    ]
    return statistics.median(samples)


def handler_import_ratios() -> list[tuple[str, float, float]]:
    """(function, seconds, ratio to `import boto3`)."""
    baseline = _time("import boto3")
    rows = []
    for folder in sorted({f.folder for f in FUNCTIONS}):
        path = ROOT / "functions" / folder / "handler.py"
        body = (
            f"spec = importlib.util.spec_from_file_location('h', {str(path)!r}); "
            "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)"
        )
        seconds = _time(body)
        rows.append((folder, seconds, seconds / baseline))
    rows.insert(0, ("import boto3 (baseline)", baseline, 1.0))
    return rows
