"""`crossdock status`: the whole system on one screen — the overall judgment, then shops, stock
agreement, tracking incidents, blocked products, dead-letter queues and the last alerts, each a
compact titled table; `--json` gives the same sections under stable keys."""

from __future__ import annotations

import argparse
from typing import Any

from crossdock.core.text import duration
from crossdock.operations.compose import operations_snapshot
from crossdock.operations.views import ListingIssue, ParcelIssue, Snapshot

from crossdock_cli.output import Output
from crossdock_cli.parsing import command
from crossdock_cli.session import configured

LIST_ROWS = 10  # rows per list on the screen (the JSON has them all); the rest is counted
HEALTH_STYLE = {"ok": "bold green", "attention": "bold yellow", "action needed": "bold red"}


def status(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    snapshot = operations_snapshot(configured()).take()
    out.json(snapshot_json(snapshot))
    show(out, snapshot)
    return 0


# -- people ----------------------------------------------------------------------------------------
def show(out: Output, s: Snapshot) -> None:
    hours = (s.taken_at - s.since).total_seconds() / 3600
    out.line(
        f"crossdock status: {s.health.level}   (at {out.when(s.taken_at)}; counts over the last {hours:g} h)",
        style=HEALTH_STYLE.get(s.health.level),
    )
    for reason in s.health.reasons:
        out.line(f"  - {reason}")
    _section(out, "Shops (orders placed in the last 24 h)")
    out.table(
        ["SHOP", "CHANNEL", "STATE", "CHECKPOINT", "LAG", "LAST RUN", "ORDERS"],
        [
            [
                shop.shop_id,
                shop.channel,
                shop.state,
                out.when(shop.checkpoint),
                duration(shop.lag_seconds),
                shop.last_outcome,
                shop.orders,
            ]
            for shop in s.shops
        ],
        empty="no shops registered yet",
        numeric=["ORDERS"],
    )
    for shop in s.shops:
        if shop.last_error:
            out.line(f"  {shop.shop_id} last error: {shop.last_error}")
    _stock(out, s)
    _tracking(out, s)
    _section(out, "Blocked products (no fresh supplier: do not reorder)")
    out.table(
        ["SKU", "BLOCKED SINCE", "LAST DECISION"],
        _capped([[p.sku, out.when(p.since), p.summary] for p in s.blocked], 3),
        empty="none",
    )
    waiting = [q for q in s.dead_letters if q.depth != 0]
    _section(out, f"Dead-letter queues ({len(s.dead_letters) - len(waiting)} of {len(s.dead_letters)} empty)")
    out.table(
        ["QUEUE", "DEAD LETTERS", "NOTE"],
        [[q.queue, "unknown" if q.depth is None else q.depth, q.note] for q in waiting],
        empty="no dead letters",
        numeric=["DEAD LETTERS"],
    )
    _section(out, "Last alerts and reports (`crossdock alerts list` for more)")
    out.table(
        ["SENT", "TOPIC", "SUBJECT"],
        [[out.when(a.sent_at), a.topic, a.subject] for a in s.alerts],
        empty="none in the last 24 h",
    )


def _stock(out: Output, s: Snapshot) -> None:
    st = s.stock
    issues = [_listing_row(i, "shows more than sellable") for i in st.over_offered]
    issues += [_listing_row(i, f"needs review: {i.detail}") for i in st.needs_review]
    _section(
        out,
        f"Stock agreement: {st.agreeing}/{st.listings} agree, {st.pending_marks} waiting, "
        f"{st.read_back_drift} drift · 24 h: {st.pushes} pushed, {st.refusals} refused, {st.failures} failed",
    )
    out.table(
        ["SKU", "SHOP", "CHANNEL", "SHOWN", "SELLABLE", "ISSUE"],
        _capped(issues, 6),
        empty="nothing over-offered, nothing waiting for review",
        numeric=["SHOWN", "SELLABLE"],
    )


def _section(out: Output, title: str) -> None:
    out.line()
    out.line(title, style="bold")


def _listing_row(issue: ListingIssue, what: str) -> list[Any]:
    return [issue.sku, issue.shop_id, issue.channel, issue.shown, issue.sellable, what]


def _tracking(out: Output, s: Snapshot) -> None:
    t = s.tracking
    parcels = [_parcel_row(out, p, "stalled") for p in t.stalled]
    parcels += [_parcel_row(out, p, "no source answers") for p in t.follow_up]
    _section(
        out,
        f"Tracking incidents: {t.parcels} parcels tracked, {len(t.stalled)} stalled, "
        f"{len(t.follow_up)} with no source answering",
    )
    out.table(
        ["PARCEL", "SHOP", "STATUS", "INCIDENT", "SINCE"],
        _capped(parcels, 5),
        empty="no incident",
    )
    if t.sources:
        out.line()
        out.table(
            ["SOURCE", "ANSWERS 24H", "SILENT", "DEMOTED SINCE"],
            [
                [
                    x.source,
                    x.answers,
                    f"{x.silent_rate:.0%}",
                    out.when(x.demoted_since) if x.demoted_since else "",
                ]
                for x in t.sources
            ],
            empty="",
            numeric=["ANSWERS 24H", "SILENT"],
        )


def _parcel_row(out: Output, parcel: ParcelIssue, what: str) -> list[Any]:
    return [parcel.parcel_key, parcel.shop_id, parcel.status, what, out.when(parcel.since)]


def _capped(rows: list[list[Any]], width: int) -> list[list[Any]]:
    if len(rows) <= LIST_ROWS:
        return rows
    more = [f"… and {len(rows) - LIST_ROWS + 1} more (--json lists all)"] + [""] * (width - 1)
    return [*rows[: LIST_ROWS - 1], more]


# -- scripts ---------------------------------------------------------------------------------------
def snapshot_json(s: Snapshot) -> dict[str, Any]:
    st, t = s.stock, s.tracking
    return {
        "taken_at": s.taken_at,
        "since": s.since,
        "health": {"level": s.health.level, "reasons": list(s.health.reasons)},
        "shops": [
            {
                "shop_id": shop.shop_id,
                "channel": shop.channel,
                "state": shop.state,
                "checkpoint": shop.checkpoint,
                "lag_seconds": shop.lag_seconds,
                "last_error": shop.last_error,
                "last_run": shop.last_run,
                "totals": shop.totals,
                "orders_24h": shop.orders,
            }
            for shop in s.shops
        ],
        "stock": {
            "listings": st.listings,
            "agreeing": st.agreeing,
            "under_offered": st.under_offered,
            "pending_marks": st.pending_marks,
            "oldest_mark_at": st.oldest_mark_at,
            "read_back_drift": st.read_back_drift,
            "pushes_24h": st.pushes,
            "refusals_24h": st.refusals,
            "failures_24h": st.failures,
            "over_offered": [_listing_json(i) for i in st.over_offered],
            "needs_review": [_listing_json(i) for i in st.needs_review],
        },
        "tracking": {
            "parcels": t.parcels,
            "stalled": [_parcel_json(p) for p in t.stalled],
            "follow_up": [_parcel_json(p) for p in t.follow_up],
            "sources": [
                {
                    "source": x.source,
                    "answers_24h": x.answers,
                    "silent_24h": x.silent,
                    "silent_rate": round(x.silent_rate, 4),
                    "demoted_since": x.demoted_since,
                }
                for x in t.sources
            ],
        },
        "blocked_products": [{"sku": p.sku, "since": p.since, "summary": p.summary} for p in s.blocked],
        "dead_letters": [
            {"queue": q.queue, "variable": q.variable, "depth": q.depth, "note": q.note}
            for q in s.dead_letters
        ],
        "alerts": [
            {"sent_at": a.sent_at, "topic": a.topic, "subject": a.subject, "key": a.key} for a in s.alerts
        ],
    }


def _listing_json(issue: ListingIssue) -> dict[str, Any]:
    return {
        "sku": issue.sku,
        "shop_id": issue.shop_id,
        "channel": issue.channel,
        "shown": issue.shown,
        "sellable": issue.sellable,
        "detail": issue.detail,
    }


def _parcel_json(parcel: ParcelIssue) -> dict[str, Any]:
    return {
        "parcel_key": parcel.parcel_key,
        "shop_id": parcel.shop_id or None,
        "status": parcel.status,
        "since": parcel.since,
    }


def register(sub: Any) -> None:
    command(
        sub,
        "status",
        help="one screen: shops, stock agreement, tracking incidents, blocked products, dead letters, last alerts",
        run=status,
        reads=True,
    )
