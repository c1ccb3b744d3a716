"""`crossdock stock …`: own-warehouse stock import, listings, SKU policy, pre-order check, push history.

crossdock stock import FILE                 CSV (sku,warehouse,on_hand[,buffer,min_units]) or JSON list
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
from pathlib import Path
from typing import Any

from crossdock.core.rows import RowErrors
from crossdock.stock import compose as stock_compose
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.usecases.admin import PolicyChange
from crossdock.stock.usecases.file import parse_stock_file
from crossdock.stock.usecases.push import sellable_for
from crossdock.stock.usecases.rows import count, fraction

from crossdock_cli import arguments
from crossdock_cli.session import configured
from crossdock_cli.table import print_table


def stock_import(args: argparse.Namespace) -> int:
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
    print(
        f"{report.rows} row(s): {len(report.changed)} SKU(s) changed and announced for a push, "
        f"{len(report.unchanged)} already as given"
    )
    return 0


def listing_add(args: argparse.Namespace) -> int:
    ref = arguments.pairs(args.ref, "--ref")
    listing, changed = stock_compose.stock_admin(configured()).add_listing(
        sku=args.sku, shop_id=args.shop, ref=ref
    )
    what = "registered" if changed else "already registered with these ids"
    print(f"{listing.sku} on {listing.channel} shop {listing.shop_id}: {what} ({dict(listing.ref)})")
    return 0


def listing_show(args: argparse.Namespace) -> int:
    current = configured()
    admin = stock_compose.stock_admin(current)
    item = admin.stock.sku(args.sku)
    rows = []
    for listing in admin.listings(args.sku):
        if listing.needs_review:
            state = f"NEEDS REVIEW since {listing.review_since:%Y-%m-%d %H:%M}: {listing.review_code}"
        elif listing.dirty_version is not None:
            wait = f", retry {listing.retry_at:%H:%M:%S}" if listing.retry_at else ""
            state = f"marked v{int(listing.dirty_version)}, {int(listing.attempts or 0)} refusal(s){wait}"
        else:
            state = listing.last_status or "—"
        shown = "—" if listing.last_quantity is None else str(int(listing.last_quantity))
        sellable = sellable_for(item, listing.channel) if int(item.version) else "—"
        reason = listing.review_reason if listing.needs_review else listing.last_detail
        rows.append([listing.channel, listing.shop_id, shown, str(sellable), state, (reason or "")[:70]])
    print_table(
        ["CHANNEL", "SHOP", "SHOWN", "SELLABLE", "STATE", "CHANNEL'S LAST WORD"],
        rows,
        empty=f"{args.sku} is not listed anywhere",
    )
    if any(li.needs_review for li in admin.listings(args.sku)):
        print(f"fix the listing, then: crossdock stock listing resume {args.sku} --shop SHOP")
    return 0


def listing_resume(args: argparse.Namespace) -> int:
    try:
        listing = stock_compose.stock_admin(configured()).resume(sku=args.sku, shop_id=args.shop)
    except ValueError as exc:
        raise arguments.UsageError(str(exc)) from None
    print(
        f"{listing.sku} on {listing.channel} shop {listing.shop_id}: review ended, marked for a push "
        f"(version {int(listing.dirty_version or 0)}); its shop's flush was asked for"
    )
    return 0


def sku_set(args: argparse.Namespace) -> int:
    change = PolicyChange(
        buffer=_option(fraction, args.buffer, "--buffer"),
        min_units=_option(count, args.min_units, "--min-units"),
        cap=_option(count, args.cap, "--cap"),
        channel=args.channel,
        clear=args.clear,
    )
    saved = stock_compose.stock_admin(configured()).set_policy(args.sku, change)
    if saved is None:
        print(f"{args.sku}: policy already as given")
        return 0
    print(
        f"{args.sku}: policy {dict(saved.policy or {})}, channel overrides {dict(saved.channel_policies or {})}"
    )
    print(f"version {int(saved.version)} announced for a push")
    return 0


def _option(parse: Any, value: str | None, flag: str) -> Any:
    if value is None:
        return None
    try:
        return parse(value, flag)
    except ValueError as exc:
        raise arguments.UsageError(str(exc)) from None


def check(args: argparse.Namespace) -> int:
    quantity = _option(count, args.quantity, "QTY")
    result = stock_compose.stock_check(configured()).check(args.sku, quantity, live_fba=not args.no_live_fba)
    print(result.explain())
    return 0 if result.ok else 1


def history(args: argparse.Namespace) -> int:
    current = configured()
    rows = [
        [
            entry.at_key.split("#", 1)[0][:19].replace("T", " "),
            entry.channel,
            entry.shop_id,
            f"{'—' if entry.old is None else int(entry.old)} → {int(entry.new)}",
            str(int(entry.version)),
            entry.trigger,
            entry.result,
            (entry.detail or "")[:60],
        ]
        for entry in StockRepository(current).history(args.sku, limit=args.limit)
    ]
    print_table(
        ["TIME (UTC)", "CHANNEL", "SHOP", "OLD → NEW", "VERSION", "TRIGGER", "RESULT", "DETAIL"],
        rows,
        empty=f"no pushes recorded for {args.sku}",
    )
    return 0


def register(sub: Any) -> None:
    """The `stock` command group on the main parser's subcommands."""
    stock = sub.add_parser("stock", help="own-warehouse stock, listings, SKU policy, checks, push history")
    actions = stock.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = actions.add_parser("import", help="absolute on-hand per SKU and warehouse from a CSV or JSON file")
    imp.add_argument("file")
    imp.set_defaults(run=stock_import)

    listing = actions.add_parser("listing", help="where a SKU is listed").add_subparsers(
        dest="listing_action", required=True, metavar="ACTION"
    )
    add = listing.add_parser("add", help="register a SKU's listing on a shop (the channel's ids as --ref)")
    add.add_argument("--sku", required=True)
    add.add_argument("--shop", required=True)
    add.add_argument("--ref", action="append", required=True, metavar="k=v", help="e.g. inventory_item_id=…")
    add.set_defaults(run=listing_add)
    show = listing.add_parser("show", help="a SKU's listings: shown, sellable, pending push, review state")
    show.add_argument("sku")
    show.set_defaults(run=listing_show)
    resume = listing.add_parser("resume", help="end a needs_review listing's review and push to it again")
    resume.add_argument("sku")
    resume.add_argument("--shop", required=True)
    resume.set_defaults(run=listing_resume)

    sku = actions.add_parser("sku", help="a SKU's selling policy").add_subparsers(
        dest="sku_action", required=True, metavar="ACTION"
    )
    policy = sku.add_parser("set", help="buffer, minimum and cap; with --channel, that channel's override")
    policy.add_argument("--sku", required=True)
    policy.add_argument("--channel", help="override for this channel only (taobao | amazon | shopify | ebay)")
    policy.add_argument("--buffer", help="share held back, within [0, 1) (default 0.05)")
    policy.add_argument("--min-units", help="units held back after the buffer")
    policy.add_argument("--cap", help="never offer more than this many units")
    policy.add_argument("--clear", action="store_true", help="drop the override (or the SKU's policy)")
    policy.set_defaults(run=sku_set)

    chk = actions.add_parser("check", help="can QTY units be promised now? (exit 0 yes, 1 no)")
    chk.add_argument("sku")
    chk.add_argument("quantity", metavar="QTY")
    chk.add_argument("--no-live-fba", action="store_true", help="use the last FBA sync, read nothing live")
    chk.set_defaults(run=check)

    hist = actions.add_parser("history", help="every push of a SKU: time, channel, shop, old → new, result")
    hist.add_argument("sku")
    hist.add_argument("--limit", type=int, default=50)
    hist.set_defaults(run=history)
