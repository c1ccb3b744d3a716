"""`crossdock orders …`: manual order pulls."""

from __future__ import annotations

import argparse
import json
from typing import Any

from crossdock.core.queues import TaskQueue
from crossdock.orders import compose as orders_compose
from crossdock.orders.usecases.tasks import ShopTask
from crossdock.shops.storage.shops import ShopRepository

from crossdock_cli import arguments
from crossdock_cli.parsing import command, group
from crossdock_cli.session import configured


def orders_pull(args: argparse.Namespace) -> int:
    since, until = arguments.timestamp(args.since), arguments.timestamp(args.until)
    if until is not None and since is None:
        raise arguments.UsageError("--until needs --since")
    current = configured()
    ShopRepository().get(args.shop)  # a clear error for an unknown shop, before anything is queued
    task = ShopTask(kind="pull", shop_id=args.shop, reason="manual", since=since, until=until)
    if not args.now:
        TaskQueue(current.order_tasks_queue_url).enqueue([task.body()])
        print(f"pull of {args.shop} queued: {json.dumps(task.body())}")
        return 0
    report = orders_compose.order_puller(current, owner="crossdock-cli").pull(task)
    if report.outcome == "deferred":
        print(f"{args.shop} is being pulled by a worker right now: the pull is queued to run after it")
        return 0
    figures = report.figures()
    print(
        f"{args.shop}: {report.outcome} · {report.windows} windows, {report.pages} pages · new {report.new}, "
        f"updated {report.updated}, unchanged {report.unchanged} · events {report.events} · "
        f"calls {report.stats.total_calls} (retries {report.stats.retries})"
    )
    if report.error:
        print(f"error: {report.error}")
    if args.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0 if report.outcome in ("done", "continued") else 1


def register(sub: Any) -> None:
    """The `orders` command group."""
    orders = group(sub, "orders", help="manual order pulls")
    pull = command(
        orders, "pull", help="queue a pull of one shop (or run it here with --now)", run=orders_pull
    )
    pull.add_argument("--shop", required=True)
    pull.add_argument("--since", help="read this range instead of from the checkpoint (ISO 8601 with zone)")
    pull.add_argument("--until", help="end of the range (default: now minus the channel's settle lag)")
    pull.add_argument("--now", action="store_true", help="pull in this process instead of queueing a task")
    pull.add_argument("--json", action="store_true", help="also print the run's figures as JSON")
