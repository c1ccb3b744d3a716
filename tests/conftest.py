"""Test tiers by folder: unit tests run with sockets off; integration and e2e may reach 127.0.0.1 only."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
for folder in ("shared", "local", "cli"):
    path = str(ROOT / folder)
    if path not in sys.path:
        sys.path.insert(0, path)

# Tests run outside Lambda: no X-Ray daemon to emit to (its SDK would open a UDP socket at import).
os.environ.setdefault("AWS_XRAY_SDK_ENABLED", "false")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "CrossdockTest")
# ... yet Powertools' Tracer imports the SDK even when disabled, and the SDK builds its global recorder
# (with that socket) at import: do it here, before unit tests switch sockets off, or the first unit
# test to import core.observability fails when run alone.
import aws_xray_sdk.core  # noqa: E402, F401

TIERS = ("unit", "integration", "infra", "e2e")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT / "tests").parts
        if parts and parts[0] in TIERS:
            item.add_marker(getattr(pytest.mark, parts[0]))


@pytest.fixture(autouse=True)
def _network_policy(request: pytest.FixtureRequest) -> None:
    """Unit tests: no sockets at all. Everything else: loopback only."""
    from pytest_socket import disable_socket, socket_allow_hosts

    if request.node.get_closest_marker("unit"):
        disable_socket(allow_unix_socket=True)
    else:
        socket_allow_hosts(["127.0.0.1", "localhost"], allow_unix_socket=True)
