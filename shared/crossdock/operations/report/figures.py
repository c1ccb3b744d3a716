"""A chart's frame on the page: title, note, legend, the SVG, and the figures as a small table (the text
fallback: readable without the picture, and searchable) — or a "no data yet" panel instead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crossdock.operations.report.svg import PALETTE, esc


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


@dataclass(frozen=True)
class Figure:
    chart_id: str  # e.g. "orders-per-hour": the element is #chart-orders-per-hour
    title: str
    svg: str = ""  # empty: nothing to draw yet
    note: str = ""
    legend: tuple[str, ...] = ()  # series names, in colour order
    limit_legend: str = ""  # the name of the per-row limit mark, when the chart draws one
    table: Table | None = None
    empty: str = "No data yet."
    extra: tuple[str, ...] = ()  # more notes under the chart

    def html(self) -> str:
        head = (
            f'<figure class="chart{"" if self.svg else " no-data"}" id="chart-{esc(self.chart_id)}"'
            f' data-chart="{esc(self.chart_id)}"><figcaption><h2>{esc(self.title)}</h2>'
            + (f'<p class="note">{esc(self.note)}</p>' if self.note else "")
            + "</figcaption>"
        )
        if not self.svg:
            return head + f'<p class="no-data-text">{esc(self.empty)}</p></figure>'
        parts = [head, legend(self.legend, self.limit_legend), self.svg]
        parts += [f'<p class="note">{esc(line)}</p>' for line in self.extra]
        if self.table is not None:
            parts.append(table_html(self.table))
        return "".join(parts) + "</figure>"


def legend(names: Sequence[str], limit: str = "") -> str:
    if not names and not limit:
        return ""
    items = "".join(
        f'<li><span class="swatch s{index % PALETTE}"></span>{esc(name)}</li>'
        for index, name in enumerate(names)
    )
    if limit:
        items += f'<li><span class="swatch limit-swatch"></span>{esc(limit)}</li>'
    return f'<ul class="legend">{items}</ul>'


def table_html(table: Table) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in table.headers)
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc('—' if cell is None else cell)}</td>" for cell in row) + "</tr>"
        for row in table.rows
    )
    return (
        '<details class="figures"><summary>Figures</summary>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></details>"
    )
