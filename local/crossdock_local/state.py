"""The local stack's state file: how `crossdock` in another shell finds a stack `crossdock local up`
(or `crossdock local --keep`) left running in the background.

    $CROSSDOCK_STATE_DIR/local.json   (default ~/.crossdock/local.json)

It holds the background process's pid and every environment variable the CLI needs to reach the
stack (moto's endpoint, fake credentials, region, tables, queue and DLQ URLs, topics), beside the
sandboxes' URLs, the outbox folder and the log. Standard library only: the CLI reads it on every
run, so reading it must not load moto or the sandboxes.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from crossdock.core.names import ENV_STATE_DIR

STATE_FILE_NAME = "local.json"
LOG_FILE_NAME = "local.log"


def state_dir() -> Path:
    """`$CROSSDOCK_STATE_DIR`, else `~/.crossdock`."""
    configured = os.environ.get(ENV_STATE_DIR)
    return Path(configured).expanduser() if configured else Path.home() / ".crossdock"


def state_path() -> Path:
    return state_dir() / STATE_FILE_NAME


def log_path() -> Path:
    return state_dir() / LOG_FILE_NAME


def process_alive(pid: int) -> bool:
    """The process exists and has not exited (a zombie waiting to be reaped counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive, but not ours
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return True  # no /proc (macOS): the signal check above is all there is
    return stat.rpartition(")")[2].split()[0] != "Z"


@dataclass(frozen=True)
class LocalState:
    pid: int
    started_at: str  # ISO 8601, UTC
    endpoint_url: str  # moto's server, playing AWS
    env: dict[str, str]  # every variable the CLI sets to talk to the stack
    sandboxes: dict[str, str] = field(default_factory=dict)  # name → base URL
    outbox: str = ""  # where the alert and report e-mails are written
    log: str = ""  # the background process's output

    @property
    def alive(self) -> bool:
        return process_alive(self.pid)


def read(path: Path | None = None) -> LocalState | None:
    """The state file's content, or None when there is none."""
    path = path or state_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise ValueError(
            f"the local stack's state file {path} is not JSON ({exc}): remove it and run `crossdock local up`"
        ) from None
    return LocalState(
        pid=int(data["pid"]),
        started_at=str(data["started_at"]),
        endpoint_url=str(data["endpoint_url"]),
        env={str(k): str(v) for k, v in data["env"].items()},
        sandboxes={str(k): str(v) for k, v in data.get("sandboxes", {}).items()},
        outbox=str(data.get("outbox", "")),
        log=str(data.get("log", "")),
    )


def write(state: LocalState, path: Path | None = None) -> Path:
    """Written whole or not at all (a reader never sees half a file); readable by the owner only,
    like ~/.aws/credentials (the credentials in it are moto's fake ones, the habit is the point)."""
    path = path or state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(asdict(state), indent=2, ensure_ascii=False), encoding="utf-8")
    partial.chmod(0o600)
    partial.replace(path)
    return path


def remove(path: Path | None = None, *, pid: int | None = None) -> None:
    """Remove the state file (only if it still names `pid`, when given)."""
    path = path or state_path()
    if pid is not None:
        current = read(path)
        if current is None or current.pid != pid:
            return
    path.unlink(missing_ok=True)
