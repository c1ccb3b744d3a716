"""A small inline-SVG chart renderer: horizontal bar charts (grouped series, an optional limit mark per
row) and line charts with points. Pure string work, no JavaScript, no fonts or images to fetch.

Colours are CSS classes (`s0`…`s7`, `grid`, `limit`) the page styles, so its light and dark themes both
apply; every mark carries a `<title>` with its figure (the browser's tooltip, and the text a screen
reader reads). Every text from data is escaped here.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 760
PALETTE = 8  # series colours s0…s7, then they repeat
BAR = 14  # a bar's height
LABEL_CELLS = 28  # a row label longer than this is cut with … (its whole text stays in <title>)


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def number(value: float | None) -> str:
    """1,234 / 95 / 2.5 / — : whole numbers from 10 up, one decimal below (minutes, hours)."""
    if value is None:
        return "—"
    if abs(value) >= 10 or float(value).is_integer():
        return f"{round(value):,}"
    return f"{value:.1f}"


def cells(text: str) -> int:
    """Width in terminal-like cells: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def clip(text: str, limit: int = LABEL_CELLS) -> str:
    if cells(text) <= limit:
        return text
    kept = ""
    for char in text:
        if cells(kept + char) > limit - 1:
            break
        kept += char
    return kept + "…"


def ticks(maximum: float, count: int = 4) -> list[float]:
    """Round ticks from 0 covering `maximum` (steps of 1, 2 or 5 × 10ⁿ; whole steps from 1 up: counts
    never show half an order)."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if maximum >= 1:
        step = max(step, 1)
    return [step * i for i in range(math.ceil(maximum / step - 1e-9) + 1)]


def _frame(chart_id: str, title: str, height: int, body: list[str]) -> str:
    head = (
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"'
        f' role="img" aria-labelledby="{esc(chart_id)}-title">'
        f'<title id="{esc(chart_id)}-title">{esc(title)}</title>'
    )
    return head + "".join(body) + "</svg>"


def bar_chart(
    *,
    chart_id: str,
    title: str,
    rows: Sequence[str],
    series: Sequence[Series],
    value_axis: str,
    row_axis: str,
    limits: Sequence[float | None] = (),
    limit_name: str = "limit",
    show: Callable[[float | None], str] = number,
) -> str:
    """One band per row, one bar per series in it; `limits` draws a mark per row (e.g. a freshness limit)."""
    left, right, top, bottom = 230, 70, 24, 46
    band = 10 + (BAR + 3) * len(series)
    height = top + band * len(rows) + bottom
    plot = WIDTH - left - right
    values = [v for s in series for v in s.values if v is not None] + [v for v in limits if v is not None]
    scale = ticks(max(values, default=0))
    top_value = scale[-1]
    at = lambda v: left + plot * (v / top_value)  # noqa: E731
    body = [_grid_vertical(scale, at, top, top + band * len(rows), show)]
    for index, row in enumerate(rows):
        y0 = top + band * index
        body.append(
            f'<text class="row-label" x="{left - 8}" y="{y0 + band / 2 + 4:.1f}" text-anchor="end">'
            f"<title>{esc(row)}</title>{esc(clip(row))}</text>"
        )
        for number_, one in enumerate(series):
            value = one.values[index]
            y = y0 + 5 + (BAR + 3) * number_
            if value is None:
                body.append(f'<text class="value" x="{left + 4}" y="{y + BAR - 3}">—</text>')
                continue
            width = max(0.0, at(value) - left)
            body.append(
                f'<rect class="mark bar s{number_ % PALETTE}" x="{left}" y="{y}" width="{width:.1f}"'
                f' height="{BAR}"><title>{esc(row)} · {esc(one.name)}: {esc(show(value))}</title></rect>'
                f'<text class="value" x="{left + width + 4:.1f}" y="{y + BAR - 3}">{esc(show(value))}</text>'
            )
        limit = limits[index] if index < len(limits) else None
        if limit is not None:
            x = at(limit)
            body.append(
                f'<line class="limit" x1="{x:.1f}" x2="{x:.1f}" y1="{y0 + 2}" y2="{y0 + band - 2}">'
                f"<title>{esc(row)} · {esc(limit_name)}: {esc(show(limit))}</title></line>"
            )
    base = top + band * len(rows)
    body.append(
        f'<text class="axis-title x-axis" x="{left + plot / 2:.1f}" y="{base + 38}" text-anchor="middle">'
        f"{esc(value_axis)}</text>"
        f'<text class="axis-title y-axis" x="{left - 8}" y="14" text-anchor="end">{esc(row_axis)}</text>'
    )
    return _frame(chart_id, title, height, body)


def line_chart(
    *,
    chart_id: str,
    title: str,
    columns: Sequence[str],
    series: Sequence[Series],
    x_axis: str,
    y_axis: str,
    label_every: int = 1,
) -> str:
    """One line with a point per column for each series."""
    left, right, top, bottom, height = 64, 20, 10, 56, 320
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    scale = ticks(max((v for s in series for v in s.values if v is not None), default=0))
    step = plot_w / max(1, len(columns) - 1)
    x_at = lambda i: left + (step * i if len(columns) > 1 else plot_w / 2)  # noqa: E731
    y_at = lambda v: top + plot_h - plot_h * v / scale[-1]  # noqa: E731
    body = []
    for tick in scale:
        y = y_at(tick)
        body.append(
            f'<line class="grid" x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{number(tick)}</text>'
        )
    for index, column in enumerate(columns):
        if index % max(1, label_every) == 0:
            body.append(
                f'<text class="tick" x="{x_at(index):.1f}" y="{top + plot_h + 16}"'
                f' text-anchor="middle">{esc(column)}</text>'
            )
    for number_, one in enumerate(series):
        colour = f"s{number_ % PALETTE}"
        points = [(x_at(i), y_at(v), v, i) for i, v in enumerate(one.values) if v is not None]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        body.append(
            f'<polyline class="mark line {colour}" points="{path}"><title>{esc(one.name)}</title></polyline>'
        )
        body += [
            f'<circle class="mark point {colour}" cx="{x:.1f}" cy="{y:.1f}" r="3">'
            f"<title>{esc(one.name)} · {esc(columns[i])}: {number(v)}</title></circle>"
            for x, y, v, i in points
        ]
    body.append(
        f'<text class="axis-title x-axis" x="{left + plot_w / 2:.1f}" y="{height - 10}" text-anchor="middle">'
        f"{esc(x_axis)}</text>"
        f'<text class="axis-title y-axis" transform="translate(14 {top + plot_h / 2:.1f}) rotate(-90)"'
        f' text-anchor="middle">{esc(y_axis)}</text>'
    )
    return _frame(chart_id, title, height, body)


def _grid_vertical(
    scale: Sequence[float],
    at: Callable[[float], float],
    y1: float,
    y2: float,
    show: Callable[[float | None], str],
) -> str:
    return "".join(
        f'<line class="grid" x1="{at(t):.1f}" x2="{at(t):.1f}" y1="{y1}" y2="{y2}"/>'
        f'<text class="tick" x="{at(t):.1f}" y="{y2 + 16}" text-anchor="middle">{esc(show(t))}</text>'
        for t in scale
    )
