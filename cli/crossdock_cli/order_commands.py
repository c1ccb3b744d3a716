"""`crossdock orders …`: manual order pulls, and looking orders up (list, show)."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from typing import Any

from crossdock.channels.registry import CHANNELS
from crossdock.core.queues import TaskQueue
from crossdock.core.times import parse_iso
from crossdock.orders import compose as orders_compose
from crossdock.orders.usecases.browse import OrderQuery, OrderSummary, OrderView, find_order, list_orders
from crossdock.orders.usecases.tasks import ShopTask
from crossdock.shops.storage.shops import ShopRepository

from crossdock_cli import arguments
from crossdock_cli.output import Output
from crossdock_cli.parsing import command, group
from crossdock_cli.session import configured


def orders_pull(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    since, until = arguments.timestamp(args.since), arguments.timestamp(args.until)
    if until is not None and since is None:
        raise arguments.UsageError("--until needs --since")
    current = configured()
    ShopRepository().get(args.shop)  # a clear error for an unknown shop, before anything is queued
    task = ShopTask(kind="pull", shop_id=args.shop, reason="manual", since=since, until=until)
    if not args.now:
        TaskQueue(current.order_tasks_queue_url).enqueue([task.body()])
        out.note(f"pull of {args.shop} queued: {json.dumps(task.body())}")
        out.json({"shop_id": args.shop, "outcome": "queued", "task": task.body()})
        return 0
    report = orders_compose.order_puller(current, owner="crossdock-cli").pull(task)
    if report.outcome == "deferred":
        out.note(f"{args.shop} is being pulled by a worker right now: the pull is queued to run after it")
        out.json({"shop_id": args.shop, "outcome": "deferred"})
        return 0
    out.note(
        f"{args.shop}: {report.outcome} · {report.windows} windows, {report.pages} pages · new {report.new}, "
        f"updated {report.updated}, unchanged {report.unchanged} · events {report.events} · "
        f"calls {report.stats.total_calls} (retries {report.stats.retries})"
    )
    if report.error:
        out.note(f"error: {report.error}")
    out.json(report.figures())
    return 0 if report.outcome in ("done", "continued") else 1


def orders_list(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    query = OrderQuery(
        shop_id=args.shop,
        status=args.status,
        since=arguments.timestamp(args.since),
        until=arguments.timestamp(args.until),
        limit=args.limit,
    )
    configured()
    found = list_orders(query, sorted(CHANNELS))
    out.json({"orders": [_summary_json(o) for o in found]})
    rows = [
        [
            out.when(o.created_at),
            o.shop_id,
            o.order_id,
            o.status,
            _total(o),
            o.units,
            _plain(o.buyer_name),
        ]
        for o in found
    ]
    out.table(
        ["CREATED", "SHOP", "ORDER", "STATUS", "TOTAL", "UNITS", "BUYER"],
        rows,
        empty="no orders match",
        numeric=["TOTAL", "UNITS"],
    )
    if len(found) == query.limit:
        out.line(f"the newest {query.limit} shown; --limit N for more")
    return 0


def orders_show(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    configured()
    found = find_order(args.order_id, args.shop, sorted(CHANNELS))
    where = f"shop {args.shop}" if args.shop else "any registered shop"
    if not found:
        print(f"crossdock: no order {args.order_id!r} stored for {where}", file=sys.stderr)
        return 1
    if len(found) > 1:
        shops = ", ".join(f"{o.shop_id} ({o.channel})" for o in found)
        print(f"crossdock: order {args.order_id!r} is stored for {shops}: add --shop", file=sys.stderr)
        return 1
    [order] = found
    out.json({"order": _view_json(order)})
    _print_order(out, order)
    return 0


def _print_order(out: Output, order: OrderView) -> None:
    out.line(f"order {order.order_id} · {order.shop_id} ({order.channel})")
    out.line(f"status {order.status} (channel: {_plain(order.raw_status)}) · total {_total(order)}")
    out.line(f"created {out.when(order.created_at)} · last changed {out.when(order.modified_at)}")
    out.line(
        f"buyer {_plain(order.buyer_name) or '—'}"
        + (f" · note: {_plain(order.buyer_note)}" if order.buyer_note else "")
    )
    out.line()
    out.table(
        ["LINE", "SKU", "QTY", "UNIT PRICE", "TITLE"],
        [
            [
                line.get("line_id"),
                line.get("sku"),
                line.get("quantity"),
                _money(line.get("unit_price")),
                _plain(line.get("title") or ""),
            ]
            for line in order.lines
        ],
        empty="no lines",
        numeric=["QTY", "UNIT PRICE"],
        title="Lines",
    )
    out.table(
        ["CARRIER", "TRACKING NUMBER"],
        [[s.get("carrier"), s.get("tracking_number")] for s in order.shipments],
        empty="no shipments yet",
        title="Shipments",
    )
    out.line()
    out.line(f"stored {order.revisions} time(s), last at {out.when(order.stored_at)}")
    out.table(
        ["EVENT", "OCCURRED", "DETECTED", "STATUS", "STATE", "EVENT ID"],
        [
            [
                e.get("event_type"),
                out.when(parse_iso(e["occurred_at"])) if e.get("occurred_at") else None,
                out.when(parse_iso(e["detected_at"])) if e.get("detected_at") else None,
                e.get("status"),
                e["state"],
                e.get("event_id"),
            ]
            for e in order.events()
        ],
        empty="no events recorded for this order",
        title="Events (order.* on the order-events queue; waiting = still in the outbox)",
    )
    out.line()
    out.line("raw payload as the channel sent it:")
    out.line(_plain(json.dumps(order.raw, indent=2, ensure_ascii=False, default=str), keep_newlines=True))


def _summary_json(order: OrderSummary) -> dict[str, Any]:
    return {
        "channel": order.channel,
        "shop": order.shop_id,
        "order_id": order.order_id,
        "status": order.status,
        "raw_status": order.raw_status,
        "created_at": order.created_at,
        "modified_at": order.modified_at,
        "total": {"amount": order.total_amount, "currency": order.currency} if order.total_amount else None,
        "buyer_name": order.buyer_name,
        "units": order.units,
    }


def _view_json(order: OrderView) -> dict[str, Any]:
    return {
        **_summary_json(order),
        "buyer_note": order.buyer_note,
        "stored_at": order.stored_at,
        "revisions": order.revisions,
        "lines": order.lines,
        "shipments": order.shipments,
        "events": order.events(),
        "pending_events": order.pending_events,
        "raw": order.raw,
    }


def _total(order: OrderSummary) -> str:
    return f"{order.total_amount} {order.currency}" if order.total_amount else "—"


def _money(value: dict[str, Any] | None) -> str:
    return f"{value['amount']} {value['currency']}" if value else "—"


def _plain(text: str, *, keep_newlines: bool = False) -> str:
    """Channel text made harmless for a terminal: control and format characters (escape sequences,
    direction overrides) shown as \\u escapes instead of acting on the terminal."""
    return "".join(
        ch
        if unicodedata.category(ch) not in ("Cc", "Cf") or (keep_newlines and ch == "\n")
        else f"\\u{ord(ch):04x}"
        for ch in str(text)
    )


def _limit(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(sub: Any) -> None:
    """The `orders` command group."""
    orders = group(sub, "orders", help="manual order pulls; look stored orders up")
    pull = command(
        orders,
        "pull",
        help="queue a pull of one shop (or run it here with --now)",
        run=orders_pull,
        reads=True,
    )
    pull.add_argument("--shop", required=True)
    pull.add_argument("--since", help="read this range instead of from the checkpoint (ISO 8601 with zone)")
    pull.add_argument("--until", help="end of the range (default: now minus the channel's settle lag)")
    pull.add_argument("--now", action="store_true", help="pull in this process instead of queueing a task")

    listing = command(
        orders,
        "list",
        help="stored orders, newest first (reads every order of the shops looked at: narrow with --shop)",
        run=orders_list,
        reads=True,
    )
    listing.add_argument("--shop", help="one shop (also a removed shop whose orders were kept)")
    listing.add_argument("--status", help="pending | paid | shipped | completed | cancelled | refunded")
    listing.add_argument("--since", help="created at or after (ISO 8601 with zone, or a date)")
    listing.add_argument("--until", help="created before (ISO 8601 with zone, or a date)")
    listing.add_argument("--limit", type=_limit, default=50, help="at most this many (default 50)")

    show = command(
        orders,
        "show",
        help="one order: lines, shipments, unsent events, raw payload",
        run=orders_show,
        reads=True,
    )
    show.add_argument("order_id")
    show.add_argument("--shop", help="the shop, when the id is not enough (or the shop was removed)")
