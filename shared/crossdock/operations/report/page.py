"""The report as one self-contained HTML page: inline CSS, inline SVG, no script, no font, no image and
no address to fetch — it opens offline, from a mail attachment or a USB stick, and looks the same.

`render(data, tz)` is a pure function of the gathered figures; times show in `tz` (the operator's)."""

from __future__ import annotations

from datetime import tzinfo

from crossdock.operations.report.charts import CHARTS, when
from crossdock.operations.report.model import ReportData
from crossdock.operations.report.svg import esc, number

STYLE = """
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --panel: #f6f8fa;
  --line: #d1d9e0; --limit: #cf222e;
  --c0: #0072b2; --c1: #e69f00; --c2: #009e73; --c3: #cc79a7; --c4: #56b4e9; --c5: #d55e00;
  --c6: #8a7a00; --c7: #6e7781; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --panel: #161b22; --line: #30363d;
    --limit: #ff7b72; --c0: #4ea8de; --c1: #f0b429; --c2: #3ccf91; --c3: #e39ac8; --c4: #8fd3ff;
    --c5: #ff8c42; --c6: #e3d04f; --c7: #b1bac4; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1640px; padding: 24px; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", "Microsoft YaHei",
  sans-serif; }
header h1 { margin: 0 0 4px; font-size: 24px; }
.muted, .note { color: var(--muted); }
.note { margin: 4px 0; font-size: 13px; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; padding: 0; list-style: none; }
.tiles li { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px;
  min-width: 150px; }
.tiles b { display: block; font-size: 26px; font-variant-numeric: tabular-nums; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(600px, 1fr)); gap: 16px; }
figure.chart { margin: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
  padding: 12px 16px; min-width: 0; }
figure.chart h2 { margin: 0; font-size: 17px; }
.no-data-text { padding: 32px 0; text-align: center; color: var(--muted); font-style: italic; }
.chart-svg { display: block; max-width: 100%; height: auto; margin: 6px 0; }
.chart-svg text { fill: var(--fg); font-size: 12px; }
.chart-svg .tick, .chart-svg .value { fill: var(--muted); font-size: 11px; font-variant-numeric: tabular-nums; }
.chart-svg .axis-title { fill: var(--muted); font-size: 12px; }
.chart-svg .grid { stroke: var(--line); stroke-width: 1; }
.chart-svg .limit { stroke: var(--limit); stroke-width: 3; }
.chart-svg .line { fill: none; stroke-width: 2; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 6px 0; padding: 0; list-style: none;
  font-size: 13px; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; border-radius: 2px;
  vertical-align: -1px; background: var(--c); }
.limit-swatch { background: var(--limit); width: 4px; }
.s0 { --c: var(--c0); } .s1 { --c: var(--c1); } .s2 { --c: var(--c2); } .s3 { --c: var(--c3); }
.s4 { --c: var(--c4); } .s5 { --c: var(--c5); } .s6 { --c: var(--c6); } .s7 { --c: var(--c7); }
rect.mark, circle.mark { fill: var(--c); }
polyline.mark { stroke: var(--c); }
details.figures summary { cursor: pointer; color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; margin: 6px 0; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 10px 3px 0; text-align: left; }
"""


def tiles(data: ReportData) -> str:
    states: dict[str, int] = {}
    for shop in data.shops:
        states[shop.state] = states.get(shop.state, 0) + 1
    listings = sum(c.listings for c in data.stock)
    agreeing = sum(c.agreeing for c in data.stock)
    figures = [
        (
            "shops",
            number(len(data.shops)),
            ", ".join(f"{n} {s}" for s, n in sorted(states.items())) or "none",
        ),
        ("orders created", number(sum(s.orders for s in data.order_slots)), "in this period"),
        ("listings agreeing", f"{number(agreeing)} / {number(listings)}", "shown = sellable now"),
        ("parcels tracked", number(sum(data.tracking_statuses.values())), _attention(data)),
        ("products blocked", number(sum(s.status == "blocked" for s in data.suppliers)), "no fresh supplier"),
    ]
    items = "".join(
        f'<li class="tile"><span class="muted">{esc(name)}</span><b>{esc(value)}</b>'
        f'<span class="muted">{esc(detail)}</span></li>'
        for name, value, detail in figures
    )
    return f'<ul class="tiles">{items}</ul>'


def _attention(data: ReportData) -> str:
    waiting = sum(data.tracking_attention.values())
    return f"{waiting} waiting for a person" if waiting else "none waiting for a person"


def render(data: ReportData, tz: tzinfo) -> str:
    zone = str(getattr(tz, "key", None) or tz)
    charts = "".join(chart(data, tz).html() for chart in CHARTS)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>crossdock report · {esc(when(data.generated_at, tz))}</title>"
        f"<style>{STYLE}</style></head><body>"
        f'<header><h1>crossdock report</h1><p class="muted">From {esc(when(data.since, tz))} to'
        f" {esc(when(data.generated_at, tz))} · times in {esc(zone)}</p></header>"
        f'{tiles(data)}<main class="charts">{charts}</main></body></html>\n'
    )
