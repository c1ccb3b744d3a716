"""The rules of the house (ARCHITECTURE.md), checked by machine: the import-linter contracts in
`.importlinter`, no import cycles, and handlers that import only their own job.

Each rule is also shown failing: a copy of the packages with one deliberate bad import must break
the named contract, so a check that can no longer fail is caught too.
"""

from __future__ import annotations

import ast
import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from crossdock import deployment
from crossdock.core.specs import FunctionSpec

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = {"crossdock": ROOT / "shared", "crossdock_local": ROOT / "local", "crossdock_cli": ROOT / "cli"}
JOBS = ("orders", "stock", "tracking", "suppliers", "shops", "operations")


def lint_imports(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    """import-linter over the packages found first on `paths` (a copy, or the repository)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(p) for p in paths), COLUMNS="200")
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "lint-imports"),
            "--config",
            str(ROOT / ".importlinter"),
            "--no-cache",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every set of modules that import each other at run time (strongly connected, size > 1)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(start: str) -> None:  # iterative Tarjan: the graph is deep enough to matter
        work = [(start, iter(sorted(graph.get(start, set()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, set())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def load_time_imports(roots: dict[str, Path] | None = None) -> dict[str, set[str]]:
    """Module → the modules it imports while it loads: module-level imports (class bodies
    included), not those inside functions (a builder's deliberate late import) nor under
    `if TYPE_CHECKING:`. An import circle among these is what fails with a partly initialised
    module, whatever order the modules happen to be imported in."""
    roots = roots or {name: parent / name for name, parent in PACKAGES.items()}
    files = {
        ".".join(path.relative_to(root.parent).with_suffix("").parts).removesuffix(".__init__"): path
        for root in roots.values()
        for path in root.rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        edges: set[str] = set()
        for node in _load_time_nodes(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.Import):
                edges |= {a.name for a in node.names if a.name in files}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(
                        package.split(".")[: len(package.split(".")) - node.level + 1]
                        + ([base] if base else [])
                    )
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    edges.add(target if target in files else base)
        graph[module] = {e for e in edges if e in files and e != module}
    return graph


def _load_time_nodes(body: list[ast.stmt]) -> list[ast.stmt]:
    found: list[ast.stmt] = []
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            found += _load_time_nodes(node.orelse)
        elif isinstance(node, ast.ClassDef):
            found += _load_time_nodes(node.body)
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            handlers = [stmt for handler in getattr(node, "handlers", []) for stmt in handler.body]
            blocks = node.body + getattr(node, "orelse", []) + getattr(node, "finalbody", []) + handlers
            found += _load_time_nodes(blocks)
    return found


def job_of(spec: FunctionSpec) -> str:
    """The job whose `resources` module declares the function."""
    for job in JOBS:
        module = importlib.import_module(f"crossdock.{job}.resources")
        if any(value is spec for value in vars(module).values()):
            return job
    raise AssertionError(f"{spec.name} is declared by no job")


def foreign_imports(source: str, job: str) -> list[str]:
    """The crossdock modules a handler imports outside `crossdock.core` and its own job."""
    allowed = ("crossdock.core", f"crossdock.{job}")
    found = []
    for node in ast.walk(ast.parse(source)):
        names = (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else []
        )
        for name in names:
            if name.split(".")[0] == "crossdock" and not any(
                name == a or name.startswith(a + ".") for a in allowed
            ):
                found.append(name)
    return found


def copy_of_packages(tmp_path: Path) -> list[Path]:
    paths = []
    for package, parent in PACKAGES.items():
        target = tmp_path / parent.name
        shutil.copytree(parent / package, target / package, ignore=shutil.ignore_patterns("__pycache__"))
        paths.append(target)
    return paths


# -- the rules hold ----------------------------------------------------------------------------------
def test_every_import_linter_contract_is_kept() -> None:
    result = lint_imports([PACKAGES[p] for p in PACKAGES])
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " BROKEN" not in result.stdout


def test_no_module_imports_itself_through_others_while_loading() -> None:
    assert import_cycles(load_time_imports()) == []


@pytest.mark.parametrize("spec", deployment.FUNCTIONS, ids=lambda s: s.name)
def test_each_handler_imports_only_the_core_and_its_own_job(spec: FunctionSpec) -> None:
    source = (ROOT / "functions" / spec.folder / "handler.py").read_text(encoding="utf-8")
    assert foreign_imports(source, job_of(spec)) == []


# -- and the checks can fail -------------------------------------------------------------------------
BAD_IMPORTS = [
    ("shared/crossdock/stock/rules/sellable.py", "import boto3", "Pure rules import no adapters"),
    (
        "shared/crossdock/tracking/rules/parcel.py",
        "from crossdock.tracking.storage import shipments",
        "Pure rules import no adapters",
    ),
    (
        "shared/crossdock/channels/shopify/wire.py",
        "from crossdock.stock.storage import stock",
        "External systems import no storage",
    ),
    (
        "shared/crossdock/carriers/yanwen/wire.py",
        "from crossdock.tracking.usecases import refresh",
        "External systems import no storage",
    ),
    (
        "shared/crossdock/tracking/usecases/plan.py",
        "from crossdock.stock import compose",
        "Tracking imports no other job",
    ),
    ("shared/crossdock/orders/usecases/pull.py", "import crossdock_local.demo", "Product code never imports"),
    ("shared/crossdock/core/http.py", "from crossdock.orders.rules import order", "The core imports no job"),
    (
        "shared/crossdock/stock/usecases/flush.py",
        "from crossdock.operations.usecases import snapshot",
        "No job imports the operations room",
    ),
    (
        "shared/crossdock/operations/storage/stores.py",
        "from crossdock.channels import registry",
        "Operations imports no external system",
    ),
    (
        "shared/crossdock/operations/usecases/snapshot.py",
        "from crossdock.stock import compose",
        "Operations imports no external system",
    ),
    (
        "local/crossdock_local/sandboxes/shopify/cost.py",
        "from crossdock.channels.shopify import cost",
        "A sandbox never imports the product code",
    ),
]


@pytest.mark.parametrize(("path", "line", "contract"), BAD_IMPORTS, ids=[b[2][:30] for b in BAD_IMPORTS])
def test_a_deliberate_bad_import_breaks_its_contract(
    tmp_path: Path, path: str, line: str, contract: str
) -> None:
    # Given a copy of the packages with one import the house forbids
    paths = copy_of_packages(tmp_path)
    bad = tmp_path / path
    bad.write_text(bad.read_text(encoding="utf-8") + f"\n{line}  # deliberately bad\n", encoding="utf-8")

    # When the contracts are checked
    result = lint_imports(paths)

    # Then the check fails, naming the broken contract and the import
    assert result.returncode != 0
    broken = [ln for ln in result.stdout.splitlines() if ln.endswith("BROKEN")]
    assert any(ln.startswith(contract) for ln in broken), result.stdout[-3000:]
    module = path.split("/", 1)[1].removesuffix(".py").replace("/", ".")
    assert module in result.stdout


def test_a_deliberate_cycle_is_found(tmp_path: Path) -> None:
    # Given a copy in which the stock rules and the ledger import each other
    paths = copy_of_packages(tmp_path)
    for path, line in (
        ("shared/crossdock/stock/rules/counts.py", "from crossdock.stock.usecases import ledger"),
        ("shared/crossdock/stock/usecases/ledger.py", "from crossdock.stock.rules import counts"),
    ):
        module = tmp_path / path
        module.write_text(module.read_text(encoding="utf-8") + f"\n{line}  # deliberately circular\n")

    # When the runtime import graph is searched
    cycles = import_cycles(
        load_time_imports({name: path / name for name, path in zip(PACKAGES, paths, strict=True)})
    )

    # Then the circle is reported with its members
    assert any({"crossdock.stock.rules.counts", "crossdock.stock.usecases.ledger"} <= set(c) for c in cycles)


def test_a_handler_importing_another_job_is_found() -> None:
    source = "from crossdock.core.config import settings\nfrom crossdock.stock import compose\n"
    assert foreign_imports(source, "tracking") == ["crossdock.stock"]
    assert foreign_imports(source, "stock") == []
