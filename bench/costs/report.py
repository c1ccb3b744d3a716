"""The cost table: rows of dollars per unit by service, printed with rich or as markdown for the README."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from bench.costs.units import SERVICES


@dataclass(frozen=True)
class Row:
    label: str  # "per 100,000 orders pulled"
    measured: str  # "2,000 orders, 41 s"
    dollars: dict[str, float]

    @property
    def total(self) -> float:
        return sum(self.dollars.values())


@dataclass(frozen=True)
class Fixed:
    label: str
    monthly: float
    basis: str


def money(value: float) -> str:
    if value == 0:
        return "$0"
    if value < 0.0001:
        return "<$0.0001"
    if value < 0.01:
        return f"${value:.4f}"
    return f"${value:.3f}" if value < 10 else f"${value:,.2f}"


def markdown(rows: Sequence[Row], fixed: Sequence[Fixed], notes: Sequence[str]) -> str:
    head = ["", "measured", *SERVICES, "total"]
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---", "---"] + ["---:"] * (len(SERVICES) + 1)) + "|",
    ]
    for row in rows:
        cells = [
            row.label,
            row.measured,
            *(money(row.dollars[s]) for s in SERVICES),
            f"**{money(row.total)}**",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| fixed monthly cost | per month | basis |", "|---|---:|---|"]
    lines += [f"| {f.label} | {money(f.monthly)} | {f.basis} |" for f in fixed]
    lines += [""] + [f"- {note}" for note in notes]
    return "\n".join(lines)


def show(console: Console, rows: Sequence[Row], fixed: Sequence[Fixed], notes: Sequence[str]) -> None:
    """One column per unit of work and one row per service, so it fits a narrow terminal."""
    table = Table(title="AWS cost per unit of work (us-east-1, on-demand, free tiers not deducted)")
    table.add_column("service")
    for row in rows:
        table.add_column(row.label, justify="right")
    table.add_row("measured", *(row.measured for row in rows))
    for service in SERVICES:
        table.add_row(service, *(money(row.dollars[service]) for row in rows))
    table.add_row("total", *(f"[bold]{money(row.total)}[/bold]" for row in rows))
    console.print(table)
    monthly = Table(title="Fixed monthly costs (not per unit)")
    monthly.add_column("")
    monthly.add_column("per month", justify="right")
    monthly.add_column("basis")
    for item in fixed:
        monthly.add_row(item.label, money(item.monthly), item.basis)
    console.print(monthly)
    for note in notes:
        console.print(f"- {note}", highlight=False)
