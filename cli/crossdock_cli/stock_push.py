"""`crossdock stock push SKU [--shop S] [--dry-run]`: what each channel would receive, then send it.

The plan reads only crossdock's own tables (no channel is called, nothing is written with
--dry-run); the send goes through the product's push path, like the daily push, so it is audited
(`stock history`), version-guarded and alerted exactly as a flush. Exit 0: every channel accepted
(or a dry run); 1: a channel refused or failed.
"""

from __future__ import annotations

import argparse
from typing import Any

from crossdock.stock import compose as stock_compose
from crossdock.stock.usecases.manual_push import ChannelAnswer, PlannedUpdate

from crossdock_cli.output import Output
from crossdock_cli.parsing import command
from crossdock_cli.session import configured


def stock_push(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    push = stock_compose.manual_push(configured())
    planned = push.plan(args.sku, args.shop)
    out.table(
        ["CHANNEL", "SHOP", "SHOWN", "WOULD RECEIVE", "VERSION", "LISTING IDS", "NOTE"],
        [plan_row(plan) for plan in planned],
        empty=f"{args.sku} is not listed anywhere",
        title=f"{args.sku}: what each channel would receive now",
        numeric=["SHOWN", "WOULD RECEIVE", "VERSION"],
    )
    if args.dry_run:
        out.json(
            {"sku": args.sku, "dry_run": True, "planned": [p.as_dict() for p in planned], "answers": None}
        )
        out.line("dry run: no channel was called and nothing was written")
        return 0
    answers = push.send(args.sku, args.shop)
    out.json(
        {
            "sku": args.sku,
            "dry_run": False,
            "planned": [p.as_dict() for p in planned],
            "answers": [a.as_dict() for a in answers],
        }
    )
    out.table(
        ["CHANNEL", "SHOP", "SENT", "VERSION", "RESULT", "CODE", "CHANNEL'S WORD"],
        [answer_row(answer) for answer in answers],
        empty="nothing sent",
        title=f"{args.sku}: what each channel said",
        numeric=["SENT", "VERSION"],
    )
    failed = [a for a in answers if a.result in ("refused", "failed")]
    if failed:
        out.line(
            f"{len(failed)} listing(s) not updated: see `crossdock stock listing show {args.sku}` "
            "(a refused listing awaits review; a failed one is pushed again by the 5-minute planner)"
        )
    return 1 if failed else 0


def plan_row(plan: PlannedUpdate) -> list[Any]:
    ids = ", ".join(f"{k}={v}" for k, v in sorted(plan.ref.items()))
    return [plan.channel, plan.shop_id, plan.shown, plan.quantity, plan.version, ids, plan.skipped or ""]


def answer_row(answer: ChannelAnswer) -> list[Any]:
    planned = answer.planned
    sent = "—" if answer.result == "skipped" else answer.quantity
    return [
        planned.channel,
        planned.shop_id,
        sent,
        planned.version,
        answer.result,
        answer.code,
        answer.detail,
    ]


def register(actions: Any) -> None:
    """`stock push` under the stock group's subcommands."""
    push = command(
        actions,
        "push",
        help="push a SKU's sellable quantity to its listings now (--dry-run: only show what would be sent)",
        run=stock_push,
        reads=True,
    )
    push.add_argument("sku")
    push.add_argument("--shop", help="only this shop's listing")
    push.add_argument("--dry-run", action="store_true", help="show what would be sent; call no channel")
