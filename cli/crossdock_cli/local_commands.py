"""`crossdock local`: the whole system on this machine (moto and sandboxes), no AWS account needed."""

from __future__ import annotations

import argparse
from typing import Any

from crossdock_cli.parsing import command

FAULT_PROFILES = ("none", "realistic", "hostile")


def local(args: argparse.Namespace) -> int:
    from crossdock_local.demo import run_demo  # workstation-only dependencies (moto, sandboxes)

    result = run_demo(
        args.cycles,
        args.faults,
        args.seed,
        outbox=args.outbox,
        rate_scale=args.rate_scale,
        orders=args.orders,
    )
    states = {s.shop_id: s.state for s in result.statuses}
    unexpected = [
        shop
        for shop, check in result.convergence.items()
        if not check.converged and states.get(shop) != "degraded"
    ]
    return 1 if unexpected else 0


def register(sub: Any) -> None:
    local_ = command(
        sub,
        "local",
        help="run the whole system locally: moto, channel sandboxes, five shops",
        run=local,
        uses_stack=False,
    )
    local_.add_argument("--cycles", type=int, default=6, help="planner cycles to run (at least 3; default 6)")
    local_.add_argument("--faults", choices=FAULT_PROFILES, default="realistic", help="channel fault profile")
    local_.add_argument("--seed", type=int, default=7, help="same seed, same books, changes and faults")
    local_.add_argument("--outbox", default="outbox", help="folder for the alert e-mails (default ./outbox)")
    local_.add_argument(
        "--rate-scale",
        type=float,
        default=200.0,
        help="run the channels' documented rate limits this many times faster (default 200)",
    )
    local_.add_argument("--orders", type=int, help="history size of every shop (default: the catalogue's)")
