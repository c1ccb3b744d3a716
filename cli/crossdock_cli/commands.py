"""What each `crossdock` subcommand does, against the AWS account the environment points at (the
usual AWS_PROFILE / AWS_REGION, table names and queue URLs from the CROSSDOCK_* variables)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from crossdock.core.config import Settings, settings
from crossdock.core.dynamo import bind
from crossdock.core.queues import TaskQueue
from crossdock.core.times import iso_z
from crossdock.orders import compose as orders_compose
from crossdock.orders.usecases.tasks import ShopTask
from crossdock.shops.storage.shops import ShopRepository
from crossdock.shops.usecases.admin import register_shop, resume_shop, rotate_credentials, shop_statuses

from crossdock_cli import arguments
from crossdock_cli.table import duration, print_table


def configured() -> Settings:
    current = settings()
    bind(current)
    return current


def shops_add(args: argparse.Namespace) -> int:
    current = configured()
    shop = register_shop(
        current,
        shop_id=args.shop,
        channel_name=args.channel,
        credentials=arguments.credentials(args.credentials),
        options=arguments.pairs(args.option, "--option"),
        endpoints=arguments.endpoints(args.endpoint),
        display_name=args.name or "",
        now=datetime.now(UTC),
    )
    print(f"shop {shop.shop_id} ({shop.channel}) registered; credentials stored in secret {shop.secret_name}")
    print(
        "its first pull backfills; run `crossdock orders pull --shop "
        f"{shop.shop_id} --now` to start it without waiting for the schedule"
    )
    return 0


def shops_rotate(args: argparse.Namespace) -> int:
    current = configured()
    credentials = arguments.credentials(args.credentials)  # read before any call: a bad file changes nothing
    rotation = rotate_credentials(current, args.shop, credentials)
    print(
        f"shop {args.shop}: {rotation.shop.channel} accepted the new credentials; "
        f"secret {rotation.shop.secret_name} now holds them"
    )
    if rotation.resumed:
        print(
            f"shop {args.shop}: authorization block cleared; the next scheduled pull reads everything since "
            "its checkpoint"
        )
    return 0


def shops_list(args: argparse.Namespace) -> int:
    configured()
    shops = sorted(ShopRepository().all(), key=lambda s: s.shop_id)
    rows = [
        [
            s.shop_id,
            s.channel,
            s.display_name,
            "yes" if s.enabled else "no",
            ", ".join(sorted(s.endpoints or {})) or "production",
        ]
        for s in shops
    ]
    print_table(["SHOP", "CHANNEL", "NAME", "ENABLED", "ENDPOINTS"], rows, empty="no shops registered yet")
    return 0


def shops_resume(args: argparse.Namespace) -> int:
    configured()
    resume_shop(args.shop)
    print(
        f"shop {args.shop}: authorization block cleared; the next scheduled pull reads everything since "
        "its checkpoint"
    )
    return 0


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


def status(args: argparse.Namespace) -> int:
    configured()
    statuses = shop_statuses(datetime.now(UTC))
    if args.json:
        print(json.dumps([_status_json(s) for s in statuses], indent=2, ensure_ascii=False, default=str))
        return 0
    rows = [
        [
            s.shop_id,
            s.channel,
            s.state,
            iso_z(s.checkpoint) if s.checkpoint else "—",
            duration(s.lag_seconds),
            str(s.last_run.get("outcome", "—")),
            (s.last_error or "")[:60],
        ]
        for s in statuses
    ]
    print_table(
        ["SHOP", "CHANNEL", "STATE", "CHECKPOINT", "LAG", "LAST RUN", "LAST ERROR"],
        rows,
        empty="no shops registered yet",
    )
    return 0


def _status_json(status: Any) -> dict[str, Any]:
    return {
        "shop_id": status.shop_id,
        "channel": status.channel,
        "state": status.state,
        "checkpoint": iso_z(status.checkpoint) if status.checkpoint else None,
        "lag_seconds": status.lag_seconds,
        "last_error": status.last_error,
        "last_run": status.last_run,
        "totals": status.totals,
    }


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
