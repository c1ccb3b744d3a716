"""`crossdock local`: the whole system on this machine (moto and sandboxes), no AWS account needed.

    crossdock local [demo] [--keep]   the demo; --keep leaves its stack up in the background
    crossdock local up                the demo's shops, stock and suppliers set up, kept up in the background
    crossdock local status | down     where it runs; stop it

A stack kept up writes its endpoints to a state file ($CROSSDOCK_STATE_DIR/local.json, default
~/.crossdock/local.json) that every other `crossdock` command picks up (`crossdock_cli.stack`).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crossdock_cli.parsing import command

if TYPE_CHECKING:
    from crossdock_local.state import LocalState

FAULT_PROFILES = ("none", "realistic", "hostile")
ACTIONS = ("demo", "up", "down", "status")


def local(args: argparse.Namespace) -> int:
    # Workstation-only dependencies (moto, sandboxes) load in the process that runs the stack.
    from crossdock_local.serve import LocalStackError

    action = {"demo": _demo, "up": _up, "down": _down, "status": _status}[args.action]
    try:
        return action(args)
    except LocalStackError as exc:
        print(f"crossdock: {exc}", file=sys.stderr)
        return 1


def _stack_args(args: argparse.Namespace) -> list[str]:
    found = [f"--rate-scale={args.rate_scale}", f"--faults={args.faults}", f"--seed={args.seed}"]
    found.append(f"--outbox={Path(args.outbox).resolve()}")
    if args.orders is not None:
        found.append(f"--orders={args.orders}")
    return found


def _demo(args: argparse.Namespace) -> int:
    if args.keep:  # the demo in the background process from the start, so its stack can stay up
        from crossdock_local.serve import launch

        kept, code = launch(
            ["demo", f"--cycles={args.cycles}", *_stack_args(args)], out=sys.stdout, timeout_s=None
        )
        print(
            f"local stack kept up (pid {kept.pid}): try `crossdock status`; `crossdock local down` stops it"
        )
        return code
    from crossdock_local.demo import run_demo
    from crossdock_local.serve import demo_exit_code

    result = run_demo(
        args.cycles,
        args.faults,
        args.seed,
        outbox=args.outbox,
        rate_scale=args.rate_scale,
        orders=args.orders,
    )
    return demo_exit_code(result)


def _up(args: argparse.Namespace) -> int:
    from crossdock_local.serve import launch

    started, _ = launch(["up", *_stack_args(args)], out=sys.stderr)
    print(f"local stack up (pid {started.pid}); state in {_state_file()}")
    _print_places(started)
    print("try `crossdock status`; `crossdock local down` stops it")
    return 0


def _down(args: argparse.Namespace) -> int:
    from crossdock_local.serve import stop

    stopped = stop()
    if stopped is None:
        print("crossdock: no local stack is running", file=sys.stderr)
        return 1
    print(f"local stack stopped (pid {stopped.pid})")
    return 0


def _status(args: argparse.Namespace) -> int:
    from crossdock_local.serve import running

    current = running()
    if args.json:
        print(json.dumps(None if current is None else asdict(current), indent=2))
        return 0 if current else 1
    if current is None:
        print("no local stack is running (`crossdock local up` starts one)")
        return 1
    print(f"local stack up since {current.started_at} (pid {current.pid}); state in {_state_file()}")
    _print_places(current)
    return 0


def _print_places(current: LocalState) -> None:
    places = {
        "AWS (moto)": current.endpoint_url,
        **current.sandboxes,
        "outbox": current.outbox,
        "log": current.log,
    }
    width = max(len(name) for name in places)
    for name, place in places.items():
        print(f"  {name:<{width}}  {place}")


def _state_file() -> str:
    from crossdock_local.state import state_path

    return str(state_path())


def register(sub: Any) -> None:
    local_ = command(
        sub,
        "local",
        help="run the whole system locally (moto, channel sandboxes, five shops): the demo, or kept up",
        run=local,
        uses_stack=False,
    )
    local_.add_argument(
        "action",
        nargs="?",
        choices=ACTIONS,
        default="demo",
        help="demo (default): run the demo; up: keep a local stack running in the background;"
        " down: stop it; status: where it runs",
    )
    local_.add_argument(
        "--keep",
        action="store_true",
        help="after the demo, keep its stack up (`crossdock local down` stops it)",
    )
    local_.add_argument("--cycles", type=int, default=6, help="planner cycles to run (at least 3; default 6)")
    local_.add_argument("--faults", choices=FAULT_PROFILES, default="realistic", help="channel fault profile")
    local_.add_argument("--seed", type=int, default=7, help="same seed, same books, changes and faults")
    local_.add_argument(
        "--outbox", default="outbox", help="folder for the alert e-mails and files (default ./outbox)"
    )
    local_.add_argument(
        "--rate-scale",
        type=float,
        default=200.0,
        help="run the channels' documented rate limits this many times faster (default 200)",
    )
    local_.add_argument("--orders", type=int, help="history size of every shop (default: the catalogue's)")
    local_.add_argument("--json", action="store_true", help="`local status`: one JSON document")
