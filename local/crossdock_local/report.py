"""The demo's final account: per shop, what crossdock stored against the channel's truth, what it
cost on the wire, where its checkpoint is; the sandboxes' own counts; the Lambda figures; the stock
every channel shows beside what is sellable; and every alert as the e-mail a person received. The same
stores drawn as the operations report, `<outbox>/report.html` (what `crossdock report` writes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from crossdock.channels.registry import minimum_calls
from crossdock.core.alerts.message import inert
from crossdock.core.text import duration
from crossdock.core.times import iso_z
from crossdock.operations.report.write import write_report
from crossdock.shops.usecases.admin import ShopStatus

from crossdock_local.aws.runner import FunctionFigures
from crossdock_local.demos.orders.convergence import Convergence
from crossdock_local.demos.stock.report import StockOutcome, stock_lines
from crossdock_local.demos.suppliers.report import SupplierOutcome, supplier_lines
from crossdock_local.demos.tracking.report import TrackingOutcome, tracking_lines

if TYPE_CHECKING:
    from crossdock_local.demos.notices.story import PushOutcome
    from crossdock_local.demos.orders.mutator import BookMutator
    from crossdock_local.demos.orders.shops import DemoShops


@dataclass
class DemoResult:
    convergence: dict[str, Convergence]
    statuses: list[ShopStatus]
    alerts: list[Path]  # the alert e-mails of this run, oldest first
    functions: dict[str, FunctionFigures]
    dead_letters: dict[str, int]  # queue logical id → messages in its DLQ
    sandbox_stats: dict[str, dict[str, int]]
    events: dict[str, dict[str, int]]  # what the stock ledger received, by shop and type
    redelivered_events: int
    deleted_order: str | None  # the stored order removed behind crossdock's back
    stock: StockOutcome | None = None
    tracking: TrackingOutcome | None = None
    suppliers: SupplierOutcome | None = None
    pushes: PushOutcome | None = None
    elapsed_s: float = 0.0

    @property
    def converged(self) -> bool:
        return all(result.converged for result in self.convergence.values())


def counts(values: Mapping[str, Any]) -> str:
    shown = [f"{name} {int(n)}" for name, n in sorted(values.items()) if int(n)]
    return ", ".join(shown) if shown else "none"


def note_line(notes: list[str]) -> str:
    """How many stored orders carry a buyer note, and the longest one quoted inert (it is the buyer's
    text: markup escaped, links defanged, control characters dropped)."""
    if not notes:
        return "  buyer notes: none stored"
    longest = max(notes, key=lambda note: (len(note), note))
    return f"  buyer notes: {len(notes)} stored, e.g. «{inert(longest, 160)}»"


def _shop_lines(result: DemoResult, shops: DemoShops, mutator: BookMutator) -> list[str]:
    lines = ["", "== Shops (crossdock's account vs the channel's truth) =="]
    for status in result.statuses:
        plan = shops.plans.get(status.shop_id)
        if plan is None:
            continue
        totals = status.totals
        check = result.convergence[status.shop_id]
        lines += [
            f"{status.shop_id} · {status.channel} · {plan.currency} · state {status.state}",
            f"  orders: on the channel {check.book} ({counts(mutator.kinds(status.shop_id))} during the run)"
            f" · stored {check.stored} (new {totals.get('new', 0)}, updated {totals.get('updated', 0)},"
            f" re-read unchanged {totals.get('unchanged', 0)}) · {check.describe()}",
            f"  API calls {totals.get('calls', 0)} (retries {totals.get('retries', 0)}, pages {totals.get('pages', 0)})"
            f" · faults met: {counts(totals.get('faults', {}))}",
            f"  checkpoint {iso_z(status.checkpoint) if status.checkpoint else '—'}"
            f" (lag {duration(status.lag_seconds)}) · order events queued {totals.get('events', 0)}"
            f" (received by the stock ledger: {counts(result.events.get(status.shop_id, {}))})",
            note_line(check.notes),
        ]
        if status.state == "degraded":
            lines.append(
                "  degraded (circuit breaker open): pulled once an hour over its full window until a pull"
                " has no failed call, so this run ends before its next pull"
            )
        if status.last_error:
            lines.append(f"  last error: {status.last_error[:160]}")
    return lines


def _channel_lines(result: DemoResult) -> list[str]:
    lines = ["", "== Channels (the sandboxes' own counts) =="]
    for name, stats in result.sandbox_stats.items():
        calls = {k.removeprefix("calls:"): v for k, v in stats.items() if k.startswith("calls:")}
        faults = {k.removeprefix("faults:"): v for k, v in stats.items() if k.startswith("faults:")}
        lines.append(f"{name}: requests {counts(calls)} · faults served: {counts(faults)}")
    return lines


def _lambda_lines(result: DemoResult, lambda_log: Path) -> list[str]:
    lines = ["", "== Lambda functions (local runner) =="]
    for name, figures in result.functions.items():
        line = f"{name}: {figures.invocations} invocations, {figures.errors} errors"
        if figures.records_ok or figures.records_failed:
            line += f", records {figures.records_ok} ok / {figures.records_failed} failed"
        lines.append(line)
    lines.append(
        f"order events re-delivered to the stock ledger (same event_id, applied once): {result.redelivered_events}"
    )
    lines.append(
        f"dead-letter queues: {counts(result.dead_letters) if any(result.dead_letters.values()) else 'empty'}"
    )
    lines.append(f"function logs and EMF metrics: {lambda_log}")
    return lines


def _alert_lines(result: DemoResult) -> list[str]:
    folder = result.alerts[0].parent if result.alerts else None
    lines = [
        "",
        f"== Alerts: {len(result.alerts)} e-mails" + (f" (also in {folder}) ==" if folder else " =="),
    ]
    for path in result.alerts:
        lines += ["", f"----- {path.name} -----", path.read_text(encoding="utf-8").rstrip()]
    return lines


def print_report(
    result: DemoResult,
    shops: DemoShops,
    mutator: BookMutator,
    *,
    rate_scale: float,
    lambda_log: Path,
    out: TextIO,
) -> None:
    lines = _shop_lines(result, shops, mutator) + _channel_lines(result) + _lambda_lines(result, lambda_log)
    if result.stock is not None:
        lines += stock_lines(result.stock)
    if result.tracking is not None:
        lines += tracking_lines(result.tracking)
    if result.suppliers is not None:
        lines += supplier_lines(result.suppliers)
    lines += _alert_lines(result)
    verdict = "every shop converged" if result.converged else "NOT every shop converged (see above)"
    if result.stock is not None and not result.stock.skipped:
        verdict += (
            "; every channel shows sellable stock" if result.stock.agrees else "; stock NOT in agreement"
        )
    if result.tracking is not None:
        verdict += "; tracking incidents handled" if result.tracking.held else "; tracking NOT as expected"
    if result.suppliers is not None:
        verdict += "; supplier freshness held" if result.suppliers.held else "; suppliers NOT as expected"
    lines += ["", f"Done in {result.elapsed_s:.1f}s (rates ×{rate_scale:g}): {verdict}."]
    print("\n".join(lines), file=out, flush=True)
    html = html_report(lambda_log.parent / REPORT_FILE)
    print(f"The same account with charts (opens offline): {html}", file=out, flush=True)


REPORT_FILE = "report.html"
REPORT_PERIOD = timedelta(hours=24)


def html_report(path: Path, *, now: datetime | None = None) -> Path:
    """The operations report of the demo's stores (the stack is still up), times in this machine's zone."""
    now = now or datetime.now(UTC)
    zone = datetime.now().astimezone().tzinfo or UTC
    return write_report(path, since=now - REPORT_PERIOD, now=now, tz=zone, minimum_calls=minimum_calls)
