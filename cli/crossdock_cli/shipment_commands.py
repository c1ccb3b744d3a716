"""`crossdock shipments …` and `crossdock tracking run`: parcels under tracking, for operators.

crossdock shipments import FILE     CSV or JSON: tracking_number, carrier[, shipped_at, channel, shop_id, order_id]
crossdock shipments list [--status S] [--follow-up] [--stalled]
crossdock shipments show NUMBER     one parcel (or carrier#NUMBER): status, flags, every scan
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

from crossdock_cli import arguments
from crossdock_cli.session import configured
from crossdock_cli.table import duration, print_table


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
    report = tracking_compose.shipment_registrar(configured()).register(row.shipment for row in rows)
    print(
        f"{len(rows)} parcel(s): {len(report.new)} registered (first check at the next tracking run), "
        f"{len(report.known)} already registered"
    )
    for key in report.known:
        print(f"  already registered: {key}")
    return 0


# -- list ------------------------------------------------------------------------------------------
LIST_HEADERS = (
    "CARRIER",
    "NUMBER",
    "STATUS",
    "LAST SCAN (UTC)",
    "SOURCE",
    "NEXT CHECK (UTC)",
    "FLAGS",
    "STATUS LINE",
)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else "—"


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
    """The line stored with the parcel (what customer service reads); computed if none was stored."""
    return item.status_line or status_line(parcel, datetime.now(UTC))


def shipments_list(args: argparse.Namespace) -> int:
    configured()
    rows = []
    for item in sorted(ShipmentRepository().all(), key=lambda i: (i.carrier, i.tracking_number)):
        parcel = to_parcel(item)
        flags = _flags(parcel)
        if args.status and parcel.status != args.status:
            continue
        if (args.follow_up and "follow-up" not in flags) or (args.stalled and "stalled" not in flags):
            continue
        rows.append(
            [
                parcel.carrier,
                parcel.tracking_number,
                str(parcel.status),
                _when(parcel.last_event_at),
                parcel.source or "—",
                _when(_next_check(item)) if item.next_check_at else "— (final)",
                ",".join(flags) or "—",
                _customer_line(item, parcel),
            ]
        )
    filtered = args.status or args.follow_up or args.stalled
    print_table(LIST_HEADERS, rows, empty="no parcels match" if filtered else "no parcels registered")
    return 0


# -- show ------------------------------------------------------------------------------------------
def _find(number: str) -> list[ShipmentModel]:
    """By parcel key ("4px#4PX…CN") or by tracking number under any carrier (case-insensitive)."""
    carrier, sep, tracking_number = number.strip().rpartition("#")
    if sep:
        return ShipmentRepository().items([f"{carrier.lower()}#{tracking_number}"])
    wanted = tracking_number.upper()
    return [i for i in ShipmentRepository().all() if i.tracking_number.upper() == wanted]


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = (now - moment).total_seconds()
    words = f"{duration(abs(seconds))} {'ago' if seconds >= 0 else 'from now'}"
    return f"{_when(moment)} UTC ({words})"


def _describe(item: ShipmentModel, now: datetime) -> None:
    parcel = to_parcel(item)
    order = parcel.order
    next_check = _next_check(item)
    follow_up = "no"
    if parcel.follow_up_since is not None:
        follow_up = f"every source failing since {_ago(parcel.follow_up_since, now)}"
        if parcel.escalated_at is not None:
            follow_up += f"; escalated {_ago(parcel.escalated_at, now)}"
    stalled = "no"
    if parcel.stalled_since is not None and not parcel.final:
        reported = "reported" if parcel.stall_reported else "not reported yet"
        stalled = f"no news since {_ago(parcel.stalled_since, now)} ({reported})"
    fields = [
        ("parcel", parcel.key),
        ("carrier", parcel.carrier + (f" (given as {item.carrier_text!r})" if item.carrier_text else "")),
        ("order", f"{order.channel} / {order.shop_id} / {order.order_id}" if order else "none on file"),
        ("status", f"{parcel.status} (raw: {parcel.raw_status or '—'})"),
        ("customer sees", _customer_line(item, parcel)),
        ("source", parcel.source or "— (no good answer yet)"),
        ("last success", _ago(parcel.last_success_at, now)),
        ("last checked", _ago(item.last_checked_at, now)),
        ("last failure", item.last_failure or "—"),
        ("next check", _ago(next_check, now) if next_check else "none: no longer checked"),
        ("follow-up", follow_up),
        ("stalled", stalled),
        ("shipped", _ago(parcel.handed_over_at, now)),
        ("registered", _ago(parcel.registered_at, now)),
    ]
    if parcel.registered_with:
        fields.append(("registered with", ", ".join(sorted(parcel.registered_with))))
    width = max(len(label) for label, _ in fields)
    for label, value in fields:
        print(f"{label + ':':<{width + 1}}  {value}")
    print(f"\nevents ({len(parcel.events)}, oldest first):")
    print_table(
        ["TIME (UTC)", "STATUS", "RAW", "DESCRIPTION", "LOCATION", "SOURCE"],
        [
            [
                e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
                f"{e.status}{' (return)' if e.is_return else ''}",
                e.raw_status or "—",
                e.description,
                e.location or "—",
                e.source,
            ]
            for e in parcel.events
        ],
        empty="  no scans yet",
    )


def shipments_show(args: argparse.Namespace) -> int:
    configured()
    items = sorted(_find(args.number), key=lambda i: i.parcel_key)
    if not items:
        print(f"crossdock: no parcel with tracking number {args.number!r}", file=sys.stderr)
        return 1
    now = datetime.now(UTC)
    for index, item in enumerate(items):
        if index:
            print()
        _describe(item, now)
    return 0


# -- tracking run ----------------------------------------------------------------------------------
def tracking_run(args: argparse.Namespace) -> int:
    """One planner run, then the tasks on the tracking queue refreshed in this process, one at a
    time, then the planner's digests of what they found (as its next run would send them).

    A task whose parcels changed meanwhile (ParcelConflict) stays on the queue and comes back after
    its visibility timeout, as it would for the worker function. Any other error stops the run and
    makes the task visible again at once, so the worker is not kept waiting by this workstation."""
    current = configured()
    url = current.tracking_tasks_queue_url
    if not url:
        raise arguments.UsageError("CROSSDOCK_TRACKING_TASKS_QUEUE_URL (the tracking tasks queue) is not set")
    planner = tracking_compose.tracking_planner(current)
    plan = planner.plan()
    carriers = ", ".join(f"{c} {n}" for c, n in sorted(plan.by_carrier.items())) or "none"
    print(
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
            problem = _refresh_task(refresher, message["Body"])
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
    print(f"{done} task(s) done, {failed} left on the queue")
    told = planner.report_incidents()
    print(
        f"digests: follow-ups reported {told.followed_up}, escalated {told.escalated}, "
        f"stalls reported {told.stalled}"
    )
    return 1 if failed else 0


def _refresh_task(refresher: TrackingRefresher, body: str) -> str | None:
    """None when the task was handled, or why it was not."""
    try:
        task = json.loads(body)
    except ValueError:
        return f"not JSON: {body[:200]}"
    parcels = task.get("parcels") if isinstance(task, dict) else None
    if not isinstance(parcels, list) or task.get("kind") != TASK_KIND:
        return f"not a {TASK_KIND} task: {body[:200]}"
    try:
        report = refresher.refresh(parcels)
    except ParcelConflict as exc:
        return str(exc)
    answered = ", ".join(f"{s} {n}" for s, n in sorted(report.answered_by.items())) or "none"
    print(
        f"{task.get('carrier', '?')}: {report.parcels} parcel(s) · news {report.news}, no news {report.no_news}, "
        f"not yet {report.not_yet} · answered by {answered} (failovers {report.failovers}) · "
        f"followed up {len(report.followed_up)}, still failing {report.still_failing}, "
        f"expired {report.expired}"
    )
    return None


# -- parser ----------------------------------------------------------------------------------------
def register(sub: Any) -> None:
    """The `shipments` and `tracking` command groups on the main parser's subcommands."""
    shipments = sub.add_parser("shipments", help="parcels under tracking: import, list, show")
    actions = shipments.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = actions.add_parser(
        "import",
        help="register parcels from a CSV or JSON file "
        "(tracking_number, carrier[, shipped_at, channel, shop_id, order_id]); all or nothing",
    )
    imp.add_argument("file")
    imp.set_defaults(run=shipments_import)

    lst = actions.add_parser(
        "list", help="every parcel: status, last scan, source, next check, flags, status line"
    )
    lst.add_argument("--status", choices=[str(s) for s in TrackingStatus], help="only parcels in this status")
    lst.add_argument("--follow-up", action="store_true", help="only parcels no source could answer")
    lst.add_argument("--stalled", action="store_true", help="only parcels flagged as stalled")
    lst.set_defaults(run=shipments_list)

    show = actions.add_parser("show", help="one parcel: status, source, checks, flags and every scan")
    show.add_argument("number", help="tracking number, or carrier#number when two carriers share it")
    show.set_defaults(run=shipments_show)

    tracking = sub.add_parser("tracking", help="run tracking here").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    run = tracking.add_parser("run", help="plan the due parcels and refresh them in this process")
    run.add_argument(
        "--max-tasks", type=int, help="stop after this many tasks (default: until the queue is empty)"
    )
    run.set_defaults(run=tracking_run)

    connect = tracking.add_parser(
        "source", help="connect a tracking source: its credentials into Secrets Manager"
    )
    connect.add_argument("source", choices=sorted(SOURCES), help="the tracking source")
    connect.add_argument(
        "--credentials", required=True, metavar="FILE|-", help="the secret's JSON (- reads stdin)"
    )
    connect.add_argument(
        "--endpoint", action="append", metavar="name=url", help="endpoint override, e.g. api=…"
    )
    connect.set_defaults(run=tracking_source)


def tracking_source(args: argparse.Namespace) -> int:
    name = connect_source(
        configured(), args.source, arguments.credentials(args.credentials), arguments.endpoints(args.endpoint)
    )
    print(f"{SOURCES[args.source].display}: credentials stored in secret {name}")
    return 0
