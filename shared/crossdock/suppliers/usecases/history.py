"""A product's supplier decisions as purchasing reads them (`crossdock suppliers history SKU`, and the
local demo's account of the same): newest first, one row for the chosen offer (or the blocked line),
then one row per rejected candidate — each supplier offer once, as last judged, with how many reads
it took when the gate read it again.

Pure functions over the stored decision records (`Decision.to_dict`, as `SourcingRepository.history`
returns them); `decision_history` reads them from any catalog with `history` and `item`. Rendering the
rows as a table is the caller's (`crossdock.core.text.table_lines`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from crossdock.suppliers.rules.freshness import describe_age
from crossdock.suppliers.rules.sourcing import BLOCKED_LINE

Record = Mapping[str, Any]  # a stored decision (Decision.to_dict)
Row = list[str]

HEADERS = ("DECIDED (UTC)", "NEED", "OUTCOME", "SUPPLIER OFFER", "STOCK", "PRICE", "DATA AGE", "DETAIL")
DEFAULT_LIMIT = 20  # most recent decisions shown


class DecisionCatalog(Protocol):
    """What the history reads: `SourcingRepository`, or any stand-in with the same two methods."""

    def history(self, sku: str, *, limit: int = ...) -> Sequence[Record]: ...

    def item(self, sku: str) -> object | None: ...


# -- cells -----------------------------------------------------------------------------------------
def format_offer(record: Mapping[str, Any]) -> str:
    """A supplier offer: "SUPPLIER offer PRODUCT[ sku SKU_ID]"."""
    sku_id = record.get("sku_id")
    return f"{record.get('supplier_id')} offer {record.get('product_id')}" + (
        f" sku {sku_id}" if sku_id else ""
    )


def format_age(seconds: float | None) -> str:
    """The data's age as purchasing reads it ("12 min", "3 h 5 min"); "—" when unknown."""
    return "—" if seconds is None else describe_age(timedelta(seconds=seconds))


def format_time(moment: datetime | str | None) -> str:
    """A moment in UTC to the second ("2025-06-01 04:00:00"), from a datetime or ISO text; "—" if none."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


def format_price(value: object) -> str:
    """CNY with at least two decimals (¥23.50), more when the platform gave them (¥0.125)."""
    if value is None:
        return "—"
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    exponent = price.as_tuple().exponent
    return f"¥{price if isinstance(exponent, int) and exponent < -2 else price.quantize(Decimal('0.01'))}"


# -- rows ------------------------------------------------------------------------------------------
def decision_rows(record: Record) -> list[Row]:
    """The chosen offer (or the blocked line), then each rejected candidate once, as last judged."""
    when, need = format_time(record.get("decided_at")), str(record.get("need", "—"))
    chosen = record.get("chosen")
    if chosen:
        first = ["chosen", format_offer(chosen), str(chosen.get("stock")), format_price(chosen.get("price"))]
        first += [format_age(chosen.get("age_seconds")), ""]
    else:
        first = ["blocked", BLOCKED_LINE, "—", "—", "—", ""]
    rows = [[when, need, *first]]
    last: dict[tuple[Any, Any], Record] = {}
    reads: dict[tuple[Any, Any], int] = {}
    for rejected in record.get("rejected") or []:
        key = (rejected.get("supplier_id"), rejected.get("product_id"))
        last.pop(key, None)
        last[key], reads[key] = rejected, reads.get(key, 0) + 1
    for key, rejected in last.items():
        detail = str(rejected.get("detail") or "") + (f" ({reads[key]} reads)" if reads[key] > 1 else "")
        age = format_age(rejected.get("age_seconds"))
        rows.append(
            [
                "",
                "",
                f"rejected: {rejected.get('reason')}",
                format_offer(rejected),
                "—",
                "—",
                age,
                detail.strip(),
            ]
        )
    return rows


def history_rows(records: Iterable[Record]) -> list[Row]:
    """Every decision's rows, in the records' order (the repository gives them newest first)."""
    return [row for record in records for row in decision_rows(record)]


@dataclass(frozen=True)
class DecisionHistory:
    sku: str
    known: bool  # False: no decisions and not in the sourcing catalog
    rows: list[Row]  # under HEADERS

    @property
    def empty(self) -> str:
        """What to show instead of a table when no decision is recorded."""
        return f"no decisions recorded for {self.sku} (run `crossdock suppliers check --sku {self.sku}`)"


def decision_history(catalog: DecisionCatalog, sku: str, *, limit: int = DEFAULT_LIMIT) -> DecisionHistory:
    """The product's latest `limit` decisions as rows, newest first; whether the product is in the
    catalog is only asked when it has no decisions."""
    records = catalog.history(sku, limit=limit)
    known = bool(records) or catalog.item(sku) is not None
    return DecisionHistory(sku, known, history_rows(records))
