"""`crossdock local`'s tracking story end to end, small: two shops' shipped orders register parcels,
an imported file adds more, local 4PX, Yanwen and 17TRACK APIs answer; then 4PX answers "200 OK"
with empty data, one parcel becomes unknown everywhere and one has stalled for four days. What the
operators and customer service would see afterwards (e-mails, status lines) is asserted here. A
second small run over the shops whose zone is not their channel's home zone (Amazon JP, eBay DE, a
Shopify UK store) shows each buyer's line in the shop's own zone."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from crossdock.tracking.rules.policy import FOLLOW_UP_LINE
from crossdock.tracking.storage.shipments import ShipmentRepository
from crossdock_local.demo import run_demo
from crossdock_local.demos.orders.shops import CATALOGUE
from crossdock_local.demos.tracking.report import TrackingOutcome
from crossdock_local.report import DemoResult


@dataclass
class Run:
    result: DemoResult
    tracking: TrackingOutcome
    output: str


@pytest.fixture(scope="module")
def run(small_demo: tuple[DemoResult, str]) -> Iterator[Run]:
    result, output = small_demo
    assert result.tracking is not None
    yield Run(result, result.tracking, output)


# The zone each demo shop's buyers read (as the line names it): Taobao's China time; Amazon's and
# eBay's by the shop's marketplace (US: Pacific, JP: Japan, DE: Central European); the Shopify
# store's own zone (its `time_zone` option); a parcel imported without its order keeps UTC.
SHOP_ZONES = {
    "taobao-cn": "CST",
    "amazon-us": "P[SD]T",
    "amazon-jp": "JST",
    "shopify-uk": "(GMT|BST)",
    "ebay-de": "CES?T",
    "(imported)": "UTC",
}


TIMED_LINE = re.compile(r".+ — .+ \((\d{2} \w{3} \d{2}:\d{2}) ([A-Z]{3,4}|[+-]\d{2,4})\)\.")


def zones_read(lines: list[tuple[str, str]]) -> dict[str, set[str]]:
    """Per shop (or "(imported)"), the zone names its buyers' lines give a scan time in."""
    found: dict[str, set[str]] = {}
    for shop, line in lines:
        timed = TIMED_LINE.fullmatch(line)
        if timed:
            found.setdefault(shop, set()).add(timed.group(2))
    return found


@pytest.fixture(scope="module")
def far_shops(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    """(shop, buyer's line) of every parcel a small run over the Amazon JP, eBay DE and Shopify UK
    shops registered: read from the stack before it stops."""
    plans = tuple(p for p in CATALOGUE if p.shop_id in ("amazon-jp", "ebay-de", "shopify-uk"))
    lines: list[tuple[str, str]] = []

    def read_parcels(_playground: object, _result: DemoResult) -> None:
        lines.extend((item.shop_id or "(imported)", item.status_line) for item in ShipmentRepository().all())

    outbox: Path = tmp_path_factory.mktemp("far-outbox")
    run_demo(
        cycles=3,
        seed=5,
        outbox=outbox,
        orders=30,
        changes_per_cycle=20,
        plans=plans,
        out=io.StringIO(),
        keep=read_parcels,
    )
    return lines


def emails(run: Run, key: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in run.result.alerts if f"-{key}_" in p.name]


def test_parcels_come_from_the_shipped_orders_and_the_imported_file(run: Run) -> None:
    # Given / When: the demo ran its order cycles, then imported its shipment file
    first = run.tracking.rounds[0]

    # Then: both kinds were registered and every one of them was checked in the first round
    assert run.tracking.from_orders > 0
    assert run.tracking.imported == 10
    assert first.planned == first.refreshed == run.tracking.from_orders + run.tracking.imported
    assert {"4px", "yanwen", "17track"} <= set(first.answered_by)


def test_a_4px_outage_answering_200_with_empty_data_fails_over_to_17track(run: Run) -> None:
    # Given: 4PX answered every number with a success envelope and no scans in round 2
    outage = run.tracking.rounds[1]

    # Then: every travelling 4PX parcel was answered by 17TRACK, and its buyer reads a real scan
    assert run.tracking.outage_parcels >= 5
    assert run.tracking.failed_over == run.tracking.outage_parcels
    assert run.tracking.real_scans == run.tracking.outage_parcels
    assert "4px" not in outage.answered_by
    shown = [row for row in run.tracking.rows if row.carrier == "4px" and row.source == "17track"]
    assert shown
    for row in shown:
        zone = SHOP_ZONES[row.order.split(" ", 1)[0]]
        assert re.fullmatch(
            rf"(In transit|Out for delivery|Delivered) — .+ \(\d{{2}} \w{{3}} \d{{2}}:\d{{2}} {zone}\)\.",
            row.line,
        )


def test_4px_is_demoted_behind_17track_with_one_alert(run: Run) -> None:
    # Given / When: most of 4PX's answers in the last hour were empty
    [alert] = emails(run, "tracking-source-demoted")
    assert emails(run, "tracking-source-failing") == []  # 17TRACK answered: it is not failing

    # Then: one e-mail, over at least 20 answers and above the 30 % threshold
    assert "Subject: [crossdock] 4PX tracking demoted behind 17TRACK" in alert
    share = re.search(r"(\d+)% of (\d+) answers in the last hour were silent failures", alert)
    assert share is not None
    assert int(share.group(1)) > 30 and int(share.group(2)) >= 20
    assert "Parcels are now asked of 17TRACK first" in alert


def test_the_parcel_no_source_knows_is_followed_up_by_staff_and_named_in_one_digest(run: Run) -> None:
    # Given: Yanwen and 17TRACK both answered "not found" for one Yanwen parcel
    number = run.tracking.follow_up
    assert number

    # Then: its buyer is told staff are following up, and exactly one digest names it with both
    # sources — the only follow-up digest of the story, sent by the planner's next run
    assert run.tracking.follow_up_line.startswith(FOLLOW_UP_LINE + " Last known: In transit")
    [digest] = emails(run, "tracking-no-source")
    assert number in digest
    assert "Subject: [crossdock] 1 parcel(s): no tracking source answered" in digest
    assert re.search(rf"YANWEN {number} \(order .+\): last scan .+; yanwen: not_found; 17track: \w+", digest)
    assert run.tracking.rounds[1].followed_up == 1
    assert "tracking planner's next run: 1 parcel(s) in one follow-up digest" in run.output
    assert emails(run, "tracking-escalation") == []


def test_the_parcel_without_a_scan_for_four_days_arrives_in_the_planners_stall_digest(run: Run) -> None:
    # Given: an imported China Post parcel whose last scan was four days before the import
    number = run.tracking.stalled

    # Then: one stall digest names it, and its buyer is told staff are following up
    [digest] = emails(run, "tracking-stalled")
    assert re.search(rf"no order on file, CHINA-POST {number}, last event: .+, stalled 4\.\d days", digest)
    assert run.tracking.stalled_line.startswith("No carrier update for 4 days; our staff are following up")


def test_no_tracking_task_failed_or_was_dead_lettered(run: Run) -> None:
    # Given
    figures = run.result.functions

    # Then
    assert not any(run.result.dead_letters.values())
    for name in ("shipments-registrar", "tracking-planner", "tracking-worker"):
        assert figures[name].invocations > 0 and figures[name].errors == 0, name
        assert figures[name].records_failed == 0, name
    assert run.tracking.errors == []


def test_output_shows_the_rounds_and_what_customer_service_reads(run: Run) -> None:
    # Then
    assert "⚡ 4PX: the tracking API answers 200 OK with empty data for every number" in run.output
    assert "== Tracking (parcels of the shipped orders and the imported file) ==" in run.output
    assert "WHAT THE BUYER IS TOLD" in run.output
    for row in run.tracking.rows:
        assert row.number in run.output and row.line in run.output
    assert "tracking: every incident handled" in run.output


def test_every_buyer_line_gives_the_scan_time_in_its_shops_zone(
    run: Run, far_shops: list[tuple[str, str]]
) -> None:
    # Given / When: both runs registered and refreshed their shops' parcels
    shown = [(row.order.split(" ", 1)[0], row.line) for row in run.tracking.rows]
    read = zones_read([*shown, *far_shops])
    # Then the Japanese, German and British shops' buyers read their own zones (not Pacific or UTC),
    # and every line with a scan time names its shop's zone
    assert {"amazon-jp", "ebay-de", "shopify-uk", "taobao-cn", "amazon-us"} <= set(read)
    for shop, names in read.items():
        assert all(re.fullmatch(SHOP_ZONES[shop], name) for name in names), (shop, names)
