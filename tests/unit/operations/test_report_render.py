"""The HTML report's rendering, a pure function of the gathered figures: every chart drawn with its
marks and text fallback, data escaped (markup, CJK, emoji), "no data yet" panels for empty stores,
times and hours in the operator's zone, nothing to fetch from anywhere."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from crossdock.operations.report.charts import CHARTS
from crossdock.operations.report.gather import slot_start, supplier_age
from crossdock.operations.report.model import (
    ChannelStock,
    OrderSlot,
    ReportData,
    ShopFigures,
    SourceFigures,
    SupplierAge,
)
from crossdock.operations.report.page import render
from crossdock.operations.report.svg import clip, ticks

NOW = datetime(2026, 12, 3, 14, 50, tzinfo=UTC)
SINCE = NOW - timedelta(hours=24)
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHART_IDS = (
    "orders-per-hour",
    "checkpoint-lag",
    "api-calls",
    "stock",
    "tracking-statuses",
    "source-health",
    "supplier-ages",
)
EXTERNAL = re.compile(r"https?:|//|\bsrc\s*=|@import|url\(", re.IGNORECASE)
HOSTILE = '<script>alert("x")</script> 淘宝旗舰店 & 🎉'


def full_data(**changes: object) -> ReportData:
    shops = (
        ShopFigures(
            "tb-main",
            HOSTILE,
            "taobao",
            "ok",
            checkpoint=NOW - timedelta(minutes=7),
            lag_seconds=420,
            last_run_at=NOW - timedelta(minutes=2),
            last_run_orders=130,
            last_run_calls={"orders": 3, "token": 1},
            minimum_calls=2,
        ),
        ShopFigures("ebay-de", "", "ebay", "new"),
    )
    data = ReportData(
        generated_at=NOW,
        since=SINCE,
        shops=shops,
        order_slots=(
            OrderSlot("tb-main", datetime(2026, 12, 3, 15, 45, tzinfo=UTC) - timedelta(days=1), 2),
            OrderSlot("tb-main", datetime(2026, 12, 3, 3, 0, tzinfo=UTC), 5),
        ),
        stock=(ChannelStock("taobao", listings=4, sellable=40, shown=38, agreeing=3, waiting=1),),
        tracking_statuses={"delivered": 12, "in_transit": 30, "pending": 4},
        tracking_attention={"follow-up": 2},
        sources=(SourceFigures("17track", answers=100, good=90, silent=10, calls=12, failed_calls=1),),
        suppliers=(
            SupplierAge("SKU-1", "ok", "s1 offer 123", 1500, 3600, NOW),
            SupplierAge("耳机-2", "blocked", "s2 offer 9", 5400, 3600, NOW),
        ),
    )
    return ReportData(**{**data.__dict__, **changes})  # type: ignore[arg-type]


def figures_of(page: str) -> dict[str, str]:
    """Each chart's <figure> element, by chart id."""
    found = re.findall(r'<figure class="chart[^"]*" id="chart-([a-z-]+)".*?</figure>', page, re.S)
    chunks = re.findall(r'(<figure class="chart[^"]*" id="chart-[a-z-]+".*?</figure>)', page, re.S)
    return dict(zip(found, chunks, strict=True))


def test_every_chart_is_drawn_with_marks_title_axes_and_a_text_fallback() -> None:
    # When a report with figures for every chart is rendered
    page = render(full_data(), SHANGHAI)
    # Then each chart is there, in order, with an SVG, its marks, axis titles and a figures table
    figures = figures_of(page)
    assert tuple(figures) == CHART_IDS == tuple(chart.__name__.replace("_", "-") for chart in CHARTS)
    for chart_id, figure in figures.items():
        assert "no-data" not in figure, chart_id
        assert figure.count("<svg ") == 1 and "<title" in figure, chart_id
        assert re.search(r'class="mark (bar|line|point)', figure), chart_id
        assert 'class="axis-title x-axis"' in figure and 'class="axis-title y-axis"' in figure, chart_id
        assert '<details class="figures">' in figure and "<table>" in figure, chart_id
    assert figures["orders-per-hour"].count('class="mark line') == 1  # one shop had orders
    assert figures["supplier-ages"].count('class="limit"') == 2  # each product's freshness limit
    assert '<ul class="legend">' in figures["api-calls"] and "minimum for its orders" in figures["api-calls"]


def test_shop_names_are_escaped_and_keep_their_cjk_and_emoji() -> None:
    # When a shop's display name holds markup, CJK and an emoji
    page = render(full_data(), SHANGHAI)
    # Then no markup from the data reaches the page, and the text itself is intact
    assert "<script" not in page and 'alert("x")' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 淘宝旗舰店 &amp; 🎉 (tb-main)" in page
    assert "耳机-2 · s2 offer 9" in page


def test_empty_stores_give_a_no_data_panel_for_every_chart() -> None:
    # When nothing is stored yet
    page = render(ReportData(generated_at=NOW, since=SINCE), UTC)
    # Then every chart says so instead of drawing an empty or broken picture
    figures = figures_of(page)
    assert tuple(figures) == CHART_IDS
    for chart_id, figure in figures.items():
        assert 'class="chart no-data"' in figure and "No data yet" in figure, chart_id
        assert "<svg" not in figure and "mark" not in figure, chart_id


def test_a_shop_that_never_ran_gives_no_data_only_where_it_has_none() -> None:
    # Given shops registered but never pulled (no checkpoint, no run), and no other figures
    data = ReportData(generated_at=NOW, since=SINCE, shops=(ShopFigures("ebay-de", "", "ebay", "new"),))
    # When rendered
    figures = figures_of(render(data, UTC))
    # Then the lag and API charts say there is nothing yet; the summary still counts the shop
    assert "No data yet: no shop has pulled" in figures["checkpoint-lag"]
    assert "No data yet: no shop has run a pull" in figures["api-calls"]


def test_times_and_hours_are_in_the_operators_zone() -> None:
    # When rendered for an operator in Shanghai (UTC+8)
    page = render(full_data(), SHANGHAI)
    orders = figures_of(page)["orders-per-hour"]
    # Then the period is shown in +08:00, and orders fall in local hours: 15:45 UTC is 23:45 in Shanghai
    assert "From 2026-12-02 22:50 +08:00 to 2026-12-03 22:50 +08:00 · times in Asia/Shanghai" in page
    assert "· 12-02 22:00: 0</title>" in orders and "· 23:00: 2</title>" in orders
    assert "· 11:00: 5</title>" in orders  # 03:00 UTC
    assert "hour (Asia/Shanghai)" in orders


def test_a_half_hour_zone_counts_quarter_hour_slots_into_its_own_hours() -> None:
    # Given orders at 10:15 and 10:30 UTC: 15:45 and 16:00 in India (UTC+05:30)
    slots = (
        OrderSlot("tb-main", datetime(2026, 12, 3, 10, 15, tzinfo=UTC), 1),
        OrderSlot("tb-main", datetime(2026, 12, 3, 10, 30, tzinfo=UTC), 4),
    )
    # When rendered in Asia/Kolkata
    orders = figures_of(render(full_data(order_slots=slots), ZoneInfo("Asia/Kolkata")))["orders-per-hour"]
    # Then each lands in its own local hour
    assert "· 15:00: 1</title>" in orders and "· 16:00: 4</title>" in orders


def test_the_page_fetches_nothing() -> None:
    # When rendered with every chart
    page = render(full_data(), SHANGHAI)
    # Then it names no address, loads no script, image, font or stylesheet
    assert EXTERNAL.search(page) is None
    assert "<script" not in page and "<img" not in page and "<link" not in page


def test_api_calls_without_a_known_minimum_draw_the_calls_alone() -> None:
    # Given a shop whose channel's minimum is unknown
    shop = ShopFigures("x", "", "walmart", "ok", last_run_at=NOW, last_run_calls={"orders": 4})
    # When rendered
    figure = figures_of(render(full_data(shops=(shop,)), UTC))["api-calls"]
    # Then one series, no legend entry for a minimum
    assert figure.count('class="mark bar s0"') == 1 and "mark bar s1" not in figure
    assert "minimum for its orders" not in figure


@pytest.mark.parametrize(
    ("maximum", "expected"),
    [
        (0, [0.0, 1.0]),
        (7, [0.0, 2.0, 4.0, 6.0, 8.0]),
        (120, [0.0, 50.0, 100.0, 150.0]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (0.3, [0, 0.1, 0.2, 0.3]),
    ],
)
def test_ticks_are_round_and_cover_the_largest_value(maximum: float, expected: list[float]) -> None:
    assert ticks(maximum) == pytest.approx(expected)


def test_labels_are_cut_by_display_width() -> None:
    assert clip("淘宝" * 20, 10) == "淘宝淘宝…" and clip("short", 10) == "short"


def test_slots_are_utc_quarter_hours() -> None:
    moment = datetime(2026, 12, 3, 23, 44, 59, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert slot_start(moment) == datetime(2026, 12, 3, 15, 30, tzinfo=UTC)


def test_a_blocked_products_age_is_its_youngest_rejected_offers() -> None:
    # Given a product blocked at its last check: two offers rejected, one without an update time
    item = SimpleNamespace(
        sku="SKU-9",
        reorder_status="blocked",
        limit_minutes=60,
        last_decision={
            "decided_at": "2026-12-03T14:00:00.000Z",
            "chosen": None,
            "rejected": [
                {"supplier_id": "a", "product_id": "1", "age_seconds": 7200.0},
                {"supplier_id": "b", "product_id": "2", "age_seconds": None},
                {"supplier_id": "c", "product_id": "3", "age_seconds": 4000.0},
            ],
        },
    )
    # When read for the report
    age = supplier_age(item)
    # Then its age is the youngest data it was offered, against its limit
    assert age == SupplierAge(
        "SKU-9", "blocked", "c offer 3", 4000.0, 3600.0, datetime(2026, 12, 3, 14, tzinfo=UTC)
    )
