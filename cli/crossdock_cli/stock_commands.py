"""`crossdock stock …`: own-warehouse stock import, the overview, listings, SKU policy, the pre-order
check, pushes and their history.

crossdock stock import FILE                 CSV (sku,warehouse,on_hand[,buffer,min_units]) or JSON list
crossdock stock list [--sku S …] [--channel C] [--drift] [--review]   (stock_list.py)
crossdock stock export [--out FILE]         the same rows as CSV
crossdock stock push SKU [--shop S] [--dry-run]                        (stock_push.py)
crossdock stock listing add --sku S --shop SHOP --ref k=v [--ref k=v ...]
crossdock stock listing show SKU            every listing: shown, sellable, mark, retries, review
crossdock stock listing resume SKU --shop SHOP   end a needs_review listing's review; pushes resume
crossdock stock sku set --sku S [--channel C] [--buffer 0.05] [--min-units N] [--cap N] [--clear]
crossdock stock check SKU QTY [--no-live-fba]  exit 0: enough, 1: not enough
crossdock stock history SKU [--limit N]
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crossdock.core.rows import RowErrors
from crossdock.stock import compose as stock_compose
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.usecases.admin import PolicyChange
from crossdock.stock.usecases.file import parse_stock_file
from crossdock.stock.usecases.overview import OverviewFilter
from crossdock.stock.usecases.rows import count, fraction

from crossdock_cli import arguments, stock_list, stock_push
from crossdock_cli.output import Output
from crossdock_cli.parsing import command, group
from crossdock_cli.session import configured


def stock_import(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise arguments.UsageError(f"cannot read {args.file}: {exc}") from None
    current = configured()
    try:
        rows = parse_stock_file(text, ceiling=current.stock_max_units)
    except RowErrors as exc:
        for problem in exc.problems:
            print(f"{args.file}: {problem}", file=sys.stderr)
        print(f"crossdock: nothing imported ({len(exc.problems)} problem(s))", file=sys.stderr)
        return 2
    report = stock_compose.own_stock(current).import_rows(rows)
    out.line(
        f"{report.rows} row(s): {len(report.changed)} SKU(s) changed and announced for a push, "
        f"{len(report.unchanged)} already as given"
    )
    return 0


def listing_add(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    ref = arguments.pairs(args.ref, "--ref")
    listing, changed = stock_compose.stock_admin(configured()).add_listing(
        sku=args.sku, shop_id=args.shop, ref=ref
    )
    what = "registered" if changed else "already registered with these ids"
    out.line(f"{listing.sku} on {listing.channel} shop {listing.shop_id}: {what} ({dict(listing.ref)})")
    return 0


def listing_show(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    overview = stock_compose.stock_overview(configured())
    found = overview.skus(OverviewFilter(skus=(args.sku,)))
    if not found:
        out.json({"sku": args.sku, "listings": []})
        out.line(f"{args.sku} is not listed anywhere and crossdock keeps no stock for it")
        return 0
    entry = found[0]
    out.json(entry.as_dict())
    rows = [
        [
            listing.channel,
            listing.shop_id,
            listing.shown,
            listing.sellable,
            stock_list.state_text(listing, entry, out),
            (listing.review_reason if listing.needs_review else listing.last_detail) or "",
        ]
        for listing in entry.listings
    ]
    out.table(
        ["CHANNEL", "SHOP", "SHOWN", "SELLABLE", "STATE", "CHANNEL'S LAST WORD"],
        rows,
        empty=f"{args.sku} is not listed anywhere",
        numeric=["SHOWN", "SELLABLE"],
    )
    if entry.needs_review:
        out.line(f"fix the listing, then: crossdock stock listing resume {args.sku} --shop SHOP")
    return 0


def listing_resume(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    try:
        listing = stock_compose.stock_admin(configured()).resume(sku=args.sku, shop_id=args.shop)
    except ValueError as exc:
        raise arguments.UsageError(str(exc)) from None
    out.line(
        f"{listing.sku} on {listing.channel} shop {listing.shop_id}: review ended, marked for a push "
        f"(version {int(listing.dirty_version or 0)}); its shop's flush was asked for"
    )
    return 0


def sku_set(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    change = PolicyChange(
        buffer=_option(fraction, args.buffer, "--buffer"),
        min_units=_option(count, args.min_units, "--min-units"),
        cap=_option(count, args.cap, "--cap"),
        channel=args.channel,
        clear=args.clear,
    )
    saved = stock_compose.stock_admin(configured()).set_policy(args.sku, change)
    if saved is None:
        out.line(f"{args.sku}: policy already as given")
        return 0
    out.line(
        f"{args.sku}: policy {dict(saved.policy or {})}, channel overrides {dict(saved.channel_policies or {})}"
    )
    out.line(f"version {int(saved.version)} announced for a push")
    return 0


def _option(parse: Any, value: str | None, flag: str) -> Any:
    if value is None:
        return None
    try:
        return parse(value, flag)
    except ValueError as exc:
        raise arguments.UsageError(str(exc)) from None


def check(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    quantity = _option(count, args.quantity, "QTY")
    result = stock_compose.stock_check(configured()).check(args.sku, quantity, live_fba=not args.no_live_fba)
    out.json(
        {
            "sku": result.sku,
            "quantity": result.quantity,
            "ok": result.ok,
            "sellable": result.sellable,
            "on_hand": dict(sorted(result.on_hand.items())),
            "on_hand_total": sum(result.on_hand.values()),
            "reserved": result.reserved,
            "policy": {
                "buffer": str(result.policy.buffer),
                "min_units": result.policy.min_units,
                "cap": result.policy.cap,
            },
            "notes": list(result.notes),
        }
    )
    for line in result.explain().splitlines():
        out.line(line)
    return 0 if result.ok else 1


def history(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    if args.limit < 1:
        raise arguments.UsageError(f"--limit must be at least 1, got {args.limit}")
    entries = StockRepository(configured()).history(args.sku, limit=args.limit)
    pushes: list[dict[str, Any]] = [
        {
            "at": pushed_at(entry.at_key),
            "channel": entry.channel,
            "shop_id": entry.shop_id,
            "old": None if entry.old is None else int(entry.old),
            "new": int(entry.new),
            "version": int(entry.version),
            "trigger": entry.trigger,
            "result": entry.result,
            "detail": entry.detail or "",
        }
        for entry in entries
    ]
    out.json({"sku": args.sku, "pushes": pushes})
    rows = [
        [
            out.when(push["at"]),
            push["channel"],
            push["shop_id"],
            f"{'—' if push['old'] is None else push['old']} → {push['new']}",
            push["version"],
            push["trigger"],
            push["result"],
            push["detail"],
        ]
        for push in pushes
    ]
    out.table(
        ["TIME", "CHANNEL", "SHOP", "OLD → NEW", "VERSION", "TRIGGER", "RESULT", "DETAIL"],
        rows,
        empty=f"no pushes recorded for {args.sku}",
        numeric=["VERSION"],
    )
    return 0


def pushed_at(at_key: str) -> datetime:
    """The time of an audit record's key (`<iso time>#<channel>#<shop>`)."""
    value = datetime.fromisoformat(at_key.split("#", 1)[0])
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def register(sub: Any) -> None:
    """The `stock` command group on the main parser's subcommands."""
    actions = group(sub, "stock", help="own-warehouse stock, overview, listings, SKU policy, checks, pushes")
    imp = command(
        actions,
        "import",
        help="absolute on-hand per SKU and warehouse from a CSV or JSON file",
        run=stock_import,
    )
    imp.add_argument("file")
    stock_list.register(actions)
    stock_push.register(actions)

    listing = group(actions, "listing", help="where a SKU is listed")
    add = command(
        listing,
        "add",
        help="register a SKU's listing on a shop (the channel's ids as --ref)",
        run=listing_add,
    )
    add.add_argument("--sku", required=True)
    add.add_argument("--shop", required=True)
    add.add_argument("--ref", action="append", required=True, metavar="k=v", help="e.g. inventory_item_id=…")
    show = command(
        listing,
        "show",
        help="a SKU's listings: shown, sellable, pending push, review state",
        run=listing_show,
        reads=True,
    )
    show.add_argument("sku")
    resume = command(
        listing, "resume", help="end a needs_review listing's review and push to it again", run=listing_resume
    )
    resume.add_argument("sku")
    resume.add_argument("--shop", required=True)

    sku = group(actions, "sku", help="a SKU's selling policy")
    policy = command(
        sku, "set", help="buffer, minimum and cap; with --channel, that channel's override", run=sku_set
    )
    policy.add_argument("--sku", required=True)
    policy.add_argument("--channel", help="override for this channel only (taobao | amazon | shopify | ebay)")
    policy.add_argument("--buffer", help="share held back, within [0, 1) (default 0.05)")
    policy.add_argument("--min-units", help="units held back after the buffer")
    policy.add_argument("--cap", help="never offer more than this many units")
    policy.add_argument("--clear", action="store_true", help="drop the override (or the SKU's policy)")

    chk = command(
        actions, "check", help="can QTY units be promised now? (exit 0 yes, 1 no)", run=check, reads=True
    )
    chk.add_argument("sku")
    chk.add_argument("quantity", metavar="QTY")
    chk.add_argument("--no-live-fba", action="store_true", help="use the last FBA sync, read nothing live")

    hist = command(
        actions,
        "history",
        help="every push of a SKU: time, channel, shop, old → new, result",
        run=history,
        reads=True,
    )
    hist.add_argument("sku")
    hist.add_argument("--limit", type=int, default=50)
