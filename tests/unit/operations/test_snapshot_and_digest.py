"""The snapshot over the stores and the daily digest built from it (fakes: no AWS)."""

from __future__ import annotations

from datetime import timedelta

from crossdock.core.alerts.report import Report
from crossdock.operations.usecases.digest import MAX_LINES, DailyDigest, digest_report
from crossdock.operations.usecases.snapshot import OperationsSnapshot
from crossdock.operations.views import (
    AlertLine,
    ListingIssue,
    ParcelIssue,
    QueueDepth,
    StockAgreement,
    TrackingIncidents,
)

from tests.unit.operations.fakes import NOW, Reports, Stores, shop


def test_the_snapshot_reads_every_section_over_its_window_and_judges_it() -> None:
    # Given stores with an auth-blocked shop
    stores = Stores(shop_lines=(shop("uk", state="auth_blocked"),))

    # When a snapshot of the last 6 hours is taken
    snapshot = OperationsSnapshot(stores, clock=lambda: NOW).take(window=timedelta(hours=6), alerts=3)

    # Then every windowed read got the same start, and the judgment is in
    since = NOW - timedelta(hours=6)
    assert (snapshot.taken_at, snapshot.since) == (NOW, since)
    assert stores.asked == [("shops", since), ("stock", since), ("alerts", (since, 3))]
    assert snapshot.health.level == "action needed"


def test_the_digest_carries_the_days_figures_in_one_report() -> None:
    # Given a day with orders, pushes, an over-offered listing, a stalled parcel, dead letters, alerts
    stores = Stores(
        shop_lines=(shop("uk", orders=7), shop("de", state="degraded", orders=2)),
        stock_agreement=StockAgreement(
            listings=3,
            agreeing=2,
            pushes=41,
            refusals=2,
            failures=1,
            read_back_drift=1,
            over_offered=(ListingIssue("MUG-1", "uk", "shopify", 9, 4),),
        ),
        incidents=TrackingIncidents(parcels=5, stalled=(ParcelIssue("4px#LP1", "uk", "in_transit", NOW),)),
        depths=(
            QueueDepth("OrderTasksQueue", "V", 3),
            QueueDepth("StockFlushQueue", "W", None, "W is not set"),
        ),
        alert_lines=(
            AlertLine(NOW - timedelta(hours=2), "alerts", "[crossdock] uk: pull failing", "k1"),
            AlertLine(NOW - timedelta(hours=3), "reports", "[crossdock] Purchase suggestions", "k2"),
        ),
    )
    reports = Reports()

    # When the digest is sent
    DailyDigest(OperationsSnapshot(stores, lambda: NOW), reports, lambda: NOW).send()

    # Then one report, keyed by the day, with every section's real figures
    [(report, sent_at)] = reports.sent
    assert isinstance(report, Report) and sent_at == NOW
    assert report.key == "operations-digest:2026-12-03"
    assert report.subject == "Operations digest 2026-12-03: action needed, 9 order(s), 1 alert(s)"
    body = report.render_body()
    assert [s.title.split(" ")[0] for s in report.sections] == [
        "Shops",
        "Stock",
        "Tracking",
        "Suppliers:",
        "Dead-letter",
        "Alerts",
    ]
    shops = {line.split()[0]: line.split() for line in report.sections[0].lines[1:]}
    assert shops["uk"][2] == "7" and shops["de"][2] == "2" and "degraded" in shops["de"]
    assert "pushes accepted 41, refused 2, failed (retried) 1" in body
    assert "over-offered MUG-1 on uk: shows 9, sellable 4" in body
    assert "stalled 4px#LP1 (uk) since 2026-12-03T01:00:00Z" in body
    assert "OrderTasksQueue: 3" in body and "StockFlushQueue: unknown (W is not set)" in body
    assert "1 alert(s), 1 report(s)" in body and "[crossdock] uk: pull failing" in body


def test_long_lists_are_cut_and_counted() -> None:
    # Given more stalled parcels than an e-mail lists
    stalled = tuple(ParcelIssue(f"4px#{n:03d}", "uk", "in_transit", NOW) for n in range(MAX_LINES + 5))
    snapshot = OperationsSnapshot(
        Stores(incidents=TrackingIncidents(parcels=30, stalled=stalled)), lambda: NOW
    ).take()

    # When the digest is built
    tracking = digest_report(snapshot).sections[2].lines

    # Then MAX_LINES are named and the rest counted
    assert sum(line.startswith("stalled ") for line in tracking) == MAX_LINES
    assert "… and 5 more" in tracking
