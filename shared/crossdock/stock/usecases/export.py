"""The stock overview as CSV records for a sheet: one per SKU × listing, under a stable header.

Built from the same `overview.SkuStock` entries `crossdock stock list` prints, so the export and the
list never disagree. Times in ISO 8601 UTC; warehouses and a listing's ids as `name=value` joined by
`;`; a SKU listed nowhere is one record with the listing's fields empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from crossdock.stock.usecases.overview import SkuStock

CSV_HEADER = (
    "sku",
    "version",
    "on_hand_total",
    "on_hand",
    "reserved",
    "sellable",
    "channel",
    "shop_id",
    "listing_sellable",
    "shown",
    "accepted_at",
    "accepted_version",
    "drift",
    "over_sellable",
    "needs_review",
    "review_code",
    "review_since",
    "pending_version",
    "pending_since",
    "retry_at",
    "refusals",
    "last_status",
    "ref",
)


def csv_records(entries: Iterable[SkuStock]) -> list[dict[str, str]]:
    """One record per SKU × listing (a SKU listed nowhere: one record, listing fields empty), keyed
    by CSV_HEADER; times in ISO 8601 UTC, warehouses and ids as `name=value` joined by `;`."""
    records = []
    for entry in entries:
        base = {
            "sku": entry.sku,
            "version": str(entry.version),
            "on_hand_total": str(entry.on_hand_total),
            "on_hand": _pairs(entry.on_hand),
            "reserved": str(entry.reserved),
            "sellable": _text(entry.sellable),
        }
        if not entry.listings:
            records.append({name: base.get(name, "") for name in CSV_HEADER})
        for listing in entry.listings:
            row = {
                **base,
                "channel": listing.channel,
                "shop_id": listing.shop_id,
                "listing_sellable": _text(listing.sellable),
                "shown": _text(listing.shown),
                "accepted_at": _text(listing.accepted_at),
                "accepted_version": _text(listing.accepted_version),
                "drift": _text(listing.drift),
                "over_sellable": "yes" if listing.over_sellable else "no",
                "needs_review": "yes" if listing.needs_review else "no",
                "review_code": listing.review_code or "",
                "review_since": _text(listing.review_since),
                "pending_version": _text(listing.pending_version),
                "pending_since": _text(listing.pending_since),
                "retry_at": _text(listing.retry_at),
                "refusals": str(listing.refusals),
                "last_status": listing.last_status or "",
                "ref": _pairs(listing.ref),
            }
            records.append({name: row[name] for name in CSV_HEADER})
    return records


def _pairs(values: Mapping[str, Any]) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(values.items()))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return str(value)
