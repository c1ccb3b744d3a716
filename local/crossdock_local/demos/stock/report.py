"""The stock story's account: per SKU what crossdock holds (on hand per warehouse, reserved, sellable
per channel) beside what each channel shows, the measured latencies, FBA's excluded units and the
oversold alerts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from crossdock_local.aws.outbox import subject_of


@dataclass(frozen=True)
class StepResult:
    label: str  # e.g. "(a) sale on taobao-cn: PB-10K-WHT × 2"
    latency_s: float | None  # change → every watched channel showing the new quantity; None: never
    shown: dict[str, int] = field(default_factory=dict)  # watched shop → what it showed at the end


@dataclass(frozen=True)
class SkuRow:
    sku: str
    on_hand: dict[str, int]  # warehouse → units (fba:<shop> counts fulfillable units only)
    reserved: int
    sellable: dict[str, int]  # listed shop → what crossdock may offer there (its channel's policy)
    shown: dict[str, int]  # listed shop → what the channel shows

    @property
    def agrees(self) -> bool:
        return all(self.shown.get(shop) == units for shop, units in self.sellable.items())


@dataclass(frozen=True)
class FbaNote:
    shop_id: str
    sku: str
    counted: int  # fulfillable, on hand as fba:<shop>
    inbound: int
    reserved: int
    sellable_with_inbound: int  # what channels would show if inbound and reserved units were counted


@dataclass
class StockOutcome:
    steps: list[StepResult] = field(default_factory=list)
    rows: list[SkuRow] = field(default_factory=list)
    fba: FbaNote | None = None
    oversold_alerts: list[Path] = field(default_factory=list)
    skipped: str = ""  # why the story did not run, if it did not

    @property
    def agrees(self) -> bool:
        return bool(self.rows) and all(row.agrees for row in self.rows)

    def latency(self, prefix: str) -> float | None:
        return next((s.latency_s for s in self.steps if s.label.startswith(prefix)), None)


def _seconds(value: float | None) -> str:
    return "not reached" if value is None else f"{value:.2f} s"


def _table(outcome: StockOutcome) -> list[str]:
    shops = list(dict.fromkeys(shop for row in outcome.rows for shop in row.sellable))
    header = ["SKU", "ON HAND", "RESERVED", "SELLABLE", *shops, "AGREE"]
    table = [header]
    for row in outcome.rows:
        warehouses = ", ".join(f"{w} {n}" for w, n in sorted(row.on_hand.items()))
        common = Counter(row.sellable.values()).most_common(1)[0][0]
        others = ", ".join(f"{s} {n}" for s, n in row.sellable.items() if n != common)
        sellable = f"{common} ({others})" if others else str(common)
        shown = [
            str(row.shown.get(s, "—")) + ("" if row.shown.get(s) == row.sellable[s] else " ✗") for s in shops
        ]
        cells = [row.sku, f"{sum(row.on_hand.values())} ({warehouses})", str(row.reserved), sellable]
        table.append([*cells, *shown, "yes" if row.agrees else "NO"])
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in table]


def stock_lines(outcome: StockOutcome) -> list[str]:
    lines = ["", "== Stock (crossdock's central inventory vs what each channel shows) =="]
    if outcome.skipped:
        return [*lines, f"not run: {outcome.skipped}"]
    lines += _table(outcome)
    lines.append("sellable = on hand × (1 − 5 % buffer) − reserved, per channel policy; ✗ = channel differs")
    lines.append("latency, change → Amazon, Shopify and eBay all showing the new quantity (polled):")
    lines += [f"  {step.label}: {_seconds(step.latency_s)}" for step in outcome.steps]
    lines.append(
        "  (each step fires its schedule at once: in AWS a sale also waits for the next 5-minute order pull"
        " and an FBA change for the hourly FBA sync)"
    )
    if outcome.fba is not None:
        fba = outcome.fba
        lines.append(
            f"FBA {fba.shop_id} {fba.sku}: {fba.counted} fulfillable counted; {fba.inbound} inbound and "
            f"{fba.reserved} reserved excluded (counting them would offer {fba.sellable_with_inbound})"
        )
    subjects = [subject_of(path).removeprefix("[crossdock] ") for path in outcome.oversold_alerts]
    lines.append(f"oversold alerts: {len(subjects)}" + (f" ({'; '.join(subjects)})" if subjects else ""))
    verdict = "every channel shows what is sellable" if outcome.agrees else "NOT every channel agrees"
    lines.append(f"stock: {verdict}")
    return lines
