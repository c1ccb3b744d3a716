"""Own-warehouse stock: absolute counts from a file (`crossdock stock import`) and single adjustments
from the stock-adjustments queue, each announced for a push when it changed a SKU.

Imports set on-hand per (SKU, warehouse) absolutely, so running a file twice changes nothing the
second time. Adjustments carry an `adjustment_id`; the ids applied to a SKU are kept on the SKU
itself (`SkuModel.adjustments`, written in the same versioned save as the count), for
`REMEMBER_FOR` (longer than the queue's 14-day retention, so no redelivery outlives its id) and
at most `REMEMBER_MAX` per SKU.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from crossdock.storage.stock import StockRepository
from crossdock.storage.stock_models import SkuModel
from crossdock.usecases.stock_rows import StockRow, count, name, own_warehouse

REMEMBER_FOR = timedelta(days=15)
REMEMBER_MAX = 1000


@dataclass
class ImportReport:
    rows: int = 0
    changed: dict[str, int] = field(default_factory=dict)  # sku → new version
    unchanged: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Adjustment:
    adjustment_id: str
    sku: str
    warehouse: str
    on_hand: int | None = None  # absolute
    delta: int | None = None  # relative; the count never goes below 0

    @classmethod
    def parse(cls, body: Any) -> Adjustment:
        """{"adjustment_id", "sku", "warehouse", "on_hand"} or {…, "delta"}; ValueError otherwise."""
        if not isinstance(body, dict):
            raise ValueError(f"an adjustment is a JSON object, got {type(body).__name__}")
        if ("on_hand" in body) == ("delta" in body):
            raise ValueError("an adjustment has exactly one of on_hand (absolute) and delta")
        delta = body.get("delta")
        if "delta" in body and (isinstance(delta, bool) or not isinstance(delta, int)):
            raise ValueError(f"delta must be a whole number, got {delta!r}")
        return cls(
            adjustment_id=name(body.get("adjustment_id"), "adjustment_id"),
            sku=name(body.get("sku"), "sku"),
            warehouse=own_warehouse(body.get("warehouse")),
            on_hand=count(body["on_hand"], "on_hand") if "on_hand" in body else None,
            delta=delta,
        )


@dataclass(frozen=True)
class AdjustmentResult:
    adjustment: Adjustment
    duplicate: bool = False
    before: int = 0
    after: int = 0
    version: int | None = None


def remembered(applied: dict[str, str], now: datetime) -> dict[str, str]:
    cutoff = (now - REMEMBER_FOR).isoformat()
    kept = sorted(((at, key) for key, at in applied.items() if at >= cutoff), reverse=True)
    return {key: at for at, key in kept[:REMEMBER_MAX]}


@dataclass
class OwnStock:
    stock: StockRepository
    announce: Callable[[dict[str, int], str], None]
    clock: Callable[[], datetime]

    def import_rows(self, rows: Sequence[StockRow]) -> ImportReport:
        """Apply validated rows: one versioned save per SKU that changed, then one announce."""
        report = ImportReport(rows=len(rows))
        by_sku: dict[str, list[StockRow]] = defaultdict(list)
        for row in rows:
            by_sku[row.sku].append(row)
        for sku, sku_rows in by_sku.items():
            saved = self.stock.change_sku(sku, partial(_apply_rows, rows=sku_rows), now=self.clock())
            if saved is None:
                report.unchanged.append(sku)
            else:
                report.changed[sku] = int(saved.version)
        if report.changed:
            self.announce(report.changed, "import")
        return report

    def adjust(self, adjustment: Adjustment) -> AdjustmentResult:
        now = self.clock()
        seen: dict[str, Any] = {}

        def change(item: SkuModel) -> bool:
            applied = dict(item.adjustments or {})
            if adjustment.adjustment_id in applied:
                seen["duplicate"] = True
                return False
            on_hand = {k: int(v) for k, v in (item.on_hand or {}).items()}
            before = on_hand.get(adjustment.warehouse, 0)
            after = adjustment.on_hand if adjustment.on_hand is not None else before + (adjustment.delta or 0)
            seen.update(before=before, after=max(0, after))
            item.on_hand = {**on_hand, adjustment.warehouse: max(0, after)}
            # Recorded even when the count stays: a redelivery must not re-apply it after later changes.
            item.adjustments = remembered({**applied, adjustment.adjustment_id: now.isoformat()}, now)
            return True

        saved = self.stock.change_sku(adjustment.sku, change, now=now)
        if saved is None:
            return AdjustmentResult(adjustment, duplicate=True)
        version = int(saved.version)
        if seen["before"] != seen["after"]:
            self.announce({adjustment.sku: version}, "adjustment")
        return AdjustmentResult(adjustment, before=seen["before"], after=seen["after"], version=version)


def _apply_rows(item: SkuModel, *, rows: Sequence[StockRow]) -> bool:
    on_hand = {k: int(v) for k, v in (item.on_hand or {}).items()}
    policy = dict(item.policy or {})
    for row in rows:
        on_hand[row.warehouse] = row.on_hand
        if row.buffer is not None:
            policy["buffer"] = str(row.buffer)
        if row.min_units is not None:
            policy["min_units"] = row.min_units
    if on_hand == {k: int(v) for k, v in (item.on_hand or {}).items()} and policy == (item.policy or {}):
        return False
    item.on_hand, item.policy = on_hand, policy
    return True
