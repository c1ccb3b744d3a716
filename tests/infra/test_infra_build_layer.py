"""The layer build: pyproject's runtime dependencies, for arm64 / the Lambda Python, plus crossdock."""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path

from infra import runtime
from infra.build_layer import build, pip_command, runtime_dependencies

ROOT = Path(__file__).resolve().parents[2]


def test_dependencies_are_exactly_pyprojects_runtime_dependencies():
    # Given pyproject's [project.dependencies]
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]

    # When the build reads them
    deps = runtime_dependencies(ROOT / "pyproject.toml")

    # Then nothing is added or dropped (dev tools like boto3 or aws-cdk-lib stay out)
    assert deps == declared
    assert not any(d.startswith(("aws-cdk-lib", "moto", "pytest")) for d in deps)


def test_pip_targets_lambda_arm64_with_binary_wheels_only(tmp_path):
    # When the pip command is built
    command = pip_command(tmp_path / "python", ["pydantic>=2"], python="python3")

    # Then it resolves for the Lambda platform and interpreter, never building sdists locally
    options = dict(itertools.pairwise(command))
    assert command[:4] == ["python3", "-m", "pip", "install"]
    assert options["--target"] == str(tmp_path / "python")
    assert options["--platform"] == "manylinux2014_aarch64"
    assert options["--implementation"] == "cp"
    assert options["--python-version"] == runtime.PYTHON_VERSION == "3.12"
    assert "--only-binary=:all:" in command
    assert command[-1] == "pydantic>=2"


def test_build_recreates_the_layer_with_dependencies_and_the_crossdock_package(tmp_path):
    # Given a stale layer directory and an installer standing in for pip
    out = tmp_path / "layer"
    (out / "python" / "stale_package").mkdir(parents=True)
    commands: list[list[str]] = []

    def fake_pip(command: list[str]) -> None:
        commands.append(command)
        target = Path(command[command.index("--target") + 1])
        (target / "pydantic").mkdir(parents=True)

    # When the layer is built
    python_dir = build(out, install=fake_pip)

    # Then pip ran once into python/, crossdock was copied without caches, and stale files are gone
    assert python_dir == out / "python"
    assert len(commands) == 1
    assert (python_dir / "pydantic").is_dir()
    assert (python_dir / "crossdock" / "constants.py").is_file()
    assert not list(python_dir.glob("crossdock/**/__pycache__"))
    assert not (python_dir / "stale_package").exists()
