"""Lambda runtime targets shared by the layer build and the stack (plain Python: no CDK import).

The layer ships compiled wheels (pydantic-core), so its interpreter version and platform must match
the functions' runtime and architecture. Bump `PYTHON_VERSION` here and both follow.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PYTHON_VERSION = "3.12"  # Lambda runtime python3.12; the layer's wheels are cp312
PIP_PLATFORM = "manylinux2014_aarch64"  # functions run on Graviton (arm64)
PIP_IMPLEMENTATION = "cp"

DEFAULT_LAYER_DIR = ROOT / "build" / "layer"  # holds python/ (site-packages + crossdock)
DEFAULT_FUNCTIONS_DIR = ROOT / "functions"
SHARED_PACKAGE_DIR = ROOT / "shared" / "crossdock"
PYPROJECT = ROOT / "pyproject.toml"
CDK_JSON = ROOT / "cdk.json"
DEFAULT_OUTDIR = ROOT / "cdk.out"
DEFAULT_STACK_NAME = "crossdock"  # crossdock.core.names.DEFAULT_STACK_NAME: what the CLI looks for
