"""Build the Lambda layer directory that `infra/app.py` packages (run: python -m infra.build_layer).

Result: <out>/python/ holds the wheels pinned in infra/layer.lock (pyproject's [project.dependencies]
resolved for the Lambda runtime, each with its sha256), plus a copy of the `crossdock` package from
shared/. The wheels come from the wheel cache (build/wheels): a locked wheel missing there is first
downloaded from the package index — said so on the console, the only step that needs the network —
and pip then installs offline, hash-checked, without resolving anything (--no-index --require-hashes
--no-deps), reading no pip configuration. Two builds from one lock therefore ship the same files;
console scripts (whose first line names the build machine's interpreter) are left out.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from infra.layer_lock import (
    LOCK_FILE,
    WHEEL_CACHE,
    Lock,
    read_lock,
    runtime_dependencies,
    sha256,
    target_options,
    wheel_name,
)
from infra.runtime import DEFAULT_LAYER_DIR, PYPROJECT, SHARED_PACKAGE_DIR

Installer = Callable[[list[str]], None]
SCRIPT_DIRS = ("bin",)  # what `pip install --target` puts beside the packages for console scripts

__all__ = ["build", "download_command", "main", "missing_wheels", "pip_command", "runtime_dependencies"]


def pip_command(target: Path, lock: Path, wheels: Path, python: str = sys.executable) -> list[str]:
    """pip install of exactly the locked wheels from the cache: no index, hashes checked, no resolving."""
    return [
        python,
        "-m",
        "pip",
        "install",
        "--target",
        str(target),
        *target_options(),
        "--no-index",
        "--find-links",
        str(wheels),
        "--require-hashes",
        "--no-deps",
        "--no-compile",  # .pyc built here would be for this interpreter, not the Lambda one
        "-r",
        str(lock),
    ]


def download_command(lock: Path, wheels: Path, python: str = sys.executable) -> list[str]:
    """pip download of the locked wheels into the cache (the package index; hashes checked)."""
    return [
        python,
        "-m",
        "pip",
        "download",
        "--dest",
        str(wheels),
        *target_options(),
        "--require-hashes",
        "--no-deps",
        "-r",
        str(lock),
    ]


def run_pip(command: list[str]) -> None:
    """Run pip. An offline install (--no-index) reads no pip configuration and no PIP_* variables: the
    lock and the wheel cache alone decide what is installed. A download keeps them (index, proxy, CA)."""
    env = dict(os.environ)
    if "--no-index" in command:
        env = {k: v for k, v in env.items() if not k.startswith("PIP_")} | {"PIP_CONFIG_FILE": os.devnull}
    subprocess.run(command, check=True, env=env)  # noqa: S603 - fixed argv built above, no shell


def missing_wheels(lock: Lock, wheels: Path) -> list[str]:
    """`name==version` of each locked wheel with no file of an accepted hash in the cache."""
    have: dict[tuple[str, str], set[str]] = {}
    for wheel in sorted(wheels.glob("*.whl")) if wheels.is_dir() else []:
        have.setdefault(wheel_name(wheel), set()).add(sha256(wheel))
    return [
        f"{pin.name}=={pin.version}"
        for pin in lock.pins
        if not have.get((pin.name, pin.version), set()) & set(pin.hashes)
    ]


def check_lock(lock: Lock, lock_path: Path, dependencies: Sequence[str]) -> None:
    stale = lock.stale_because(dependencies)
    if stale:
        raise SystemExit(f"{lock_path} is out of date ({stale}): run `make lock` and commit it")
    unhashed = [pin.name for pin in lock.pins if not pin.hashes]
    if not lock.pins or unhashed:
        raise SystemExit(f"{lock_path}: no pins, or pins without a hash ({unhashed}): run `make lock`")


def drop_scripts(python_dir: Path) -> None:
    """Remove console scripts and their RECORD lines: their shebang is the build machine's Python,
    and a Lambda layer runs none of them."""
    for name in SCRIPT_DIRS:
        if (python_dir / name).is_dir():
            shutil.rmtree(python_dir / name)
    for record in sorted(python_dir.glob("*.dist-info/RECORD")):
        lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not line.startswith(tuple(f"../../{d}/" for d in SCRIPT_DIRS))]
        if kept != lines:
            record.write_text("".join(kept), encoding="utf-8")


def copy_package(source: Path, python_dir: Path) -> Path:
    """Copy the crossdock package into the layer's python/ folder (no caches)."""
    if not (source / "__init__.py").is_file():
        raise SystemExit(f"{source} is not a Python package (no __init__.py)")
    destination = python_dir / source.name
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return destination


def fetch_missing(
    lock: Lock, lock_path: Path, wheels: Path, install: Installer, say: Callable[[str], None]
) -> None:
    missing = missing_wheels(lock, wheels)
    if not missing:
        say(f"layer: all {len(lock.pins)} locked wheels are in {wheels}: building offline")
        return
    which = "none is cached yet" if len(missing) == len(lock.pins) else ", ".join(missing) + " not cached"
    say(
        f"layer: downloading {len(missing)} of {len(lock.pins)} locked wheels into {wheels} ({which}): "
        "this step needs the package index; builds after it are offline"
    )
    wheels.mkdir(parents=True, exist_ok=True)
    try:
        install(download_command(lock_path, wheels))
    except subprocess.CalledProcessError as exc:
        raise SystemExit(
            f"layer: pip could not download the locked wheels (its output is above): the package index "
            f"must be reachable for this step, or put the wheels of {lock_path.name} into {wheels}"
        ) from exc
    still = missing_wheels(lock, wheels)
    if still:
        raise SystemExit(
            f"layer: the package index did not provide {', '.join(still)} with the locked hashes"
        )


def build(
    out: Path = DEFAULT_LAYER_DIR,
    *,
    lock: Path = LOCK_FILE,
    wheels: Path = WHEEL_CACHE,
    pyproject: Path = PYPROJECT,
    package: Path = SHARED_PACKAGE_DIR,
    install: Installer = run_pip,
    say: Callable[[str], None] = print,
) -> Path:
    """Rebuild `out` from scratch from the lock and return its python/ folder."""
    locked = read_lock(lock)
    check_lock(locked, lock, runtime_dependencies(pyproject))
    fetch_missing(locked, lock, wheels, install, say)
    if out.exists():
        shutil.rmtree(out)
    python_dir = out / "python"
    python_dir.mkdir(parents=True)
    install(pip_command(python_dir, lock, wheels))
    drop_scripts(python_dir)
    copy_package(package, python_dir)
    return python_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_LAYER_DIR, help="layer directory to (re)create")
    parser.add_argument("--lock", type=Path, default=LOCK_FILE, help="the lock (default infra/layer.lock)")
    parser.add_argument("--wheels", type=Path, default=WHEEL_CACHE, help="wheel cache (default build/wheels)")
    args = parser.parse_args(argv)
    python_dir = build(args.out.resolve(), lock=args.lock.resolve(), wheels=args.wheels.resolve())
    print(f"layer ready: {python_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
