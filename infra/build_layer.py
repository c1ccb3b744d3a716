"""Build the Lambda layer directory that `infra/app.py` packages (run: python -m infra.build_layer).

Result: <out>/python/ holds the runtime dependencies from pyproject's [project.dependencies], as
manylinux aarch64 wheels for the Lambda Python version, plus a copy of the `crossdock` package from
shared/. Only binary wheels are accepted, so nothing is compiled for the build machine by mistake.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path

from infra.runtime import (
    DEFAULT_LAYER_DIR,
    PIP_IMPLEMENTATION,
    PIP_PLATFORM,
    PYPROJECT,
    PYTHON_VERSION,
    SHARED_PACKAGE_DIR,
)

Installer = Callable[[list[str]], None]


def runtime_dependencies(pyproject: Path = PYPROJECT) -> list[str]:
    """The requirement strings the layer ships: exactly pyproject's [project.dependencies]."""
    with pyproject.open("rb") as handle:
        project = tomllib.load(handle).get("project", {})
    dependencies = project.get("dependencies")
    if not dependencies:
        raise SystemExit(f"{pyproject}: [project.dependencies] is empty or missing")
    return [str(requirement) for requirement in dependencies]


def pip_command(target: Path, requirements: Sequence[str], python: str = sys.executable) -> list[str]:
    """pip install for the Lambda platform (arm64, CPython of the runtime's version), wheels only."""
    return [
        python,
        "-m",
        "pip",
        "install",
        "--target",
        str(target),
        "--platform",
        PIP_PLATFORM,
        "--implementation",
        PIP_IMPLEMENTATION,
        "--python-version",
        PYTHON_VERSION,
        "--only-binary=:all:",
        "--no-compile",  # .pyc built here would be for this interpreter, not the Lambda one
        "--upgrade",
        *requirements,
    ]


def run_pip(command: list[str]) -> None:
    subprocess.run(command, check=True)  # noqa: S603 - fixed argv built above, no shell


def copy_package(source: Path, python_dir: Path) -> Path:
    """Copy the crossdock package into the layer's python/ folder (no caches)."""
    if not (source / "__init__.py").is_file():
        raise SystemExit(f"{source} is not a Python package (no __init__.py)")
    destination = python_dir / source.name
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return destination


def build(
    out: Path = DEFAULT_LAYER_DIR,
    *,
    pyproject: Path = PYPROJECT,
    package: Path = SHARED_PACKAGE_DIR,
    install: Installer = run_pip,
) -> Path:
    """Rebuild `out` from scratch and return its python/ folder."""
    if out.exists():
        shutil.rmtree(out)
    python_dir = out / "python"
    python_dir.mkdir(parents=True)
    install(pip_command(python_dir, runtime_dependencies(pyproject)))
    copy_package(package, python_dir)
    return python_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_LAYER_DIR, help="layer directory to (re)create")
    args = parser.parse_args(argv)
    python_dir = build(args.out.resolve())
    print(f"layer ready: {python_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
