"""The report's charts, each a pure function of the gathered figures (and the operator's zone)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, tzinfo

from crossdock.core.text import duration
from crossdock.operations.report.figures import Figure, Table
from crossdock.operations.report.model import ReportData
from crossdock.operations.report.svg import Series, bar_chart, line_chart, number
from crossdock.tracking.rules.status import STAGE, TrackingStatus

HOUR = timedelta(hours=1)


def when(moment: datetime | None, tz: tzinfo) -> str:
    """A time in the operator's zone: `2026-12-03 22:50 +08:00` (as the CLI prints it)."""
    if moment is None:
        return "—"
    local = moment.astimezone(tz)
    offset = local.strftime("%z")
    zone = "UTC" if offset in ("+0000", "") else f"{offset[:3]}:{offset[3:]}"
    return local.strftime("%Y-%m-%d %H:%M ") + zone


def hours(data: ReportData, tz: tzinfo) -> list[datetime]:
    """The starts (UTC) of the operator's local hours from the report's start to its end."""
    first = data.since.astimezone(tz).replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    count = max(1, math.ceil((data.generated_at - first) / HOUR))
    return [first + HOUR * k for k in range(count)]


def orders_per_hour(data: ReportData, tz: tzinfo) -> Figure:
    title = "Orders per shop per hour"
    if not data.order_slots:
        return Figure("orders-per-hour", title, empty="No data yet: no orders created in this period.")
    starts = hours(data, tz)
    shops = sorted({slot.shop_id for slot in data.order_slots})
    counts = {shop: [0.0] * len(starts) for shop in shops}
    for slot in data.order_slots:
        index = int((slot.start - starts[0]) // HOUR)
        if 0 <= index < len(starts):
            counts[slot.shop_id][index] += slot.orders
    labels = [_hour_label(start, tz, first=i == 0) for i, start in enumerate(starts)]
    names = {shop.shop_id: shop.label for shop in data.shops}
    series = [Series(names.get(shop, shop), tuple(counts[shop])) for shop in shops]
    svg = line_chart(
        chart_id="orders-per-hour",
        title=title,
        columns=labels,
        series=series,
        x_axis=f"hour ({_zone(tz)})",
        y_axis="orders created",
        label_every=math.ceil(len(labels) / 12),
    )
    rows = tuple(
        (s.name, number(sum(v or 0 for v in s.values)), number(max(v or 0 for v in s.values))) for s in series
    )
    return Figure(
        "orders-per-hour",
        title,
        svg,
        note="By the time the buyer placed the order, in hours of your zone.",
        legend=tuple(s.name for s in series),
        table=Table(("shop", "orders", "busiest hour"), rows),
    )


def _hour_label(start: datetime, tz: tzinfo, *, first: bool) -> str:
    local = start.astimezone(tz)
    return local.strftime("%m-%d %H:00" if first or local.hour == 0 else "%H:00")


def _zone(tz: tzinfo) -> str:
    return str(getattr(tz, "key", None) or tz)


def checkpoint_lag(data: ReportData, tz: tzinfo) -> Figure:
    title = "Checkpoint lag per shop"
    lagging = [shop for shop in data.shops if shop.lag_seconds is not None]
    if not lagging:
        return Figure(
            "checkpoint-lag", title, empty="No data yet: no shop has pulled its orders up to a checkpoint."
        )
    in_hours = max(s.lag_seconds or 0 for s in lagging) >= 3 * 3600
    unit, per = ("hours", 3600) if in_hours else ("minutes", 60)
    svg = bar_chart(
        chart_id="checkpoint-lag",
        title=title,
        rows=[shop.label for shop in lagging],
        series=[Series("lag now", tuple((s.lag_seconds or 0) / per for s in lagging))],
        value_axis=f"{unit} behind now",
        row_axis="shop",
    )
    rows = tuple(
        (s.label, s.channel, s.state, when(s.checkpoint, tz), duration(s.lag_seconds)) for s in data.shops
    )
    return Figure(
        "checkpoint-lag",
        title,
        svg,
        note="Only each shop's current checkpoint is stored (no history): the lag as it is now.",
        table=Table(("shop", "channel", "state", "checkpoint", "lag"), rows),
    )


def api_calls(data: ReportData, tz: tzinfo) -> Figure:
    title = "API calls of each shop's last pull against the minimum"
    ran = [shop for shop in data.shops if shop.last_run_calls or shop.last_run_at]
    if not ran:
        return Figure("api-calls", title, empty="No data yet: no shop has run a pull.")
    series = [Series("calls made", tuple(float(s.calls) for s in ran))]
    if any(s.minimum_calls is not None for s in ran):
        series.append(Series("minimum for its orders", tuple(_maybe(s.minimum_calls) for s in ran)))
    svg = bar_chart(
        chart_id="api-calls",
        title=title,
        rows=[shop.label for shop in ran],
        series=series,
        value_axis="calls in the last run",
        row_axis="shop",
    )
    rows = tuple(
        (
            s.label,
            when(s.last_run_at, tz),
            s.last_run_orders,
            ", ".join(f"{op} {n}" for op, n in sorted(s.last_run_calls.items())) or "none",
            s.minimum_calls,
        )
        for s in ran
    )
    return Figure(
        "api-calls",
        title,
        svg,
        note="Minimum: the fewest order-listing calls the channel's page size allows for the orders that run "
        "read (one window). Calls include every operation, retries too.",
        legend=tuple(s.name for s in series),
        table=Table(("shop", "last run", "orders read", "calls per operation", "minimum"), rows),
    )


def _maybe(value: int | None) -> float | None:
    return None if value is None else float(value)


def stock(data: ReportData, tz: tzinfo) -> Figure:
    title = "Sellable vs shown per channel"
    if not data.stock:
        return Figure("stock", title, empty="No data yet: no listing is registered.")
    series = [
        Series("sellable now (crossdock)", tuple(float(c.sellable) for c in data.stock)),
        Series("shown (last accepted by the channel)", tuple(float(c.shown) for c in data.stock)),
    ]
    svg = bar_chart(
        chart_id="stock",
        title=title,
        rows=[c.channel for c in data.stock],
        series=series,
        value_axis="units, summed over the channel's listings",
        row_axis="channel",
    )
    rows = tuple(
        (c.channel, c.listings, c.sellable, c.shown, c.agreeing, c.never_accepted, c.waiting, c.needs_review)
        for c in data.stock
    )
    headers = (
        "channel",
        "listings",
        "sellable",
        "shown",
        "agreeing",
        "never accepted",
        "waiting",
        "needs review",
    )
    return Figure("stock", title, svg, legend=tuple(s.name for s in series), table=Table(headers, rows))


def tracking_statuses(data: ReportData, tz: tzinfo) -> Figure:
    title = "Parcels by tracking status"
    if not data.tracking_statuses:
        return Figure("tracking-statuses", title, empty="No data yet: no parcel is tracked.")
    order = {str(status): STAGE[status] for status in TrackingStatus}
    statuses = sorted(data.tracking_statuses, key=lambda s: (order.get(s, 99), s))
    counts = tuple(float(data.tracking_statuses[s]) for s in statuses)
    svg = bar_chart(
        chart_id="tracking-statuses",
        title=title,
        rows=[s.replace("_", " ") for s in statuses],
        series=[Series("parcels", counts)],
        value_axis="parcels",
        row_axis="status now",
    )
    waiting = ", ".join(f"{kind} {n}" for kind, n in data.tracking_attention.items()) or "none"
    rows = tuple((s, data.tracking_statuses[s]) for s in statuses)
    return Figure(
        "tracking-statuses",
        title,
        svg,
        extra=(f"Waiting for a person: {waiting}.",),
        table=Table(("status", "parcels"), rows),
    )


def source_health(data: ReportData, tz: tzinfo) -> Figure:
    title = "Tracking source health"
    if not any(s.answers or s.calls for s in data.sources):
        return Figure(
            "source-health", title, empty="No data yet: no tracking source answered in this period."
        )
    sources = list(data.sources)
    labels = [s.source + (" (demoted)" if s.demoted_since else "") for s in sources]
    series = [
        Series("good answers", tuple(float(s.good) for s in sources)),
        Series("silent answers", tuple(float(s.silent) for s in sources)),
        Series("failed calls", tuple(float(s.failed_calls) for s in sources)),
    ]
    svg = bar_chart(
        chart_id="source-health",
        title=title,
        rows=labels,
        series=series,
        value_axis="answers and calls in this period",
        row_axis="source",
    )
    rows = tuple(
        (
            s.source,
            s.answers,
            s.good,
            s.silent,
            f"{s.silent / s.answers:.0%}" if s.answers else "—",
            s.calls,
            s.failed_calls,
            when(s.demoted_since, tz) if s.demoted_since else "no",
        )
        for s in sources
    )
    headers = ("source", "answers", "good", "silent", "silent rate", "calls", "failed calls", "demoted since")
    return Figure(
        "source-health",
        title,
        svg,
        note="A silent answer is a 200 OK without the news the source should have: counted as a failure.",
        legend=tuple(s.name for s in series),
        table=Table(headers, rows),
    )


def supplier_ages(data: ReportData, tz: tzinfo) -> Figure:
    title = "Supplier data age at each product's last check"
    checked = [s for s in data.suppliers if s.age_seconds is not None]
    if not checked:
        return Figure("supplier-ages", title, empty="No data yet: no product's suppliers were checked.")
    svg = bar_chart(
        chart_id="supplier-ages",
        title=title,
        rows=[("blocked: " if s.status == "blocked" else "") + f"{s.sku} · {s.offer}" for s in checked],
        series=[Series("data age", tuple((s.age_seconds or 0) / 60 for s in checked))],
        limits=[s.limit_seconds / 60 for s in checked],
        limit_name="freshness limit",
        value_axis="minutes since the supplier's data was updated",
        row_axis="product · supplier offer",
    )
    rows = tuple(
        (s.sku, s.status, s.offer, duration(s.age_seconds), duration(s.limit_seconds), when(s.decided_at, tz))
        for s in data.suppliers
    )
    return Figure(
        "supplier-ages",
        title,
        svg,
        note="The mark on each row is the product's freshness limit: older data is refused.",
        legend=("data age",),
        limit_legend="freshness limit",
        table=Table(("product", "reorder", "offer", "data age", "limit", "checked"), rows),
    )


CHARTS = (orders_per_hour, checkpoint_lag, api_calls, stock, tracking_statuses, source_health, supplier_ages)
