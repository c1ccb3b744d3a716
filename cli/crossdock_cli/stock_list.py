"""`crossdock stock list` and `crossdock stock export`: the stock overview, for people and for sheets.

Both print the same rows (`crossdock.stock.usecases.overview`): one per SKU × listing, with on hand
by warehouse, reserved, what is sellable on that channel, what the channel shows and since when, the
drift (shown − sellable, flagged `over` when the channel offers more than may be sold), reviews and
pending marks.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crossdock.stock import compose as stock_compose
from crossdock.stock.usecases.export import CSV_HEADER, csv_records
from crossdock.stock.usecases.overview import ListingState, OverviewFilter, SkuStock
from rich.text import Text

from crossdock_cli import arguments
from crossdock_cli.output import Output
from crossdock_cli.parsing import command
from crossdock_cli.session import configured

HEADERS = (
    "SKU",
    "ON HAND",
    "WAREHOUSES",
    "RESERVED",
    "CHANNEL",
    "SHOP",
    "SELLABLE",
    "SHOWN",
    "LAST ACCEPTED",
    "DRIFT",
    "STATE",
)
NUMERIC = ("ON HAND", "RESERVED", "SELLABLE", "SHOWN", "DRIFT")


def wanted(args: argparse.Namespace) -> OverviewFilter:
    return OverviewFilter(
        skus=tuple(args.sku or ()),
        channel=args.channel,
        drift_only=args.drift,
        review_only=args.review,
    )


def stock_list(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    entries = stock_compose.stock_overview(configured()).skus(wanted(args))
    totals = summary(entries)
    out.json({"skus": [entry.as_dict() for entry in entries], "totals": totals})
    out.table(
        HEADERS,
        [row for entry in entries for row in table_rows(entry, out)],
        empty="no SKU matches" if _filtered(args) else "no stock kept and nothing listed yet",
        numeric=NUMERIC,
    )
    if entries:
        out.line(
            f"{totals['skus']} SKU(s), {totals['listings']} listing(s): "
            f"{totals['over_sellable']} showing more than sellable, {totals['drifted']} drifted, "
            f"{totals['needs_review']} awaiting review, {totals['pending']} marked for a push"
        )
    return 0


def stock_export(args: argparse.Namespace) -> int:
    entries = stock_compose.stock_overview(configured()).skus(wanted(args))
    records = csv_records(entries)
    if args.out in (None, "-"):
        write_csv(sys.stdout, records)
        return 0
    try:
        with Path(args.out).open("w", encoding="utf-8", newline="") as file:
            write_csv(file, records)
    except OSError as exc:
        raise arguments.UsageError(f"cannot write {args.out}: {exc.strerror}") from None
    print(f"{len(records)} row(s) for {len(entries)} SKU(s) written to {args.out}", file=sys.stderr)
    return 0


def write_csv(stream: Any, records: Sequence[dict[str, str]]) -> None:
    writer = csv.DictWriter(stream, fieldnames=CSV_HEADER)
    writer.writeheader()
    writer.writerows(records)


def summary(entries: Sequence[SkuStock]) -> dict[str, int]:
    listings = [listing for entry in entries for listing in entry.listings]
    return {
        "skus": len(entries),
        "listings": len(listings),
        "over_sellable": sum(listing.over_sellable for listing in listings),
        "drifted": sum(bool(listing.drift) for listing in listings),
        "needs_review": sum(listing.needs_review for listing in listings),
        "pending": sum(listing.pending_version is not None for listing in listings),
    }


def table_rows(entry: SkuStock, out: Output) -> list[list[Any]]:
    """The SKU's figures on its first row; one row per listing (a SKU listed nowhere: one row)."""
    warehouses = ", ".join(f"{w} {n}" for w, n in sorted(entry.on_hand.items())) or "—"
    head = [entry.sku, entry.on_hand_total, warehouses, entry.reserved]
    if not entry.listings:
        state = "not listed" if entry.managed else "no stock kept"
        return [[*head, "—", "—", entry.sellable, "—", "—", "—", state]]
    blank = ["", "", "", ""]
    return [
        [*(head if index == 0 else blank), *listing_cells(listing, entry, out)]
        for index, listing in enumerate(entry.listings)
    ]


def listing_cells(listing: ListingState, entry: SkuStock, out: Output) -> list[Any]:
    return [
        listing.channel,
        listing.shop_id,
        listing.sellable,
        listing.shown,
        out.when(listing.accepted_at),
        drift_text(listing),
        state_text(listing, entry, out),
    ]


def drift_text(listing: ListingState) -> Text:
    """shown − sellable; in red when the channel offers more than may be sold (colour on a terminal only)."""
    if listing.drift is None:
        return Text("—")
    if listing.drift > 0:
        return Text(f"+{listing.drift} over", style="bold red")
    return Text(str(listing.drift))


def state_text(listing: ListingState, entry: SkuStock, out: Output) -> Text | str:
    if listing.needs_review:
        return Text(
            f"NEEDS REVIEW since {out.when(listing.review_since)}: {listing.review_code}", style="yellow"
        )
    if listing.pending_version is not None:
        refusals = f", {listing.refusals} refusal(s)" if listing.refusals else ""
        retry = f", retry {out.when(listing.retry_at)}" if listing.retry_at else ""
        return f"marked v{listing.pending_version}{refusals}{retry}"
    if not entry.managed:
        return "no stock kept"
    return listing.last_status or "never pushed"


def _filtered(args: argparse.Namespace) -> bool:
    return bool(args.sku or args.channel or args.drift or args.review)


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sku", action="append", metavar="SKU", help="only this SKU (repeatable)")
    parser.add_argument("--channel", help="only listings on this channel (taobao | amazon | shopify | ebay)")
    parser.add_argument("--drift", action="store_true", help="only SKUs a channel shows other than sellable")
    parser.add_argument("--review", action="store_true", help="only SKUs with a listing awaiting review")


def register(actions: Any) -> None:
    """`stock list` and `stock export` under the stock group's subcommands."""
    listed = command(
        actions,
        "list",
        help="per SKU: on hand by warehouse, reserved, sellable, what each channel shows, drift, reviews",
        run=stock_list,
        reads=True,
    )
    _filters(listed)
    export = command(
        actions,
        "export",
        help="the stock overview as CSV: one row per SKU × listing (to stdout, or --out FILE)",
        run=stock_export,
    )
    export.add_argument("--out", metavar="FILE", help="write the CSV here (default: stdout)")
    _filters(export)
