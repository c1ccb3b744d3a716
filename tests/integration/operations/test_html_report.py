"""The HTML report from real stores on the local stack, opened in a real headless browser: Debian's
chromium driven by playwright (never a downloaded browser). Every chart drawn with its marks, no console
or page error, no request but the file itself, no external address in the source.

chromium missing is a failure, not a skip: `.ci/run` installs Debian's package, so CI always runs this.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from crossdock.orders.compose import order_puller
from crossdock.orders.usecases.tasks import ShopTask
from crossdock.shops.storage.tables import ShopModel
from crossdock.shops.usecases.admin import register_shop
from crossdock.stock.compose import own_stock, stock_admin
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.usecases.file import parse_stock_file
from crossdock.stock.usecases.push import StockPusher
from crossdock.suppliers.rules.offers import OfferRef, SupplierOffer
from crossdock.suppliers.rules.sourcing import Decision, SourcingEntry, SupplierLink, judge_offer
from crossdock.suppliers.storage.sourcing import SourcingRepository
from crossdock.tracking.rules.parcel import Parcel
from crossdock.tracking.rules.status import TrackingStatus
from crossdock.tracking.storage.shipments import ShipmentRepository
from crossdock.tracking.storage.source_health import HealthWindow, SourceHealthRepository
from crossdock_cli import report_commands
from crossdock_local.aws.stack import LocalStack
from crossdock_local.report import html_report

from tests.support.fake_channel import FakeChannel, FakeSources, ManualClock
from tests.support.stock_fakes import Alerts, FakeWriter, Writers

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
TAOBAO_CREDENTIALS = {"app_key": "12345678", "app_secret": "s3cr3t", "session": "6100abc"}
MAIN_SHOP_NAME = "<i>淘宝旗舰店</i> & 🎉"
ORDERS = {"tb-main": 9, "tb-outlet": 4}


class CountedSources(FakeSources):
    """Each page the fake channel hands out counts as one listing call in the run's figures."""

    def open(self, shop: object, **kwargs: Any) -> Any:
        channel, http = super().open(shop, **kwargs)
        channel.between_pages = lambda page: http.stats.calls.update(["orders"])
        return channel, http


@dataclass
class Stores:
    stack: LocalStack
    now: datetime


@pytest.fixture(scope="module")
def stores() -> Iterator[Stores]:
    with LocalStack(rate_scale=200) as stack:
        now = datetime.now(UTC)
        settings = stack.settings
        _shops_and_orders(settings, now)
        _stock(settings, now)
        _parcels_and_sources(now)
        _suppliers(now)
        yield Stores(stack, now)


def _shops_and_orders(settings: Any, now: datetime) -> None:
    names = {"tb-main": MAIN_SHOP_NAME, "tb-outlet": "Outlet"}
    for shop_id, count in ORDERS.items():
        register_shop(
            settings,
            shop_id=shop_id,
            channel_name="taobao",
            credentials=TAOBAO_CREDENTIALS,
            display_name=names[shop_id],
            now=now,
        )
        ShopModel.get(shop_id).update(actions=[ShopModel.checkpoint.set(now - timedelta(hours=22))])
        channel = FakeChannel(shop_id=shop_id, page_size=4)
        for index in range(count):
            channel.put(f"{shop_id}-{index}", now - timedelta(hours=20 - 2 * index, minutes=7))
        puller = order_puller(settings, clock=ManualClock(now), sources=CountedSources(channel))
        assert puller.pull(ShopTask(shop_id=shop_id)).new == count


def _stock(settings: Any, now: datetime) -> None:
    own_stock(settings).import_rows(
        parse_stock_file("sku,warehouse,on_hand\nSKU-1,own:sz,40\nSKU-2,own:sz,10\n")
    )
    admin = stock_admin(settings)
    admin.add_listing(sku="SKU-1", shop_id="tb-main", ref={"num_iid": "1001"})
    admin.add_listing(sku="SKU-2", shop_id="tb-main", ref={"num_iid": "1002"})
    pusher = StockPusher(StockRepository(settings), Writers(FakeWriter()), Alerts(), clock=lambda: now)
    pusher.push(["SKU-1", "SKU-2"], trigger="test")
    # A count after the push: SKU-2's listing now shows more than is sellable until its flush
    own_stock(settings).import_rows(parse_stock_file("sku,warehouse,on_hand\nSKU-2,own:sz,4\n"))


def _parcels_and_sources(now: datetime) -> None:
    shipments = ShipmentRepository()
    for number, status in enumerate(
        [TrackingStatus.IN_TRANSIT] * 3 + [TrackingStatus.DELIVERED, TrackingStatus.PENDING]
    ):
        parcel = Parcel(
            f"LP{number:08d}", "4px", now - timedelta(days=2), now - timedelta(days=2), status=status
        )
        assert shipments.register(parcel)
    health = SourceHealthRepository()
    health.record("4px", now - timedelta(minutes=30), HealthWindow(answers=20, good=17, silent=3, calls=4))
    health.record(
        "yanwen",
        now - timedelta(minutes=10),
        HealthWindow(answers=8, good=2, silent=6, calls=2, failed_calls=1),
    )
    health.set_demoted("yanwen", now - timedelta(minutes=5))


def _suppliers(now: datetime) -> None:
    catalog = SourcingRepository()
    limit = timedelta(hours=1)
    for sku, minutes_old in (("SKU-1", 20), ("SKU-2", 95)):
        link = SupplierLink(supplier_id="s1", platform="1688", product_id=f"p-{sku}", sku_id=None, priority=1)
        catalog.save_entry(
            SourcingEntry.create(sku=sku, suppliers=[link], limit_minutes=60), reorder_qty=5, now=now
        )
        updated = int((now - timedelta(minutes=minutes_old)).timestamp() * 1000)
        offer = SupplierOffer(
            OfferRef("s1", f"p-{sku}"), stock=50, price=None, updated_raw=updated, status="published"
        )
        rejected = judge_offer(offer, need=5, now=now, limit=limit)
        decision = Decision.of(
            sku,
            now=now,
            need=5,
            chosen=None if rejected else offer,
            rejected=[rejected] if rejected else [],
            platform="1688",
        )
        catalog.record(decision, ttl=timedelta(days=30))


def run_report(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="crossdock")
    report_commands.register(parser.add_subparsers())
    args = parser.parse_args(["report", *argv])
    result: int = args.run(args)
    return result


@pytest.fixture(scope="module")
def report_file(stores: Stores, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "crossdock-report.html"
    assert run_report("--out", str(path), "--tz", "Asia/Shanghai") == 0
    return path


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.fail(
            "chromium is not installed: `.ci/run` installs Debian's package"
            " (apt-get install -y chromium); install it the same way to run this test"
        )
    return found


def test_every_chart_is_drawn_in_a_real_browser_without_errors_or_requests(
    report_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    url = report_file.as_uri()
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.route("**/*", lambda route: _only_the_file(route, url, requests))
            # When the report is opened
            page.goto(url, wait_until="load")
            drawn = {chart_id: _drawn(page, chart_id) for chart_id in CHART_IDS}
            page.emulate_media(color_scheme="dark")
            dark = {chart_id: _drawn(page, chart_id)["fill"] for chart_id in CHART_IDS}
            tiles = page.locator(".tiles").inner_text()
            italic = page.locator("i").count()
            shop_label = page.locator("#chart-checkpoint-lag text.row-label title").first.text_content()
        finally:
            browser.close()
    # Then every chart's SVG has a size and visible marks, coloured by the page's theme (light and dark)
    for chart_id, figures in drawn.items():
        assert figures["width"] > 0 and figures["height"] > 0, chart_id
        assert figures["visible_marks"] > 0, (chart_id, figures)
        assert figures["fill"] not in ("none", "rgb(0, 0, 0)"), (chart_id, figures)
        assert dark[chart_id] != figures["fill"], chart_id
    # and nothing went wrong, nothing was fetched but the file, the shop's name is text, not markup
    assert errors == []
    assert requests == [url]
    assert italic == 0 and shop_label == f"{MAIN_SHOP_NAME} (tb-main)"
    # and the summary counts what the stores hold
    assert "13" in tiles and "1 / 2" in tiles and "5" in tiles


def _only_the_file(route: Any, url: str, requests: list[str]) -> None:
    requests.append(route.request.url)
    if route.request.url == url:
        route.continue_()
    else:
        route.abort()


DRAWN_JS = """
(id) => {
  const figure = document.getElementById('chart-' + id);
  const svg = figure && figure.querySelector('svg.chart-svg');
  if (!svg) return {width: 0, height: 0, visible_marks: 0, fill: 'none'};
  const box = svg.getBoundingClientRect();
  const marks = Array.from(svg.querySelectorAll('.mark'));
  const visible = marks.filter(m => { const b = m.getBBox(); return b.width > 0 || b.height > 0; });
  const filled = marks.find(m => m.tagName !== 'polyline');
  return {width: box.width, height: box.height, visible_marks: visible.length,
          fill: getComputedStyle(filled).fill};
}
"""


def _drawn(page: Any, chart_id: str) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(DRAWN_JS, chart_id)
    return result


def test_the_file_names_no_external_address(report_file: Path) -> None:
    source = report_file.read_text(encoding="utf-8")
    assert EXTERNAL.search(source) is None
    assert all(f'id="chart-{chart_id}"' in source for chart_id in CHART_IDS)
    assert 'class="chart no-data"' not in source  # every chart had figures from the stores


def test_the_figures_come_from_the_stores(report_file: Path) -> None:
    source = report_file.read_text(encoding="utf-8")
    # orders per shop, the lag since the checkpoint, listing calls against the taobao minimum
    assert "<td>Outlet (tb-outlet)</td><td>4</td>" in source
    assert "&lt;i&gt;淘宝旗舰店&lt;/i&gt; &amp; 🎉 (tb-main) · calls made: 3</title>" in source
    assert "(tb-main) · minimum for its orders: 1</title>" in source
    # sellable vs shown: SKU-2's count fell after its push (38 + 9 shown, 38 + 3 sellable)
    assert "taobao · sellable now (crossdock): 41</title>" in source
    assert "taobao · shown (last accepted by the channel): 47</title>" in source
    # parcels, source health (yanwen demoted), supplier ages against the 60-minute limit
    assert "in transit · parcels: 3</title>" in source and "yanwen (demoted)" in source
    assert "blocked: SKU-2 · s1 offer p-SKU-2 · data age: 95</title>" in source
    assert "SKU-1 · s1 offer p-SKU-1 · freshness limit: 60</title>" in source
    # times in the operator's zone
    assert "+08:00 · times in Asia/Shanghai" in source


def test_json_names_the_file_and_a_future_since_is_refused(
    stores: Stores, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # When run for scripts over the last 6 hours
    path = tmp_path / "r.html"
    assert run_report("--since", "6h", "--out", str(path), "--json", "--tz", "UTC") == 0
    # Then stdout is one JSON document naming the file
    document = json.loads(capsys.readouterr().out)
    assert document["path"] == str(path.resolve()) and path.exists() and document["zone"] == "UTC"
    # and a start in the future is a usage error
    with pytest.raises(report_commands.arguments.UsageError):
        run_report("--since", "2999-01-01T00:00:00Z", "--out", str(path))


def test_the_demo_writes_the_same_report_into_its_outbox(stores: Stores, tmp_path: Path) -> None:
    written = html_report(tmp_path / "outbox" / "report.html")
    assert written == (tmp_path / "outbox" / "report.html").resolve()
    assert all(f'id="chart-{chart_id}"' in written.read_text(encoding="utf-8") for chart_id in CHART_IDS)
