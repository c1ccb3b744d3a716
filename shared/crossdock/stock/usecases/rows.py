"""One own-warehouse stock row and the checks on its fields (pure), shared by stock files and
SQS adjustments."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from crossdock.core.rows import name
from crossdock.stock.rules.counts import DEFAULT_MAX_UNITS, units

REQUIRED = ("sku", "warehouse", "on_hand")
OPTIONAL = ("buffer", "min_units")


@dataclass(frozen=True)
class StockRow:
    line: int
    sku: str
    warehouse: str
    on_hand: int
    buffer: Decimal | None = None
    min_units: int | None = None


def own_warehouse(value: Any) -> str:
    warehouse = name(value, "warehouse")
    if warehouse.lower().startswith("fba:"):
        raise ValueError(f"warehouse {warehouse!r}: FBA stock is read from Amazon by the hourly sync")
    return warehouse


def count(value: Any, what: str, *, ceiling: int = DEFAULT_MAX_UNITS) -> int:
    """A whole number of units from 0 to `ceiling` (JSON integer, or digits in text); UnitsRefused
    (a ValueError) naming `what` and the value otherwise — never rounded, never clamped."""
    return units(value, source=what, ceiling=ceiling)


def fraction(value: Any, what: str = "buffer") -> Decimal:
    """A buffer share within [0, 1), kept exact (never through float)."""
    try:
        result = Decimal(str(value).strip()) if not isinstance(value, bool) else Decimal("NaN")
    except InvalidOperation:
        raise ValueError(f"{what} must be a number within [0, 1), got {value!r}") from None
    if not result.is_finite() or not Decimal(0) <= result < Decimal(1):
        raise ValueError(f"{what} must be within [0, 1), got {value!r}")
    return result.normalize()  # "0.050" and "0.05" are one buffer


def to_row(line: int, fields: dict[str, Any], *, ceiling: int = DEFAULT_MAX_UNITS) -> StockRow:
    """One file row; `ceiling` is the most units one count may claim (`Settings.stock_max_units`)."""
    present = {k: v for k, v in fields.items() if v not in (None, "")}
    return StockRow(
        line=line,
        sku=name(fields.get("sku"), "sku"),
        warehouse=own_warehouse(fields.get("warehouse")),
        on_hand=count(fields.get("on_hand"), "on_hand", ceiling=ceiling),
        buffer=fraction(present["buffer"]) if "buffer" in present else None,
        min_units=count(present["min_units"], "min_units", ceiling=ceiling)
        if "min_units" in present
        else None,
    )
