"""`crossdock suppliers …`: the sourcing catalog, supplier checks, purchase suggestions, for operators.

crossdock suppliers add --sku S --supplier SUPPLIER:OFFER[:SKU_ID] [--supplier …]   primary first, up to 4
crossdock suppliers list                    per product: suppliers, limit, reorder status, last decision
crossdock suppliers check [--sku S ...]     read the suppliers now (exit 1 if a product is blocked)
crossdock suppliers suggest [--email]       the purchase suggestion list (and the daily digest e-mail)
crossdock suppliers history SKU             every decision, newest first, with each rejected candidate
crossdock suppliers platform 1688 --credentials FILE|- [--endpoint gateway=URL]

`list`, `check`, `suggest` and `history` take --json (one document: stable keys, times in ISO 8601
UTC), --wide and --tz (times in that zone).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from crossdock.platforms.registry import SUPPLIERS
from crossdock.suppliers import compose as suppliers_compose
from crossdock.suppliers.rules.sourcing import (
    BLOCKED_LINE,
    DEFAULT_LIMIT,
    MAX_SUPPLIERS,
    SourcingEntry,
    SupplierLink,
)
from crossdock.suppliers.storage.sourcing import SourcingRepository
from crossdock.suppliers.storage.tables import SourcingModel
from crossdock.suppliers.usecases.admin import connect_platform, offer_id
from crossdock.suppliers.usecases.history import DEFAULT_LIMIT as HISTORY_LIMIT
from crossdock.suppliers.usecases.history import HEADERS as HISTORY_HEADERS
from crossdock.suppliers.usecases.history import (
    DecisionHistory,
    decision_rows,
    format_age,
    format_offer,
    format_price,
)
from crossdock.suppliers.usecases.suggest import SuggestionLine
from rich.text import Text

from crossdock_cli import arguments
from crossdock_cli.output import Output
from crossdock_cli.parsing import command, group
from crossdock_cli.session import configured

DEFAULT_LIMIT_MINUTES = int(DEFAULT_LIMIT.total_seconds() // 60)
STATUS_SHOWN = {"ok": "ok", "blocked": BLOCKED_LINE, "unchecked": "unchecked"}
STATUS_STYLE = {"ok": "green", "blocked": "red"}  # shown on a terminal only


# -- shared rendering ------------------------------------------------------------------------------
def _link(link: Mapping[str, Any]) -> str:
    """A supplier as typed on `add`: SUPPLIER:OFFER[:SKU_ID]."""
    parts = [link.get("supplier_id"), link.get("product_id"), link.get("sku_id")]
    return ":".join(str(p) for p in parts if p)


# -- add -------------------------------------------------------------------------------------------
def _supplier_links(given: Sequence[str], platform: str) -> list[SupplierLink]:
    links = []
    for priority, text in enumerate(given, start=1):
        parts = [p.strip() for p in text.split(":")]
        if len(parts) not in (2, 3) or not all(parts):
            raise arguments.UsageError(
                f"--supplier must look like SUPPLIER_ID:PRODUCT_ID[:SKU_ID], got {text!r}"
            )
        supplier_id, product_id, *sku = parts
        try:
            product_id = offer_id(platform, product_id)
        except ValueError as exc:
            raise arguments.UsageError(f"--supplier {text!r}: {exc}") from None
        links.append(SupplierLink(supplier_id, platform, product_id, sku[0] if sku else None, priority))
    return links


def suppliers_add(args: argparse.Namespace) -> int:
    """Create or replace a product's sourcing. Options left out keep the product's current values
    (or take the defaults for a new product), so changing a supplier never resets its limit."""
    configured()
    catalog = SourcingRepository()
    known = catalog.item(args.sku.strip())

    def kept(value: int | None, attribute: str, default: int) -> int:
        if value is not None:
            return value
        return int(getattr(known, attribute)) if known is not None else default

    entry = SourcingEntry.create(  # SourcingConfigError (a ValueError): exit 2 with the rule broken
        args.sku,
        _supplier_links(args.supplier, args.platform),
        limit_minutes=kept(args.limit_minutes, "limit_minutes", DEFAULT_LIMIT_MINUTES),
        lead_time_days=kept(args.lead_time_days, "lead_time_days", 7),
        pack_size=kept(args.pack_size, "pack_size", 1),
    )
    reorder_qty = kept(args.reorder_qty, "reorder_qty", 1)
    if reorder_qty < 1:
        raise arguments.UsageError(f"--reorder-qty must be at least 1, got {reorder_qty}")
    catalog.save_entry(entry, reorder_qty=reorder_qty, now=datetime.now(UTC))
    minutes = int(entry.limit.total_seconds() // 60)
    out = Output.from_args(args)
    out.line(
        f"{entry.sku}: {'added' if known is None else 'updated'} — freshness limit {minutes} min, reorder qty "
        f"{reorder_qty}, lead time {entry.lead_time_days} d, pack size {entry.pack_size}"
    )
    for link in entry.ordered():
        role = "primary" if link == entry.primary else f"alternate {link.priority - 1}"
        out.line(f"  {role:<11}  {link.platform} {format_offer(vars(link))}")
    if known is not None and known.reorder_status != "unchecked":
        out.line(f"  reorder status stays {known.reorder_status!r} until the next check")
    return 0


# -- list ------------------------------------------------------------------------------------------
def _last_decision(item: SourcingModel) -> str:
    """The stored decision's one line for purchasing, without what the other columns say already."""
    summary = str((item.last_decision or {}).get("summary") or "")
    summary = summary.removeprefix(f"{item.sku}: ").removeprefix(f"{BLOCKED_LINE}; ")
    return summary or "—"


def _reorder_cell(status: str) -> Text:
    return Text(STATUS_SHOWN.get(status, status), style=STATUS_STYLE.get(status, ""))


def _links(item: SourcingModel) -> list[Mapping[str, Any]]:
    return sorted(item.suppliers or [], key=lambda s: int(s.get("priority", 0)))


def _product_json(item: SourcingModel) -> dict[str, Any]:
    return {
        "sku": item.sku,
        "suppliers": [
            {
                "priority": int(s.get("priority", 0)),
                "platform": str(s.get("platform", "1688")),
                "supplier_id": s.get("supplier_id"),
                "product_id": s.get("product_id"),
                "sku_id": s.get("sku_id"),
            }
            for s in _links(item)
        ],
        "limit_minutes": int(item.limit_minutes),
        "reorder_qty": int(item.reorder_qty),
        "lead_time_days": int(item.lead_time_days),
        "pack_size": int(item.pack_size),
        "reorder_status": item.reorder_status,
        "blocked_since": item.blocked_since,
        "last_checked_at": item.last_checked_at,
        "last_decision": (item.last_decision or {}).get("summary") or None,
    }


def suppliers_list(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    configured()
    items = sorted(SourcingRepository().all(), key=lambda i: (i.reorder_status != "blocked", i.sku))
    out.json({"products": [_product_json(item) for item in items]})
    headers = ["SKU", "PRIMARY", "ALTERNATES", "LIMIT", "QTY", "REORDER", "LAST CHECKED", "LAST DECISION"]
    if out.wide:
        headers[1:1] = ["PLATFORM"]
        headers[-1:-1] = ["LEAD", "PACK"]
    rows = []
    for item in items:
        links = _links(item)
        row: list[Any] = [
            item.sku,
            _link(links[0]) if links else None,
            ", ".join(_link(s) for s in links[1:]) or None,
            f"{int(item.limit_minutes)} min",
            int(item.reorder_qty),
            _reorder_cell(item.reorder_status),
            out.when(item.last_checked_at),
            _last_decision(item),
        ]
        if out.wide:
            row[1:1] = [",".join(dict.fromkeys(str(s.get("platform", "1688")) for s in links)) or None]
            row[-1:-1] = [f"{int(item.lead_time_days)} d", int(item.pack_size)]
        rows.append(row)
    out.table(
        headers,
        rows,
        empty="the sourcing catalog is empty (see `crossdock suppliers add`)",
        numeric=["QTY", "PACK"],
    )
    return 0


# -- check -----------------------------------------------------------------------------------------
def suppliers_check(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    current = configured()
    catalog = SourcingRepository()
    if args.sku:
        skus = list(dict.fromkeys(s.strip() for s in args.sku))
        unknown = sorted(set(skus) - {item.sku for item in catalog.items(skus)})
        if unknown:
            print(
                f"crossdock: not in the sourcing catalog: {', '.join(unknown)} (see `crossdock suppliers list`)",
                file=sys.stderr,
            )
            return 1
    else:
        skus = catalog.all_skus()
    if not skus:
        out.json({"checked": 0, "reads": 0, "blocked": [], "rejected": {}, "stuck": [], "decisions": []})
        out.line("the sourcing catalog is empty: nothing to check (see `crossdock suppliers add`)")
        return 0
    out.line(f"reading the suppliers of {len(skus)} product(s)…")
    report = suppliers_compose.supplier_checker(current).check(skus)
    out.json(
        {
            "checked": report.checked,
            "reads": report.reads,
            "blocked": report.blocked,
            "rejected": report.rejected,
            "stuck": report.stuck,
            "decisions": [decision.to_dict() for decision in report.decisions],
        }
    )
    for decision in report.decisions:
        out.line(decision.summary(), style="red" if decision.blocked else None)
    rejected = ", ".join(f"{reason} {n}" for reason, n in sorted(report.rejected.items())) or "none"
    out.line(
        f"{report.checked} product(s) checked with {report.reads} supplier read(s): "
        f"{len(report.chosen)} with a fresh supplier, {len(report.blocked)} blocked; turned down: {rejected}"
    )
    if report.stuck:
        out.line(f"flagged as stuck caches (stale 6 h+ in a row): {', '.join(report.stuck)}")
    if report.rejected.get("quota"):
        out.line(
            "the platform's API call quota is used up: products blocked by it need no alternates and unblock"
            " once it resets (the quota alert says when, and what to do)"
        )
    return 1 if report.blocked else 0


# -- suggest ---------------------------------------------------------------------------------------
def _suggestion_json(line: SuggestionLine) -> dict[str, Any]:
    suggestion = line.suggestion
    chosen = line.decision.to_dict()["chosen"]
    return {
        "sku": suggestion.sku,
        "quantity": suggestion.quantity,
        "blocked": line.decision.blocked,
        "supplier": chosen,
        "price": str(line.price) if line.price is not None else None,
        "data_age_seconds": line.age.total_seconds() if line.age is not None else None,
        "reason": suggestion.reason,
        "velocity_per_day": str(suggestion.velocity),
        "cover_days_left": str(suggestion.cover_days_left)
        if suggestion.cover_days_left is not None
        else None,
        "target": suggestion.target,
        "available": suggestion.available,
        "inbound": suggestion.inbound,
    }


def suppliers_suggest(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    replenisher = suppliers_compose.replenisher(configured())
    out.line("reading sales, stock and the suppliers…")
    report = replenisher.daily() if args.email else replenisher.suggest()
    blocked = sum(1 for line in report.lines if line.decision.blocked)
    out.json(
        {
            "considered": report.considered,
            "emailed": bool(args.email),
            "lines": [_suggestion_json(line) for line in report.lines],
        }
    )
    rows = [
        [
            line.suggestion.sku,
            line.suggestion.quantity,
            Text(line.supplier, style="red" if line.decision.blocked else ""),
            format_price(line.price),
            format_age(line.age.total_seconds() if line.age is not None else None),
            line.suggestion.reason,
        ]
        for line in report.lines
    ]
    out.table(
        ["SKU", "QTY", "SUPPLIER", "PRICE", "DATA AGE", "REASON"],
        rows,
        empty="nothing to buy today",
        numeric=["QTY", "PRICE"],
    )
    out.line(
        f"{report.considered} product(s) considered, {len(report.lines)} to buy, "
        f"{blocked} without a fresh supplier"
    )
    if args.email:
        out.line("e-mailed to purchasing as today's digest (once a day: a repeat the same day is not sent)")
    return 0


# -- history ---------------------------------------------------------------------------------------
def suppliers_history(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    configured()
    catalog = SourcingRepository()
    records = catalog.history(args.sku, limit=args.limit)
    if not records and catalog.item(args.sku) is None:
        print(
            f"crossdock: {args.sku} is not in the sourcing catalog (see `crossdock suppliers list`)",
            file=sys.stderr,
        )
        return 1
    out.json({"sku": args.sku, "decisions": list(records)})
    rows: list[list[Any]] = []
    for record in records:
        first, *rest = decision_rows(record)
        decided = record.get("decided_at")
        when = out.when(datetime.fromisoformat(str(decided).replace("Z", "+00:00"))) if decided else None
        outcome = Text(first[2], style="red" if first[2] == "blocked" else "")
        rows += [[when, first[1], outcome, *first[3:]], *rest]
    out.table(
        ["DECIDED", *HISTORY_HEADERS[1:]],
        rows,
        empty=DecisionHistory(args.sku, True, []).empty,
        numeric=["NEED", "STOCK", "PRICE"],
    )
    return 0


# -- platform --------------------------------------------------------------------------------------
def suppliers_platform(args: argparse.Namespace) -> int:
    name = connect_platform(
        configured(),
        args.platform,
        arguments.credentials(args.credentials),
        arguments.endpoints(args.endpoint),
    )
    Output.from_args(args).line(f"{SUPPLIERS[args.platform].display}: credentials stored in secret {name}")
    return 0


# -- parser ----------------------------------------------------------------------------------------
def register(sub: Any) -> None:
    """The `suppliers` command group on the main parser's subcommands."""
    actions = group(sub, "suppliers", help="sourcing catalog, fresh-supplier checks, purchase suggestions")
    add = command(
        actions, "add", help="a product's suppliers (primary first) and freshness limit", run=suppliers_add
    )
    add.add_argument("--sku", required=True)
    add.add_argument(
        "--supplier",
        action="append",
        required=True,
        metavar="SUPPLIER_ID:PRODUCT_ID[:SKU_ID]",
        help=f"repeat: the primary first, then alternates in priority order (1–{MAX_SUPPLIERS} in all); "
        "PRODUCT_ID is the offer id, the digits of detail.1688.com/offer/<id>.html",
    )
    add.add_argument("--platform", choices=sorted(SUPPLIERS), default="1688")
    add.add_argument(
        "--limit-minutes", type=int, metavar="N", help="freshness limit (default 60, at most 120)"
    )
    add.add_argument(
        "--lead-time-days", type=int, metavar="DAYS", help="days from order to arrival (default 7)"
    )
    add.add_argument(
        "--pack-size",
        type=int,
        metavar="N",
        help="the supplier's pack: suggestions are multiples (default 1)",
    )
    add.add_argument(
        "--reorder-qty", type=int, metavar="N", help="units the 15-minute check must find on sale (default 1)"
    )

    command(
        actions,
        "list",
        help="per product (blocked first): suppliers, limit, reorder status and last decision",
        run=suppliers_list,
        reads=True,
    )

    chk = command(
        actions,
        "check",
        help="read the suppliers now and decide (exit 1 if a product is blocked)",
        run=suppliers_check,
        reads=True,
    )
    chk.add_argument("--sku", action="append", help="only this product (repeat; default: the whole catalog)")

    sug = command(
        actions,
        "suggest",
        help="what to buy today: quantity, fresh supplier, price, data age",
        run=suppliers_suggest,
        reads=True,
    )
    sug.add_argument("--email", action="store_true", help="also send the list as the daily digest e-mail")

    hist = command(
        actions,
        "history",
        help="a product's decisions, newest first, with every rejection",
        run=suppliers_history,
        reads=True,
    )
    hist.add_argument("sku")
    hist.add_argument(
        "--limit",
        type=int,
        default=HISTORY_LIMIT,
        help=f"most recent decisions shown (default {HISTORY_LIMIT})",
    )

    platform = command(
        actions, "platform", help="connect a supplier platform: its credentials", run=suppliers_platform
    )
    platform.add_argument("platform", choices=sorted(SUPPLIERS), help="the supplier platform")
    platform.add_argument(
        "--credentials",
        required=True,
        metavar="FILE|-",
        help="app_key, app_secret, access_token (- reads stdin)",
    )
    platform.add_argument("--endpoint", action="append", metavar="name=url", help="e.g. gateway=https://…")
