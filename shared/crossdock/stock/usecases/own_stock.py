"""Own-warehouse stock: absolute counts from a file (`crossdock stock import`) and single adjustments
from the stock-adjustments queue, each announced for a push when it changed a SKU.

Imports set on-hand per (SKU, warehouse) absolutely, so running a file twice changes nothing the
second time. Adjustments carry an `adjustment_id`; the ids applied to a SKU are kept on the SKU
itself (`SkuModel.adjustments`, written in the same versioned save as the count), for
`REMEMBER_FOR` (longer than the queue's 14-day retention, so no redelivery outlives its id) and
at most `REMEMBER_MAX` per SKU.

Counts are believed only when they can be true (`stock.rules.counts`: whole units from 0 to
`max_units`). A delta that would take a warehouse below zero is refused, not clamped to 0: either
the delta or the count it meets is wrong, clamping would hide which, and the units it claims to
remove were never counted. A refused or malformed queue message changes and remembers nothing (a
corrected one may reuse its id); it is alerted once and not retried, since a retry cannot fix it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from crossdock.core.rows import name
from crossdock.stock.rules.counts import DEFAULT_MAX_UNITS, UnitsRefused, units, units_after, units_change
from crossdock.stock.usecases.count_alerts import adjustment_refused_alert
from crossdock.stock.usecases.rows import StockRow, own_warehouse

if TYPE_CHECKING:
    from crossdock.core.ports import AlertSink
    from crossdock.stock.storage.stock import StockRepository
    from crossdock.stock.storage.tables import SkuModel

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
    delta: int | None = None  # relative; refused when it would take the count below 0

    @classmethod
    def parse(cls, body: Any, *, ceiling: int = DEFAULT_MAX_UNITS) -> Adjustment:
        """{"adjustment_id", "sku", "warehouse", "on_hand"} or {…, "delta"}; ValueError otherwise
        (UnitsRefused for a count that is not whole units from 0 to `ceiling`, or a delta beyond it)."""
        if not isinstance(body, dict):
            raise ValueError(f"an adjustment is a JSON object, got {type(body).__name__}")
        if ("on_hand" in body) == ("delta" in body):
            raise ValueError("an adjustment has exactly one of on_hand (absolute) and delta")
        adjustment = cls(
            adjustment_id=name(body.get("adjustment_id"), "adjustment_id"),
            sku=name(body.get("sku"), "sku"),
            warehouse=own_warehouse(body.get("warehouse")),
        )
        if "on_hand" in body:
            on_hand = units(body["on_hand"], source=f"on_hand of {adjustment.where}", ceiling=ceiling)
            return cls(adjustment.adjustment_id, adjustment.sku, adjustment.warehouse, on_hand=on_hand)
        delta = units_change(body["delta"], source=f"delta of {adjustment.where}", ceiling=ceiling)
        return cls(adjustment.adjustment_id, adjustment.sku, adjustment.warehouse, delta=delta)

    @property
    def where(self) -> str:
        return f"adjustment {self.adjustment_id} (SKU {self.sku} in {self.warehouse})"


@dataclass(frozen=True)
class AdjustmentResult:
    adjustment: Adjustment | None  # None: the message was not an adjustment
    duplicate: bool = False
    before: int = 0
    after: int = 0
    version: int | None = None
    refused: str = ""  # why nothing changed: which value, from where, and what is wrong with it


def remembered(applied: dict[str, str], now: datetime) -> dict[str, str]:
    cutoff = (now - REMEMBER_FOR).isoformat()
    kept = sorted(((at, key) for key, at in applied.items() if at >= cutoff), reverse=True)
    return {key: at for at, key in kept[:REMEMBER_MAX]}


@dataclass
class OwnStock:
    stock: StockRepository
    announce: Callable[[dict[str, int], str], None]
    clock: Callable[[], datetime]
    alerts: AlertSink
    max_units: int = DEFAULT_MAX_UNITS  # `Settings.stock_max_units`: the most units one count may claim

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

    def receive(self, body: str) -> AdjustmentResult:
        """One message of the stock-adjustments queue: applied once, or refused and alerted. A bad
        message is no error (a retry cannot make it right); only faults raise, and are retried."""
        try:
            raw = json.loads(body)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            return self._alerted_if_refused(
                body, None, AdjustmentResult(None, refused=f"the message is not JSON: {exc}")
            )
        try:
            adjustment = Adjustment.parse(raw, ceiling=self.max_units)
        except ValueError as exc:  # UnitsRefused is one
            return self._alerted_if_refused(body, raw, AdjustmentResult(None, refused=str(exc)))
        return self._alerted_if_refused(body, raw, self.adjust(adjustment))

    def _alerted_if_refused(self, body: str, raw: Any, result: AdjustmentResult) -> AdjustmentResult:
        if result.refused:
            now = self.clock()
            alert = adjustment_refused_alert(refusal_key(body, raw), result.refused, body, now)
            self.alerts.send(alert, now=now)
        return result

    def adjust(self, adjustment: Adjustment) -> AdjustmentResult:
        """Apply one adjustment once per id. A count that cannot be true (above `max_units`, or a
        delta taking the warehouse below 0) is refused: reported in the result, nothing written."""
        now = self.clock()
        seen: dict[str, Any] = {}

        def change(item: SkuModel) -> bool:
            seen.clear()
            applied = dict(item.adjustments or {})
            if adjustment.adjustment_id in applied:
                seen["duplicate"] = True
                return False
            on_hand = {k: int(v) for k, v in (item.on_hand or {}).items()}
            before = on_hand.get(adjustment.warehouse, 0)
            try:
                after = self._after(adjustment, before)
            except UnitsRefused as exc:
                seen.update(before=before, refused=str(exc))
                return False
            seen.update(before=before, after=after)
            item.on_hand = {**on_hand, adjustment.warehouse: after}
            # Recorded even when the count stays: a redelivery must not re-apply it after later changes.
            item.adjustments = remembered({**applied, adjustment.adjustment_id: now.isoformat()}, now)
            return True

        saved = self.stock.change_sku(adjustment.sku, change, now=now)
        if "refused" in seen:
            return AdjustmentResult(
                adjustment, before=seen["before"], after=seen["before"], refused=seen["refused"]
            )
        if saved is None:
            return AdjustmentResult(adjustment, duplicate=True)
        version = int(saved.version)
        if seen["before"] != seen["after"]:
            self.announce({adjustment.sku: version}, "adjustment")
        return AdjustmentResult(adjustment, before=seen["before"], after=seen["after"], version=version)

    def _after(self, adjustment: Adjustment, before: int) -> int:
        if adjustment.on_hand is not None:
            return units(adjustment.on_hand, source=f"on_hand of {adjustment.where}", ceiling=self.max_units)
        return units_after(
            before, adjustment.delta or 0, source=f"delta of {adjustment.where}", ceiling=self.max_units
        )


def refusal_key(body: str, raw: Any) -> str:
    """What a refusal is alerted once for: the message's adjustment id, else a hash of its body."""
    given = raw.get("adjustment_id") if isinstance(raw, dict) else None
    try:
        return f"id:{name(given, 'adjustment_id')}"
    except ValueError:
        return "body:" + hashlib.sha256(body.encode("utf-8", "replace")).hexdigest()[:24]


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
