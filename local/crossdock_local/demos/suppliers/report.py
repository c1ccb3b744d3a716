"""The supplier story's account: the 15-minute round's decision per product (the stuck-cache primary
rejected with its age, the short alternate passed over, the product blocked and alerted), the 7-day
sales the suggestions start from, the daily suggestion list purchasing receives, and one product's
decision history as `crossdock suppliers history` shows it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossdock.suppliers.rules.sourcing import BLOCKED_LINE

from crossdock_local.aws.outbox import subject_of
from crossdock_local.demos.suppliers.catalogue import BLOCKED_SKU, BY_SOURCED_SKU, SHORT_SKU, STALE_SKU

Record = Mapping[str, Any]  # a stored decision (Decision.to_dict)


def last_rejections(record: Record) -> dict[str, Record]:
    """Each rejected supplier once, as last judged, in the order they were tried."""
    found: dict[str, Record] = {}
    for rejected in record.get("rejected") or []:
        found.pop(str(rejected.get("supplier_id")), None)
        found[str(rejected.get("supplier_id"))] = rejected
    return found


def reads_of(record: Record, supplier_id: str) -> int:
    return sum(1 for r in record.get("rejected") or [] if r.get("supplier_id") == supplier_id)


def reads_in(records: Iterable[Record]) -> int:
    """Supplier reads the decisions rest on: one per rejection recorded (a re-read records its own), one
    for the chosen offer. The platform may have served more calls: transport retries of faults."""
    return sum(len(r.get("rejected") or []) + (1 if r.get("chosen") else 0) for r in records)


def chosen_supplier(record: Record) -> str | None:
    chosen = record.get("chosen")
    return str(chosen["supplier_id"]) if chosen else None


@dataclass
class SupplierOutcome:
    sandbox_url: str = ""
    secret: str = ""
    products: int = 0
    offers: int = 0
    planned: dict[str, int] = field(default_factory=dict)  # the planner's answer: products, tasks
    round_calls: int = 0  # alibaba.product.get calls the 1688 sandbox served in the round
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)  # sku → the round's decision
    statuses: dict[str, str] = field(default_factory=dict)  # sku → reorder status after the round
    blocked_alerts: list[Path] = field(default_factory=list)
    sold: dict[str, int] = field(default_factory=dict)  # units sold in the last 7 days, per SKU
    booked: dict[str, int] = field(default_factory=dict)  # of them, in the orders this story booked
    booked_on: str = ""
    daily: dict[str, int] = field(default_factory=dict)  # the daily function's answer
    daily_calls: int = 0
    digest: Path | None = None
    suggestions: list[str] = field(default_factory=list)  # the digest's lines, as purchasing reads them
    history: list[str] = field(default_factory=list)  # `crossdock suppliers history STALE_SKU`
    errors: list[str] = field(default_factory=list)

    @property
    def stale_rejection(self) -> Record | None:
        """The stuck-cache primary's last rejection in the round."""
        primary = BY_SOURCED_SKU[STALE_SKU].offers[0].supplier_id
        return last_rejections(self.decisions.get(STALE_SKU, {})).get(primary)

    @property
    def held(self) -> bool:
        stale, short = self.decisions.get(STALE_SKU, {}), self.decisions.get(SHORT_SKU, {})
        rejection = self.stale_rejection or {}
        short_reasons = [str(r.get("reason")) for r in last_rejections(short).values()]
        return (
            rejection.get("reason") == "stale"
            and float(rejection.get("age_seconds") or 0) >= 12 * 3600
            and chosen_supplier(stale) == BY_SOURCED_SKU[STALE_SKU].offers[1].supplier_id
            and short_reasons[-1:] == ["short_of_stock"]
            and chosen_supplier(short) == BY_SOURCED_SKU[SHORT_SKU].offers[2].supplier_id
            and self.statuses.get(BLOCKED_SKU) == "blocked"
            and len(self.blocked_alerts) == 1
            and self.digest is not None
            and not self.errors
        )


def _by(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{sku} {n}" for sku, n in sorted(counts.items())) or "none"


def supplier_lines(outcome: SupplierOutcome) -> list[str]:
    lines = ["", "== Suppliers (1688 offers through the freshness gate) =="]
    lines.append(
        f"catalog: {outcome.products} products, {outcome.offers} supplier offers (a primary and 3 alternates"
        f" each) on the 1688 sandbox {outcome.sandbox_url}; credentials in {outcome.secret}"
    )
    lines.append(
        f"round (suppliers-planner → suppliers-worker): {outcome.planned.get('products', 0)} products in"
        f" {outcome.planned.get('tasks', 0)} task(s), {reads_in(outcome.decisions.values())} supplier reads"
        f" ({outcome.round_calls} alibaba.product.get calls served, fault retries included)"
    )
    for sku, record in outcome.decisions.items():
        status = outcome.statuses.get(sku, "?")
        lines.append(f"  [{'BLOCKED' if status == 'blocked' else 'ok'}] {record.get('summary', sku)}")
    subjects = [subject_of(p).removeprefix("[crossdock] ") for p in outcome.blocked_alerts]
    lines.append(
        f"blocked-product alerts: {len(subjects)}" + (f" ({'; '.join(subjects)})" if subjects else "")
    )
    demo_sales = {sku: n - outcome.booked.get(sku, 0) for sku, n in outcome.sold.items()}
    lines.append(
        f"7-day sales: from the demo's orders {_by({k: n for k, n in demo_sales.items() if n > 0})};"
        f" booked by this story on {outcome.booked_on or '—'} after the stock account above:"
        f" {_by(outcome.booked)}"
    )
    subject = subject_of(outcome.digest).removeprefix("[crossdock] ") if outcome.digest else "NO digest"
    lines.append(
        f"daily suggestions (suppliers-daily, {outcome.daily_calls} calls): {subject}"
        f" — {outcome.daily.get('considered', 0)} products considered"
    )
    lines += [f"  {line}" for line in outcome.suggestions] or ["  nothing to buy today"]
    if outcome.history:
        lines += [f"$ crossdock suppliers history {STALE_SKU}", *(f"  {line}" for line in outcome.history)]
    if outcome.errors:
        lines.append("errors: " + "; ".join(outcome.errors[:5]))
    verdict = (
        "stale data rejected, fresh alternates chosen, the unsourceable product blocked"
        if outcome.held
        else "NOT every supplier case ended as expected"
    )
    lines.append(f"suppliers: {verdict} ({BLOCKED_LINE!r} is what purchasing sees)")
    return lines
