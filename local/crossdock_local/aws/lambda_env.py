"""What the Lambda service gives a function, reproduced locally: the handler loaded from its code
folder exactly as deployed (functions/<folder>/handler.py) and the invocation context."""

from __future__ import annotations

import importlib.util
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from crossdock.core.names import SERVICE_NAME
from crossdock.core.specs import FunctionSpec

ROOT = Path(__file__).resolve().parents[3]
FUNCTIONS_DIR = ROOT / "functions"
ACCOUNT_ID = "123456789012"  # moto's default account

Handler = Callable[[dict[str, Any], Any], Any]


def deployed_name(spec: FunctionSpec) -> str:
    return f"{SERVICE_NAME}-{spec.name}"


@dataclass
class LambdaContext:
    """The attributes and method Powertools and our handlers read from the real context object."""

    function_name: str
    memory_limit_in_mb: int
    timeout_s: int
    region: str
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    clock: Callable[[], float] = time.monotonic
    started: float = 0.0

    def __post_init__(self) -> None:
        self.started = self.clock()
        self.invoked_function_arn = f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.function_name}"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = self.clock() - self.started
        return max(0, int((self.timeout_s - elapsed) * 1000))


def new_context(
    spec: FunctionSpec, region: str, clock: Callable[[], float] = time.monotonic
) -> LambdaContext:
    return LambdaContext(deployed_name(spec), spec.memory_mb, spec.timeout_s, region, clock=clock)


_modules: dict[Path, ModuleType] = {}


def load_handler(spec: FunctionSpec, functions_dir: Path = FUNCTIONS_DIR) -> Handler:
    """`spec.handler` ("handler.plan_pulls") from functions/<folder>/, imported once per file under a
    unique module name (every function's file is called handler.py)."""
    module_file, _, attribute = spec.handler.rpartition(".")
    path = (functions_dir / spec.folder / f"{module_file.replace('.', '/')}.py").resolve()
    module = _modules.get(path)
    if module is None:
        name = f"crossdock_function_{spec.folder}_{module_file.replace('.', '_')}"
        loader_spec = importlib.util.spec_from_file_location(name, path)
        if loader_spec is None or loader_spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(loader_spec)
        loader_spec.loader.exec_module(module)
        _modules[path] = module
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise AttributeError(f"{path} has no handler {attribute!r}")
    return handler  # type: ignore[no-any-return]
