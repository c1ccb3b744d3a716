"""`crossdock suppliers …`: the sourcing catalog, supplier checks, purchase suggestions, for operators.

crossdock suppliers add --sku S --supplier SUPPLIER:OFFER[:SKU_ID] [--supplier …]   primary first, up to 4
crossdock suppliers list                    per product: suppliers, limit, reorder status, last decision
crossdock suppliers check [--sku S ...]     read the suppliers now (exit 1 if a product is blocked)
crossdock suppliers suggest [--email]       the purchase suggestion list (and the daily digest e-mail)
crossdock suppliers history SKU             every decision, newest first, with each rejected candidate
crossdock suppliers platform 1688 --credentials FILE|- [--endpoint gateway=URL]
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
from crossdock.suppliers.usecases.history import HEADERS as HISTORY_HEADERS
from crossdock.suppliers.usecases.history import (
    decision_history,
    format_age,
    format_offer,
    format_price,
    format_time,
)

from crossdock_cli import arguments
from crossdock_cli.session import configured
from crossdock_cli.table import print_table

DEFAULT_LIMIT_MINUTES = int(DEFAULT_LIMIT.total_seconds() // 60)
STATUS_SHOWN = {"ok": "ok", "blocked": BLOCKED_LINE, "unchecked": "unchecked"}


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
    print(
        f"{entry.sku}: {'added' if known is None else 'updated'} — freshness limit {minutes} min, reorder qty "
        f"{reorder_qty}, lead time {entry.lead_time_days} d, pack size {entry.pack_size}"
    )
    for link in entry.ordered():
        role = "primary" if link == entry.primary else f"alternate {link.priority - 1}"
        print(f"  {role:<11}  {link.platform} {format_offer(vars(link))}")
    if known is not None and known.reorder_status != "unchecked":
        print(f"  reorder status stays {known.reorder_status!r} until the next check")
    return 0


# -- list ------------------------------------------------------------------------------------------
LIST_HEADERS = (
    "SKU",
    "PLATFORM",
    "PRIMARY",
    "ALTERNATES",
    "LIMIT",
    "QTY",
    "REORDER",
    "LAST DECISION",
    "LAST CHECKED (UTC)",
)


def _last_decision(item: SourcingModel) -> str:
    """The stored decision's one line for purchasing, without what the other columns say already."""
    summary = str((item.last_decision or {}).get("summary") or "")
    summary = summary.removeprefix(f"{item.sku}: ").removeprefix(f"{BLOCKED_LINE}; ")
    return summary or "—"


def suppliers_list(args: argparse.Namespace) -> int:
    configured()
    rows = []
    for item in SourcingRepository().all():
        links = sorted(item.suppliers or [], key=lambda s: int(s.get("priority", 0)))
        rows.append(
            [
                item.sku,
                ",".join(dict.fromkeys(str(s.get("platform", "1688")) for s in links)) or "—",
                _link(links[0]) if links else "—",
                ", ".join(_link(s) for s in links[1:]) or "—",
                f"{int(item.limit_minutes)} min",
                str(int(item.reorder_qty)),
                STATUS_SHOWN.get(item.reorder_status, item.reorder_status),
                _last_decision(item),
                format_time(item.last_checked_at),
            ]
        )
    print_table(LIST_HEADERS, rows, empty="the sourcing catalog is empty (see `crossdock suppliers add`)")
    return 0


# -- check -----------------------------------------------------------------------------------------
def suppliers_check(args: argparse.Namespace) -> int:
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
        print("the sourcing catalog is empty: nothing to check (see `crossdock suppliers add`)")
        return 0
    report = suppliers_compose.supplier_checker(current).check(skus)
    for decision in report.decisions:
        print(decision.summary())
    rejected = ", ".join(f"{reason} {n}" for reason, n in sorted(report.rejected.items())) or "none"
    print(
        f"{report.checked} product(s) checked with {report.reads} supplier read(s): "
        f"{len(report.chosen)} with a fresh supplier, {len(report.blocked)} blocked; turned down: {rejected}"
    )
    if report.stuck:
        print(f"flagged as stuck caches (stale 6 h+ in a row): {', '.join(report.stuck)}")
    if report.rejected.get("quota"):
        print(
            "the platform's API call quota is used up: products blocked by it need no alternates and unblock"
            " once it resets (the quota alert says when, and what to do)"
        )
    return 1 if report.blocked else 0


# -- suggest ---------------------------------------------------------------------------------------
def suppliers_suggest(args: argparse.Namespace) -> int:
    replenisher = suppliers_compose.replenisher(configured())
    report = replenisher.daily() if args.email else replenisher.suggest()
    rows = [
        [
            line.suggestion.sku,
            str(line.suggestion.quantity),
            line.supplier,
            format_price(line.price),
            format_age(line.age.total_seconds() if line.age is not None else None),
            line.suggestion.reason,
        ]
        for line in report.lines
    ]
    print_table(["SKU", "QTY", "SUPPLIER", "PRICE", "DATA AGE", "REASON"], rows, empty="nothing to buy today")
    blocked = sum(1 for line in report.lines if line.decision.blocked)
    print(
        f"{report.considered} product(s) considered, {len(report.lines)} to buy, "
        f"{blocked} without a fresh supplier"
    )
    if args.email:
        print("e-mailed to purchasing as today's digest (once a day: a repeat the same day is not sent)")
    return 0


# -- history ---------------------------------------------------------------------------------------
def suppliers_history(args: argparse.Namespace) -> int:
    configured()
    history = decision_history(SourcingRepository(), args.sku, limit=args.limit)
    if not history.known:
        print(
            f"crossdock: {args.sku} is not in the sourcing catalog (see `crossdock suppliers list`)",
            file=sys.stderr,
        )
        return 1
    print_table(HISTORY_HEADERS, history.rows, empty=history.empty)
    return 0


# -- platform --------------------------------------------------------------------------------------
def suppliers_platform(args: argparse.Namespace) -> int:
    name = connect_platform(
        configured(),
        args.platform,
        arguments.credentials(args.credentials),
        arguments.endpoints(args.endpoint),
    )
    print(f"{SUPPLIERS[args.platform].display}: credentials stored in secret {name}")
    return 0


# -- parser ----------------------------------------------------------------------------------------
def register(sub: Any) -> None:
    """The `suppliers` command group on the main parser's subcommands."""
    suppliers = sub.add_parser(
        "suppliers", help="sourcing catalog, fresh-supplier checks, purchase suggestions"
    )
    actions = suppliers.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="a product's suppliers (primary first) and freshness limit")
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
    add.set_defaults(run=suppliers_add)

    actions.add_parser(
        "list", help="per product: suppliers, limit, reorder status and last decision"
    ).set_defaults(run=suppliers_list)

    chk = actions.add_parser(
        "check", help="read the suppliers now and decide (exit 1 if a product is blocked)"
    )
    chk.add_argument("--sku", action="append", help="only this product (repeat; default: the whole catalog)")
    chk.set_defaults(run=suppliers_check)

    sug = actions.add_parser("suggest", help="what to buy today: quantity, fresh supplier, price, data age")
    sug.add_argument("--email", action="store_true", help="also send the list as the daily digest e-mail")
    sug.set_defaults(run=suppliers_suggest)

    hist = actions.add_parser("history", help="a product's decisions, newest first, with every rejection")
    hist.add_argument("sku")
    hist.add_argument("--limit", type=int, default=20, help="most recent decisions shown (default 20)")
    hist.set_defaults(run=suppliers_history)

    platform = actions.add_parser("platform", help="connect a supplier platform: its credentials")
    platform.add_argument("platform", choices=sorted(SUPPLIERS), help="the supplier platform")
    platform.add_argument(
        "--credentials",
        required=True,
        metavar="FILE|-",
        help="app_key, app_secret, access_token (- reads stdin)",
    )
    platform.add_argument("--endpoint", action="append", metavar="name=url", help="e.g. gateway=https://…")
    platform.set_defaults(run=suppliers_platform)
