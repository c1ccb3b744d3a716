"""One synthesis shared by every infra test (session scope), against a layer holding only crossdock.

The layer directory is a tmp copy of shared/crossdock (no pip download); function code is the real
functions/ folder, so a missing handler module fails here exactly as it would at deploy.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Synth:
    app: Any
    stack: Any
    template: Any  # aws_cdk.assertions.Template
    template_path: Path

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return dict(json.loads(self.template_path.read_text())["Resources"])


@pytest.fixture(scope="session")
def layer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    layer = tmp_path_factory.mktemp("layer")
    shutil.copytree(
        ROOT / "shared" / "crossdock",
        layer / "python" / "crossdock",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return layer


@dataclass(frozen=True)
class EntryPointRun:
    """`python infra/app.py` run as the Makefile does, without AWS credentials or alert e-mail."""

    process: subprocess.Popen[str]
    outdir: Path
    finished: list[tuple[int, str]] = field(default_factory=list)  # set by the first wait

    def wait(self) -> tuple[int, str]:
        """(return code, stderr); any number of tests may wait for the same run."""
        if not self.finished:
            _, stderr = self.process.communicate()
            self.finished.append((self.process.returncode, stderr))
        return self.finished[0]


@pytest.fixture(scope="session")
def entry_point_run(tmp_path_factory: pytest.TempPathFactory, layer_dir: Path) -> EntryPointRun:
    outdir = tmp_path_factory.mktemp("entry-point-out")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    process = subprocess.Popen(
        [sys.executable, "infra/app.py", "-c", f"layerDir={layer_dir}", "-o", str(outdir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return EntryPointRun(process, outdir)


# What the CDK CLI's `cdk deploy -c ...` gives cdk.json's "app" (besides cdk.json's own context); the
# shared in-process synth has no shopifyEventSource, this run has one (both halves of the route tests)
SHOPIFY_EVENT_SOURCE = "aws.partner/shopify.com/1234567/crossdock"
CLI_OVERRIDES = {
    "schedule:suppliers-planner": "rate(30 minutes)",
    "deletionProtection": "false",
    "shopifyEventSource": SHOPIFY_EVENT_SOURCE,
}
CLI_UNKNOWN = {"schedule:suppliers-plannr": "rate(1 hour)"}


@dataclass(frozen=True)
class CliRuns:
    """cdk.json's "app" command run as the CDK CLI runs it: context in CDK_CONTEXT_JSON (strings, as
    `-c key=value` gives them), assembly to CDK_OUTDIR, no command-line arguments."""

    overrides: EntryPointRun  # CLI_OVERRIDES
    unknown: EntryPointRun  # CLI_UNKNOWN: a schedule for a function that does not exist


def _run_as_cdk_cli(outdir: Path, context: dict[str, str]) -> EntryPointRun:
    command = shlex.split(json.loads((ROOT / "cdk.json").read_text())["app"])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    env |= {"CDK_OUTDIR": str(outdir), "CDK_CONTEXT_JSON": json.dumps(context)}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    return EntryPointRun(process, outdir)


@pytest.fixture(scope="session")
def cli_runs(tmp_path_factory: pytest.TempPathFactory, layer_dir: Path) -> CliRuns:
    layer = {"layerDir": str(layer_dir)}
    return CliRuns(
        overrides=_run_as_cdk_cli(tmp_path_factory.mktemp("cli-out"), {**layer, **CLI_OVERRIDES}),
        unknown=_run_as_cdk_cli(tmp_path_factory.mktemp("cli-unknown"), {**layer, **CLI_UNKNOWN}),
    )


@pytest.fixture(scope="session")
def synth(
    tmp_path_factory: pytest.TempPathFactory,
    layer_dir: Path,
    entry_point_run: EntryPointRun,
    cli_runs: CliRuns,
) -> Synth:
    """The shared in-process synth (nag not enforced here: test_infra_checks reports findings).

    Requests `entry_point_run` and `cli_runs` so those subprocesses synthesize in parallel with it.
    """
    from aws_cdk.assertions import Template
    from template_lookup import ALERT_EMAIL

    from infra.assembly import create_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    app, stack = create_app(
        {"layerDir": str(layer_dir), "alertEmail": ALERT_EMAIL}, outdir=str(outdir), enforce_nag=False
    )
    app.synth()
    template_path = outdir / f"{stack.stack_name}.template.json"
    return Synth(app, stack, Template.from_json(json.loads(template_path.read_text())), template_path)
