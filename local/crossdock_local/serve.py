"""A local stack that outlives the command that started it: `crossdock local up` and `crossdock
local --keep` run it in a detached background process (its own session, so closing the terminal
does not stop it).

The parent starts `python -m crossdock_local.serve up|demo …` and relays the child's lines until
the child prints the ready sentinel; the child has by then written the state file
(`crossdock_local.state`), sends its further output to the log file and holds the stack — the
local runner firing the schedules and draining the queues every few seconds — until SIGTERM
(`crossdock local down`). Only the standard library is loaded in the parent: moto, the sandboxes and
the product code load in the child.
"""

from __future__ import annotations

import argparse
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from crossdock_local import state

if TYPE_CHECKING:  # the child's world, loaded only there
    from crossdock_local.playground import Playground
    from crossdock_local.report import DemoResult

READY = "\x1ecrossdock-local-ready"  # followed by " <exit code>": the child holds the stack from here
UP_TIMEOUT_S = 180.0  # `local up`: set-up (sandboxes, shops, stock and its first push) must finish by then
STOP_TIMEOUT_S = 30.0
TICK_S = 5.0  # the held stack's runner fires due schedules and drains the queues this often
LOG_TAIL_LINES = 20


class LocalStackError(RuntimeError):
    """The background stack could not start or stop; the message says why and where its log is."""


# -- the parent ---------------------------------------------------------------------------------
def running() -> state.LocalState | None:
    """The local stack the state file names, if its process is alive."""
    current = state.read()
    return current if current is not None and current.alive else None


def launch(
    child_args: Sequence[str], *, out: TextIO, timeout_s: float | None = UP_TIMEOUT_S
) -> tuple[state.LocalState, int]:
    """Start the background stack and relay its output to `out` until it is ready: its state and the
    exit code it reported (the demo's verdict with --keep; 0 for `up`)."""
    already = running()
    if already is not None:
        raise LocalStackError(
            f"a local stack is already running (pid {already.pid}, AWS on {already.endpoint_url}):"
            " `crossdock local down` stops it"
        )
    log = state.log_path()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as log_file:
        child = subprocess.Popen(  # noqa: S603  # this interpreter, our module; stdout: our pipe until ready, stderr: the log
            [sys.executable, "-m", "crossdock_local.serve", *child_args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log_file,
            start_new_session=True,
            env={**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1"},
        )
    try:
        code = _relay_until_ready(child, out, log, timeout_s)
    except BaseException:  # Ctrl-C, a timeout, a crash: never leave a half-started stack behind
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                child.kill()
        state.remove(pid=child.pid)
        raise
    finally:
        if child.stdout is not None:
            child.stdout.close()
    current = state.read()
    if current is None or current.pid != child.pid:
        raise LocalStackError(f"the local stack reported ready but wrote no state file; its log: {log}")
    return current, code


def _relay_until_ready(
    child: subprocess.Popen[bytes], out: TextIO, log: Path, timeout_s: float | None
) -> int:
    assert child.stdout is not None
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise LocalStackError(f"the local stack was not ready within {timeout_s:g} s; its log: {log}")
            if not selector.select(left):
                continue
            raw = child.stdout.readline()
            if not raw:  # the child ended before it was ready
                code = child.wait()
                raise LocalStackError(
                    f"the local stack stopped while starting (exit code {code}); its log: {log}\n"
                    + _tail(log)
                )
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            if line.startswith(READY):
                return int(line.removeprefix(READY).strip() or 0)
            print(line, file=out, flush=True)


def _tail(log: Path) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(lines[-LOG_TAIL_LINES:])


def stop(timeout_s: float = STOP_TIMEOUT_S) -> state.LocalState | None:
    """SIGTERM the background stack and wait for it to end; None when none is running (a state file
    whose process is gone is removed)."""
    current = state.read()
    if current is None:
        return None
    if not current.alive:
        state.remove(pid=current.pid)
        return None
    os.kill(current.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while current.alive and time.monotonic() < deadline:
        time.sleep(0.1)
    if current.alive:
        os.kill(current.pid, signal.SIGKILL)
    state.remove(pid=current.pid)
    return current


# -- the child ----------------------------------------------------------------------------------
class _Stopped(BaseException):
    """SIGTERM or SIGINT: raised wherever the held stack is (between cycles or inside a handler a
    cycle invoked), so `crossdock local down` never waits for a long pull to finish."""


def _raise_stopped(signum: int, frame: object) -> None:
    raise _Stopped


def hold(world: Playground, exit_code: int = 0) -> None:
    """Write the state file, tell the parent, then keep the stack up until SIGTERM or SIGINT."""
    from crossdock_local.aws.lambda_output import captured

    signal.signal(signal.SIGTERM, _raise_stopped)
    signal.signal(signal.SIGINT, _raise_stopped)
    try:
        written = state.write(
            state.LocalState(
                pid=os.getpid(),
                started_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
                endpoint_url=world.stack.endpoint_url,
                env=dict(world.stack.env),
                sandboxes=world.sandbox_urls(),
                outbox=str(world.folder),
                log=str(state.log_path()),
            )
        )
        print(f"{READY} {exit_code}", flush=True)
        _output_to_log()
        _log(f"ready: state in {written}; the runner fires due schedules every {TICK_S:g} s")
        while True:
            time.sleep(TICK_S)
            try:
                with captured(world.lambda_log):
                    report = world.runner.run_cycle()
            except Exception as exc:  # a bad cycle is logged; the stack stays up for the operator
                _log(f"cycle failed: {type(exc).__name__}: {exc}")
                continue
            for error in report.errors:
                _log(error)
            if report.fired:
                _log(f"fired {', '.join(report.fired)}")
            for queue, drained in report.drained.items():
                if drained.ok or drained.failed:
                    _log(f"{queue}: {drained.ok} messages done, {drained.failed} failed")
    except _Stopped:
        _log("stopping")
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        state.remove(pid=os.getpid())


def _log(line: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%SZ}] {line}", flush=True)


def _output_to_log() -> None:
    """From now on stdout and stderr go to the log: the parent's pipe closes when it exits."""
    sys.stdout.flush()
    sys.stderr.flush()
    fd = os.open(state.log_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(fd, sys.stdout.fileno())
    os.dup2(fd, sys.stderr.fileno())
    os.close(fd)


def demo_exit_code(result: DemoResult) -> int:
    """1 when a shop that should have converged with its channel did not (a degraded shop may not)."""
    states = {s.shop_id: s.state for s in result.statuses}
    unexpected = [
        shop
        for shop, check in result.convergence.items()
        if not check.converged and states.get(shop) != "degraded"
    ]
    return 1 if unexpected else 0


def _up(args: argparse.Namespace) -> None:
    from crossdock_local.demos.orders.shops import CATALOGUE
    from crossdock_local.playground import playground

    out = sys.stdout  # bound now: the functions' output is redirected to lambda.log while they run

    def say(line: str) -> None:
        print(line, file=out, flush=True)

    folder = Path(args.outbox).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    with playground(
        CATALOGUE,
        faults=args.faults,
        seed=args.seed,
        rate_scale=args.rate_scale,
        folder=folder,
        say=say,
        orders=args.orders,
    ) as world:
        say(f"moto on {world.stack.endpoint_url}; shops: {', '.join(p.shop_id for p in CATALOGUE)}")
        world.set_up()
        hold(world)


def _demo(args: argparse.Namespace) -> None:
    from crossdock_local.demo import run_demo

    run_demo(
        args.cycles,
        args.faults,
        args.seed,
        outbox=args.outbox,
        rate_scale=args.rate_scale,
        orders=args.orders,
        keep=lambda world, result: hold(world, demo_exit_code(result)),
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crossdock_local.serve")
    parser.add_argument("mode", choices=("up", "demo"))
    parser.add_argument("--rate-scale", type=float, default=200.0)
    parser.add_argument("--faults", default="realistic")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--orders", type=int)
    parser.add_argument("--outbox", default="outbox")
    parser.add_argument("--cycles", type=int, default=6)
    args = parser.parse_args(argv)
    (_up if args.mode == "up" else _demo)(args)


if __name__ == "__main__":
    main()
