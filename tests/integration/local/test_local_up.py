"""`crossdock local up` keeps the demo's shops running in the background and every other command,
started with nothing but PATH, HOME and the state directory, finds it through the state file;
`crossdock local down` stops it and removes the file. (`crossdock local --keep` runs the demo in the
same background process and holds it the same way: serve.launch and serve.hold.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from crossdock.core.names import ENV_REPORTS_TOPIC_ARN, ENV_STATE_DIR
from crossdock.deployment import QUEUES, TABLES
from crossdock_local.demos.orders.shops import CATALOGUE
from crossdock_local.state import process_alive

SHOPS = {plan.shop_id for plan in CATALOGUE}
SANDBOXES = {"taobao", "amazon", "shopify", "ebay", "4px", "yanwen", "17track", "1688"}


def crossdock(state_dir: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The command as an operator's shell runs it: no CROSSDOCK_* or AWS_* variables at all."""
    clean = {"PATH": os.environ["PATH"], "HOME": str(state_dir.parent), ENV_STATE_DIR: str(state_dir)}
    return subprocess.run(
        [sys.executable, "-m", "crossdock_cli.main", *args],
        env=clean,
        cwd=state_dir.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def shop_ids(document: Any) -> set[str]:
    """Every shop id anywhere in a JSON document (`shop_id` in `status`, `shop` in `shops list`)."""
    if isinstance(document, dict):
        found = {v for k, v in document.items() if k in ("shop_id", "shop") and isinstance(v, str)}
        return found.union(*(shop_ids(v) for v in document.values()))
    if isinstance(document, list):
        return set().union(*(shop_ids(v) for v in document))
    return set()


@pytest.fixture()
def state_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "state"
    yield folder
    state_file = folder / "local.json"
    if state_file.exists():  # a failed test must not leave its stack running
        pid = json.loads(state_file.read_text())["pid"]
        if process_alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_local_up_serves_the_demo_shops_to_every_command_until_down(state_dir: Path) -> None:
    # Given
    outbox = state_dir.parent / "outbox"
    up = crossdock(state_dir, "local", "up", "--orders", "20", "--faults", "none", f"--outbox={outbox}")
    assert up.returncode == 0, up.stderr
    state = json.loads((state_dir / "local.json").read_text())

    # When
    status = crossdock(state_dir, "status", "--json")
    listed = crossdock(state_dir, "shops", "list", "--json")
    second = crossdock(state_dir, "local", "up")
    described = crossdock(state_dir, "local", "status", "--json")
    down = crossdock(state_dir, "local", "down")
    again = crossdock(state_dir, "local", "down")

    # Then: up printed where everything runs, and wrote what the CLI needs
    assert f"local stack up (pid {state['pid']})" in up.stdout
    assert state["endpoint_url"] in up.stdout
    assert set(state["sandboxes"]) == SANDBOXES
    assert state["outbox"] == str(outbox)
    expected = {t.env_var for t in TABLES} | {q.env_var for q in QUEUES} | {q.dlq_env_var for q in QUEUES}
    assert expected | {ENV_REPORTS_TOPIC_ARN, "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID"} <= set(state["env"])
    # the commands found the stack by its state file alone and read the demo's shops
    assert status.returncode == 0, status.stderr
    assert shop_ids(json.loads(status.stdout)) == SHOPS
    assert listed.returncode == 0, listed.stderr
    assert shop_ids(json.loads(listed.stdout)) == SHOPS
    assert json.loads(described.stdout) == state
    # a second stack is refused while one runs
    assert second.returncode == 1
    assert (
        f"a local stack is already running (pid {state['pid']}, AWS on {state['endpoint_url']})"
        in second.stderr
    )
    # down stopped the process and removed the state file; a second down says nothing runs
    assert (down.returncode, down.stdout.strip()) == (0, f"local stack stopped (pid {state['pid']})")
    assert not process_alive(state["pid"])
    assert not (state_dir / "local.json").exists()
    assert (again.returncode, again.stderr.strip()) == (1, "crossdock: no local stack is running")


def test_a_stack_that_cannot_start_says_why_and_where_its_log_is(state_dir: Path) -> None:
    # When
    up = crossdock(state_dir, "local", "up", "--rate-scale", "0")

    # Then
    assert up.returncode == 1
    assert (
        f"the local stack stopped while starting (exit code 1); its log: {state_dir / 'local.log'}"
        in up.stderr
    )
    assert "CROSSDOCK_RATE_SCALE must be > 0" in up.stderr  # the log's last lines
    assert not (state_dir / "local.json").exists()
