"""The layer build: the locked wheels (pyproject's runtime dependencies resolved once for arm64 / the
Lambda Python, each with its sha256), installed offline from the wheel cache, plus crossdock."""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import shutil
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from infra import build_layer, runtime
from infra.build_layer import (
    build,
    download_command,
    missing_wheels,
    pip_command,
    run_pip,
    runtime_dependencies,
)
from infra.layer_lock import LOCK_FILE, Lock, make_lock, normalized, parse_lock, pins_of, read_lock, target

ROOT = Path(__file__).resolve().parents[2]
TARGET = ["--platform", "manylinux2014_aarch64", "--implementation", "cp", "--python-version", "3.12"]


def _wheel(folder: Path, name: str, version: str, *, script: bool = False) -> Path:
    """A tiny, valid pure-Python wheel (optionally with a console script, as charset-normalizer has)."""
    files = {f"{name}/__init__.py": f"VERSION = {version!r}\n"}
    info = f"{name}-{version}.dist-info"
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    files[f"{info}/WHEEL"] = "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    if script:
        files[f"{info}/entry_points.txt"] = f"[console_scripts]\n{name} = {name}:VERSION\n"
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(zipfile.ZipInfo(member, date_time=(2020, 1, 1, 0, 0, 0)), text)
    return path


@pytest.fixture()
def project(tmp_path: Path) -> dict[str, Path]:
    """A pyproject with two dependencies, their wheels on a fake index, and the lock made from them."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "p"\ndependencies = ["alpha>=1", "beta_tool"]\n')
    index = tmp_path / "index"
    _wheel(index, "alpha", "1.2")
    _wheel(index, "beta_tool", "0.3", script=True)
    lock = tmp_path / "layer.lock"
    lock.write_text(Lock(target(), ("alpha>=1", "beta_tool"), pins_of(sorted(index.glob("*.whl")))).render())
    package = tmp_path / "crossdock"
    shutil.copytree(ROOT / "shared" / "crossdock", package, ignore=shutil.ignore_patterns("__pycache__"))
    return {"pyproject": pyproject, "index": index, "lock": lock, "package": package, "root": tmp_path}


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _fake_index(index: Path, commands: list[list[str]]):
    """An installer standing in for pip: a download copies the wheels from `index`, an install unpacks."""

    def pip(command: list[str]) -> None:
        commands.append(command)
        if command[3] == "download":
            dest = Path(command[command.index("--dest") + 1])
            for wheel in index.glob("*.whl"):
                shutil.copy2(wheel, dest / wheel.name)
        else:
            target_dir = Path(command[command.index("--target") + 1])
            for wheel in Path(command[command.index("--find-links") + 1]).glob("*.whl"):
                zipfile.ZipFile(wheel).extractall(target_dir)

    return pip


def test_dependencies_are_exactly_pyprojects_runtime_dependencies():
    # Given pyproject's [project.dependencies]
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]

    # When the build reads them
    deps = runtime_dependencies(ROOT / "pyproject.toml")

    # Then nothing is added or dropped (dev tools like aws-cdk-lib or moto stay out)
    assert deps == declared
    assert not any(d.startswith(("aws-cdk-lib", "moto", "pytest")) for d in deps)


def test_the_committed_lock_pins_every_dependency_with_a_hash_for_the_lambda_target():
    # Given infra/layer.lock as committed
    lock = read_lock(LOCK_FILE)
    dependencies = runtime_dependencies(ROOT / "pyproject.toml")

    # Then it was made from today's dependencies for today's runtime, every pin carries a sha256,
    # and each declared dependency is pinned at a version its specifier allows
    assert lock.stale_because(dependencies) is None
    assert lock.target == f"cp{runtime.PYTHON_VERSION} {runtime.PIP_PLATFORM}"
    assert all(pin.hashes and all(len(h) == 64 for h in pin.hashes) for pin in lock.pins)
    pins = {pin.name: pin.version for pin in lock.pins}
    assert len(pins) == len(lock.pins)
    for dependency in map(Requirement, dependencies):
        assert dependency.specifier.contains(pins[normalized(dependency.name)]), dependency
    assert {"botocore", "urllib3", "aws-xray-sdk"} <= set(pins)  # transitive ones too (--no-deps installs)


def test_pip_installs_only_the_locked_wheels_offline_checking_their_hashes(tmp_path):
    # When the install and the download commands are built
    install = pip_command(tmp_path / "python", tmp_path / "layer.lock", tmp_path / "wheels", python="python3")
    download = download_command(tmp_path / "layer.lock", tmp_path / "wheels", python="python3")

    # Then the install reads the lock, resolves nothing, checks hashes and never reaches an index
    options = dict(itertools.pairwise(install))
    assert install[:4] == ["python3", "-m", "pip", "install"]
    assert options["--target"] == str(tmp_path / "python")
    assert options["-r"] == str(tmp_path / "layer.lock")
    assert options["--find-links"] == str(tmp_path / "wheels")
    assert {"--require-hashes", "--no-deps", "--no-index", "--no-compile", "--only-binary=:all:"} <= set(
        install
    )
    assert all(options[k] == v for k, v in itertools.pairwise(TARGET) if k.startswith("--"))
    assert options["--python-version"] == runtime.PYTHON_VERSION == "3.12"
    # And the download (the one networked step) fetches the same locked files into the cache
    options = dict(itertools.pairwise(download))
    assert download[:4] == ["python3", "-m", "pip", "download"]
    assert options["--dest"] == str(tmp_path / "wheels") and options["-r"] == str(tmp_path / "layer.lock")
    assert {"--require-hashes", "--no-deps", "--only-binary=:all:"} <= set(download)
    assert "--no-index" not in download


def test_the_offline_install_reads_no_pip_configuration(monkeypatch):
    # Given pip configuration in the environment (an extra index, find-links)
    seen: list[dict[str, str]] = []
    monkeypatch.setenv("PIP_FIND_LINKS", "/somewhere")
    monkeypatch.setattr(build_layer.subprocess, "run", lambda command, check, env: seen.append(env))

    # When pip installs offline, then downloads
    run_pip(["python3", "-m", "pip", "install", "--no-index", "-r", "layer.lock"])
    run_pip(["python3", "-m", "pip", "download", "-r", "layer.lock"])

    # Then the install sees no pip configuration at all; the download keeps it (proxy, CA, index)
    assert seen[0]["PIP_CONFIG_FILE"] == os.devnull
    assert [k for k in seen[0] if k.startswith("PIP_")] == ["PIP_CONFIG_FILE"]
    assert seen[1]["PIP_FIND_LINKS"] == "/somewhere"


def test_a_build_with_every_locked_wheel_cached_stays_offline_and_says_so(project, tmp_path):
    # Given the wheel cache holding every locked wheel
    cache = tmp_path / "cache"
    shutil.copytree(project["index"], cache)
    commands: list[list[str]] = []
    said: list[str] = []

    # When the layer is built
    python_dir = build(
        tmp_path / "layer",
        lock=project["lock"],
        wheels=cache,
        pyproject=project["pyproject"],
        package=project["package"],
        install=_fake_index(project["index"], commands),
        say=said.append,
    )

    # Then pip only installed from the cache, and the console said the build is offline
    assert [c[3] for c in commands] == ["install"]
    assert said == [f"layer: all 2 locked wheels are in {cache}: building offline"]
    assert (python_dir / "alpha" / "__init__.py").is_file()


def test_a_first_build_downloads_the_locked_wheels_and_says_it_needs_the_index(project, tmp_path):
    # Given an empty wheel cache (first build, or after make clean)
    cache = tmp_path / "cache"
    commands: list[list[str]] = []
    said: list[str] = []

    # When the layer is built
    build(
        tmp_path / "layer",
        lock=project["lock"],
        wheels=cache,
        pyproject=project["pyproject"],
        package=project["package"],
        install=_fake_index(project["index"], commands),
        say=said.append,
    )

    # Then the console says the index is needed, the locked wheels were downloaded hash-checked into
    # the cache, then installed from it; the next build finds them all
    assert "needs the package index" in said[0] and "none is cached yet" in said[0]
    assert [c[3] for c in commands] == ["download", "install"]
    assert "--require-hashes" in commands[0] and str(project["lock"]) in commands[0]
    assert missing_wheels(parse_lock(project["lock"].read_text()), cache) == []


def test_a_first_build_without_the_index_stops_saying_what_it_needs(project, tmp_path):
    # Given an empty cache and no package index (pip's download fails)
    def offline(command: list[str]) -> None:
        raise build_layer.subprocess.CalledProcessError(1, command)

    # When / Then the build stops with the reason, not a traceback
    with pytest.raises(SystemExit, match="the package index must be reachable for this step"):
        build(
            tmp_path / "layer",
            lock=project["lock"],
            wheels=tmp_path / "cache",
            pyproject=project["pyproject"],
            package=project["package"],
            install=offline,
            say=lambda line: None,
        )


def test_a_cached_wheel_with_another_hash_counts_as_missing(project, tmp_path):
    # Given a cache whose alpha wheel is not the locked file (same name, other bytes)
    cache = tmp_path / "cache"
    shutil.copytree(project["index"], cache)
    _wheel(cache, "alpha", "1.2", script=True)

    # Then it must be fetched again; and a download that cannot provide it stops the build
    lock = parse_lock(project["lock"].read_text())
    assert missing_wheels(lock, cache) == ["alpha==1.2"]
    with pytest.raises(SystemExit, match=r"did not provide alpha==1\.2 with the locked hashes"):
        build(
            tmp_path / "layer",
            lock=project["lock"],
            wheels=cache,
            pyproject=project["pyproject"],
            package=project["package"],
            install=lambda command: None,
            say=lambda line: None,
        )


def test_a_lock_made_for_other_dependencies_stops_the_build_with_the_fix(project, tmp_path):
    # Given pyproject's dependencies changed after the lock was made
    project["pyproject"].write_text('[project]\nname = "p"\ndependencies = ["alpha>=2", "beta_tool"]\n')

    # When / Then the build refuses to ship the old pins
    with pytest.raises(SystemExit, match=r"out of date .*alpha>=2.*run `make lock`"):
        build(
            tmp_path / "layer",
            lock=project["lock"],
            wheels=project["index"],
            pyproject=project["pyproject"],
            package=project["package"],
            install=lambda command: None,
        )


def test_make_lock_pins_the_resolved_wheels_by_hash_and_caches_them(project, tmp_path):
    # Given pip resolving the dependencies to the fake index's wheels
    commands: list[list[str]] = []
    lock_path, cache = tmp_path / "new.lock", tmp_path / "cache"

    # When the lock is made
    lock = make_lock(
        pyproject=project["pyproject"],
        lock=lock_path,
        cache=cache,
        runner=_fake_index(project["index"], commands),
    )

    # Then pip downloaded for the Lambda target, each wheel is pinned with its sha256, the file
    # reads back the same, and the cache holds the wheels (the next build is offline)
    assert commands[0][3] == "download" and commands[0][-2:] == ["alpha>=1", "beta_tool"]
    assert {"--only-binary=:all:", *TARGET} <= set(commands[0])
    assert [(p.name, p.version) for p in lock.pins] == [("alpha", "1.2"), ("beta-tool", "0.3")]
    digest = hashlib.sha256((project["index"] / "alpha-1.2-py3-none-any.whl").read_bytes()).hexdigest()
    assert lock.pins[0].hashes == (digest,)
    assert f"alpha==1.2 \\\n    --hash=sha256:{digest}" in lock_path.read_text()
    assert parse_lock(lock_path.read_text()) == lock
    assert missing_wheels(lock, cache) == []


def test_two_builds_from_the_wheel_cache_ship_identical_files_and_one_asset_hash(project, tmp_path):
    # Given the cache holding the locked wheels (one with a console script)
    from aws_cdk import FileSystem

    cache = tmp_path / "cache"
    shutil.copytree(project["index"], cache)

    def layer(name: str) -> Path:
        return build(
            tmp_path / name,
            lock=project["lock"],
            wheels=cache,
            pyproject=project["pyproject"],
            package=project["package"],
            say=lambda line: None,
        ).parent

    # When real pip builds the layer twice, offline, and one copy's files get other timestamps
    first, second = layer("first"), layer("second")
    for path in second.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))

    # Then both trees hold the same files with the same bytes, and CDK hashes them to the same asset
    # (its zip is then the same too): no console script naming this machine's Python rides along
    assert _tree(first) == _tree(second)
    assert "python/beta_tool/__init__.py" in _tree(first)
    assert not (first / "python" / "bin").exists()
    assert not [f for f, data in _tree(first).items() if f.endswith("RECORD") and b"../../bin/" in data]
    assert sys.executable.encode() not in b"".join(_tree(first).values())
    assert FileSystem.fingerprint(str(first)) == FileSystem.fingerprint(str(second))


def test_build_recreates_the_layer_with_dependencies_and_the_crossdock_package(project, tmp_path):
    # Given a stale layer directory and an installer standing in for pip
    out = tmp_path / "layer"
    (out / "python" / "stale_package").mkdir(parents=True)
    commands: list[list[str]] = []

    # When the layer is built
    python_dir = build(
        out,
        lock=project["lock"],
        wheels=project["index"],
        pyproject=project["pyproject"],
        package=project["package"],
        install=_fake_index(project["index"], commands),
        say=lambda line: None,
    )

    # Then pip ran once into python/, crossdock was copied without caches, and stale files are gone
    assert python_dir == out / "python"
    assert len(commands) == 1
    assert (python_dir / "alpha").is_dir()
    assert (python_dir / "crossdock" / "core" / "names.py").is_file()
    assert not list(python_dir.glob("crossdock/**/__pycache__"))
    assert not (python_dir / "stale_package").exists()
