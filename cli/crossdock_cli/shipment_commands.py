"""`crossdock shipments …` and `crossdock tracking run`: parcels under tracking, for operators.

crossdock shipments import FILE     CSV or JSON: tracking_number, carrier[, shipped_at, channel, shop_id, order_id]
crossdock shipments list [--status S] [--follow-up] [--stalled] [--limit N]   most urgent first
crossdock shipments show NUMBER     one parcel (or carrier#NUMBER): status, flags, every scan

`list` and `show` take --json (one document: stable keys, times in ISO 8601 UTC), --wide and --tz
(times in that zone; the buyer's line keeps the shop's zone it was written in).
crossdock tracking run              plan the due parcels, refresh them here (the queue's tasks), digests
crossdock tracking source NAME --credentials FILE|- [--endpoint api=URL]   connect 4px, yanwen or 17track
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crossdock.carriers.registry import SOURCES
from crossdock.channels.registry import CHANNELS
from crossdock.core import aws
from crossdock.core.text import duration
from crossdock.tracking import compose as tracking_compose
from crossdock.tracking.rules.parcel import Parcel
from crossdock.tracking.rules.policy import status_line
from crossdock.tracking.rules.status import TrackingStatus
from crossdock.tracking.storage.shipments import ParcelConflict, ShipmentRepository, to_parcel
from crossdock.tracking.storage.tables import ShipmentModel
from crossdock.tracking.usecases.admin import connect_source
from crossdock.tracking.usecases.plan import TASK_KIND
from crossdock.tracking.usecases.refresh import TrackingRefresher
from crossdock.tracking.usecases.shipment_rows import RowErrors, parse_shipment_file
from rich.text import Text

from crossdock_cli import arguments
from crossdock_cli.output import Output
from crossdock_cli.parsing import command, group
from crossdock_cli.session import configured


# -- import ----------------------------------------------------------------------------------------
def shipments_import(args: argparse.Namespace) -> int:
    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise arguments.UsageError(f"cannot read {args.file}: {exc}") from None
    try:
        rows = parse_shipment_file(text, now=datetime.now(UTC), channels=CHANNELS)
    except RowErrors as exc:
        for problem in exc.problems:
            print(f"{args.file}: {problem}", file=sys.stderr)
        print(f"crossdock: nothing registered ({len(exc.problems)} problem(s))", file=sys.stderr)
        return 2
    out = Output.from_args(args)
    report = tracking_compose.shipment_registrar(configured()).register(row.shipment for row in rows)
    out.line(
        f"{len(rows)} parcel(s): {len(report.new)} registered (first check at the next tracking run), "
        f"{len(report.known)} already registered"
    )
    for key in report.known:
        out.line(f"  already registered: {key}")
    return 0


# -- list ------------------------------------------------------------------------------------------
DEFAULT_LIMIT = 50
TROUBLE = {"exception", "delivery_failed"}  # states a person should look at, shown in red


def _next_check(item: ShipmentModel) -> datetime | None:
    return datetime.fromisoformat(item.next_check_at.replace("Z", "+00:00")) if item.next_check_at else None


def _flags(parcel: Parcel) -> list[str]:
    flags = []
    if parcel.follow_up_since is not None:
        flags.append("follow-up")
    if parcel.escalated_at is not None:
        flags.append("escalated")
    if parcel.stalled_since is not None and not parcel.final:
        flags.append("stalled")
    return flags


def _customer_line(item: ShipmentModel, parcel: Parcel) -> str:
    """The line stored with the parcel (what customer service reads, in the shop's zone); computed if
    none was stored."""
    return item.status_line or status_line(parcel, datetime.now(UTC))


def _urgency(parcel: Parcel) -> tuple[int, float]:
    """Most urgent first (escalated, followed up, stalled, in trouble, moving, done), then newest."""
    flags = _flags(parcel)
    rank = next(
        (i for i, wanted in enumerate(("escalated", "follow-up", "stalled")) if wanted in flags),
        3 if str(parcel.status) in TROUBLE else 5 if parcel.final else 4,
    )
    return rank, -parcel.last_news_at.timestamp()


def _status_cell(parcel: Parcel) -> Text:
    """The status and its flags ("in_transit · stalled"): red when a person should look."""
    flags = _flags(parcel)
    troubled = bool(flags) or str(parcel.status) in TROUBLE
    text = " · ".join([str(parcel.status), *flags])
    return Text(text, style="red" if troubled else "green" if parcel.final else "")


def _parcel_json(item: ShipmentModel, parcel: Parcel, *, events: bool = False) -> dict[str, Any]:
    order = parcel.order
    data: dict[str, Any] = {
        "parcel": parcel.key,
        "carrier": parcel.carrier,
        "tracking_number": parcel.tracking_number,
        "status": str(parcel.status),
        "raw_status": parcel.raw_status or None,
        "flags": _flags(parcel),
        "status_line": _customer_line(item, parcel),
        "source": parcel.source,
        "last_event_at": parcel.last_event_at,
        "next_check_at": _next_check(item),
        "order": {"channel": order.channel, "shop_id": order.shop_id, "order_id": order.order_id}
        if order
        else None,
        "follow_up_since": parcel.follow_up_since,
        "escalated_at": parcel.escalated_at,
        "stalled_since": parcel.stalled_since,
        "shipped_at": parcel.handed_over_at,
        "registered_at": parcel.registered_at,
    }
    if events:
        data |= {
            "carrier_text": item.carrier_text or None,
            "last_success_at": parcel.last_success_at,
            "last_checked_at": item.last_checked_at,
            "last_failure": item.last_failure,
            "stall_reported": parcel.stall_reported,
            "events": [e.to_dict() for e in parcel.events],
        }
    return data


def shipments_list(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    if args.limit < 0:
        raise arguments.UsageError(f"--limit must be 0 (all) or more, got {args.limit}")
    configured()
    matched = []
    for item in ShipmentRepository().all():
        parcel = to_parcel(item)
        flags = _flags(parcel)
        if args.status and parcel.status != args.status:
            continue
        if (args.follow_up and "follow-up" not in flags) or (args.stalled and "stalled" not in flags):
            continue
        matched.append((item, parcel))
    matched.sort(key=lambda pair: _urgency(pair[1]))
    shown = matched[: args.limit] if args.limit else matched
    out.json(
        {
            "matched": len(matched),
            "shown": len(shown),
            "parcels": [_parcel_json(item, parcel) for item, parcel in shown],
        }
    )
    headers = ["NUMBER", "STATUS", "LAST SCAN", "CUSTOMER SEES"]
    if out.wide:
        headers = [
            "NUMBER",
            "CARRIER",
            "STATUS",
            "LAST SCAN",
            "SOURCE",
            "NEXT CHECK",
            "ORDER",
            "CUSTOMER SEES",
        ]
    rows = []
    for item, parcel in shown:
        row: list[Any] = [
            parcel.tracking_number,
            _status_cell(parcel),
            out.when(parcel.last_event_at),
            _customer_line(item, parcel),
        ]
        if out.wide:
            order = parcel.order
            row[1:1] = [parcel.carrier]
            row[4:4] = [
                parcel.source,
                out.when(_next_check(item)) if item.next_check_at else "— (final)",
                f"{order.channel}/{order.shop_id}/{order.order_id}" if order else None,
            ]
        rows.append(row)
    filtered = args.status or args.follow_up or args.stalled
    out.table(headers, rows, empty="no parcels match" if filtered else "no parcels registered")
    if len(shown) < len(matched):
        out.line(
            f"{len(shown)} of {len(matched)} parcels shown, most urgent first: {len(matched) - len(shown)} more "
            "(--limit 0 shows all; --status, --follow-up or --stalled narrow the list)"
        )
    return 0


# -- show ------------------------------------------------------------------------------------------
def _find(number: str) -> list[ShipmentModel]:
    """By parcel key ("4px#4PX…CN") or by tracking number under any carrier (case-insensitive)."""
    carrier, sep, tracking_number = number.strip().rpartition("#")
    if sep:
        return ShipmentRepository().items([f"{carrier.lower()}#{tracking_number}"])
    wanted = tracking_number.upper()
    return [i for i in ShipmentRepository().all() if i.tracking_number.upper() == wanted]


def _ago(out: Output, moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = (now - moment).total_seconds()
    return f"{out.when(moment)} ({duration(abs(seconds))} {'ago' if seconds >= 0 else 'from now'})"


def _describe(out: Output, item: ShipmentModel, now: datetime) -> None:
    parcel = to_parcel(item)
    order = parcel.order
    next_check = _next_check(item)
    follow_up = "no"
    if parcel.follow_up_since is not None:
        follow_up = f"every source failing since {_ago(out, parcel.follow_up_since, now)}"
        if parcel.escalated_at is not None:
            follow_up += f"; escalated {_ago(out, parcel.escalated_at, now)}"
    stalled = "no"
    if parcel.stalled_since is not None and not parcel.final:
        reported = "reported" if parcel.stall_reported else "not reported yet"
        stalled = f"no news since {_ago(out, parcel.stalled_since, now)} ({reported})"
    fields: list[tuple[str, Any]] = [
        ("parcel", parcel.key),
        ("carrier", parcel.carrier + (f" (given as {item.carrier_text!r})" if item.carrier_text else "")),
        ("order", f"{order.channel} / {order.shop_id} / {order.order_id}" if order else "none on file"),
        (
            "status",
            Text(f"{parcel.status} (raw: {parcel.raw_status or '—'})", style=_status_cell(parcel).style),
        ),
        ("customer sees", _customer_line(item, parcel)),
        ("source", parcel.source or "— (no good answer yet)"),
        ("last success", _ago(out, parcel.last_success_at, now)),
        ("last checked", _ago(out, item.last_checked_at, now)),
        ("last failure", item.last_failure or "—"),
        ("next check", _ago(out, next_check, now) if next_check else "none: no longer checked"),
        ("follow-up", Text(follow_up, style="red" if parcel.follow_up_since else "")),
        ("stalled", Text(stalled, style="red" if stalled != "no" else "")),
        ("shipped", _ago(out, parcel.handed_over_at, now)),
        ("registered", _ago(out, parcel.registered_at, now)),
    ]
    if parcel.registered_with:
        fields.append(("registered with", ", ".join(sorted(parcel.registered_with))))
    out.fields(fields)
    out.line(f"\nevents ({len(parcel.events)}, oldest first):")
    out.table(
        ["TIME", "STATUS", "RAW", "DESCRIPTION", "LOCATION", "SOURCE"],
        [
            [
                out.when(e.at),
                f"{e.status}{' (return)' if e.is_return else ''}",
                e.raw_status or None,
                e.description,
                e.location or None,
                e.source,
            ]
            for e in parcel.events
        ],
        empty="  no scans yet",
    )


def shipments_show(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    configured()
    items = sorted(_find(args.number), key=lambda i: i.parcel_key)
    if not items:
        print(f"crossdock: no parcel with tracking number {args.number!r}", file=sys.stderr)
        return 1
    out.json({"parcels": [_parcel_json(item, to_parcel(item), events=True) for item in items]})
    now = datetime.now(UTC)
    for index, item in enumerate(items):
        if index:
            out.line()
        _describe(out, item, now)
    return 0


# -- tracking run ----------------------------------------------------------------------------------
def tracking_run(args: argparse.Namespace) -> int:
    """One planner run, then the tasks on the tracking queue refreshed in this process, one at a
    time, then the planner's digests of what they found (as its next run would send them).

    A task whose parcels changed meanwhile (ParcelConflict) stays on the queue and comes back after
    its visibility timeout, as it would for the worker function. Any other error stops the run and
    makes the task visible again at once, so the worker is not kept waiting by this workstation."""
    out = Output.from_args(args)
    current = configured()
    url = current.tracking_tasks_queue_url
    if not url:
        raise arguments.UsageError("CROSSDOCK_TRACKING_TASKS_QUEUE_URL (the tracking tasks queue) is not set")
    planner = tracking_compose.tracking_planner(current)
    plan = planner.plan()
    carriers = ", ".join(f"{c} {n}" for c, n in sorted(plan.by_carrier.items())) or "none"
    out.line(
        f"planned {plan.planned} of {plan.due} due parcel(s) in {plan.tasks} task(s) ({carriers}); "
        f"follow-ups reported {plan.follow_ups_reported}, escalated {plan.escalated}, "
        f"stalls reported {plan.stalled_reported}"
    )
    refresher = tracking_compose.tracking_refresher(current)
    sqs = aws.client("sqs")
    done = failed = 0
    while args.max_tasks is None or done + failed < args.max_tasks:
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1)
        if not received.get("Messages"):
            break
        [message] = received["Messages"]
        try:
            problem = _refresh_task(out, refresher, message["Body"], number=done + failed + 1)
        except BaseException:
            sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
            raise
        if problem is None:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            done += 1
        else:
            print(f"task left on the queue: {problem}", file=sys.stderr)
            failed += 1
    out.line(f"{done} task(s) done, {failed} left on the queue")
    told = planner.report_incidents()
    out.line(
        f"digests: follow-ups reported {told.followed_up}, escalated {told.escalated}, "
        f"stalls reported {told.stalled}"
    )
    return 1 if failed else 0


def _refresh_task(out: Output, refresher: TrackingRefresher, body: str, *, number: int) -> str | None:
    """None when the task was handled, or why it was not. A line before the task says what is being
    asked (a task waits on the sources' rate limits: tens of seconds), a line after what came back."""
    try:
        task = json.loads(body)
    except ValueError:
        return f"not JSON: {body[:200]}"
    parcels = task.get("parcels") if isinstance(task, dict) else None
    if not isinstance(parcels, list) or task.get("kind") != TASK_KIND:
        return f"not a {TASK_KIND} task: {body[:200]}"
    out.line(f"task {number}: asking the sources about {len(parcels)} {task.get('carrier', '?')} parcel(s)…")
    try:
        report = refresher.refresh(parcels)
    except ParcelConflict as exc:
        return str(exc)
    answered = ", ".join(f"{s} {n}" for s, n in sorted(report.answered_by.items())) or "none"
    out.line(
        f"{task.get('carrier', '?')}: {report.parcels} parcel(s) · news {report.news}, no news {report.no_news}, "
        f"not yet {report.not_yet} · answered by {answered} (failovers {report.failovers}) · "
        f"followed up {len(report.followed_up)}, still failing {report.still_failing}, "
        f"expired {report.expired}"
    )
    return None


# -- parser ----------------------------------------------------------------------------------------
def register(sub: Any) -> None:
    """The `shipments` and `tracking` command groups on the main parser's subcommands."""
    shipments = group(sub, "shipments", help="parcels under tracking: import, list, show")
    imp = command(
        shipments,
        "import",
        help="register parcels from a CSV or JSON file "
        "(tracking_number, carrier[, shipped_at, channel, shop_id, order_id]); all or nothing",
        run=shipments_import,
    )
    imp.add_argument("file")

    lst = command(
        shipments,
        "list",
        help="parcels, most urgent first: status, last scan, flags, what the buyer is told",
        run=shipments_list,
        reads=True,
    )
    lst.add_argument("--status", choices=[str(s) for s in TrackingStatus], help="only parcels in this status")
    lst.add_argument("--follow-up", action="store_true", help="only parcels no source could answer")
    lst.add_argument("--stalled", action="store_true", help="only parcels flagged as stalled")
    lst.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"show the N most urgent (default {DEFAULT_LIMIT}; 0: all)",
    )

    show = command(
        shipments,
        "show",
        help="one parcel: status, source, checks, flags and every scan",
        run=shipments_show,
        reads=True,
    )
    show.add_argument("number", help="tracking number, or carrier#number when two carriers share it")

    tracking = group(sub, "tracking", help="run tracking here, connect tracking sources")
    run = command(
        tracking, "run", help="plan the due parcels and refresh them in this process", run=tracking_run
    )
    run.add_argument(
        "--max-tasks", type=int, help="stop after this many tasks (default: until the queue is empty)"
    )

    connect = command(
        tracking,
        "source",
        help="connect a tracking source: its credentials into Secrets Manager",
        run=tracking_source,
    )
    connect.add_argument("source", choices=sorted(SOURCES), help="the tracking source")
    connect.add_argument(
        "--credentials", required=True, metavar="FILE|-", help="the secret's JSON (- reads stdin)"
    )
    connect.add_argument(
        "--endpoint", action="append", metavar="name=url", help="endpoint override, e.g. api=…"
    )


def tracking_source(args: argparse.Namespace) -> int:
    name = connect_source(
        configured(), args.source, arguments.credentials(args.credentials), arguments.endpoints(args.endpoint)
    )
    Output.from_args(args).line(f"{SOURCES[args.source].display}: credentials stored in secret {name}")
    return 0
