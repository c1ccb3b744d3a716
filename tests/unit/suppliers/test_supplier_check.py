"""Choosing a fresh supplier: stale primary re-read then passed over, short stock, quota, auth,
nobody fresh → blocked and alerted once, stuck caches flagged after 6 hours."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from crossdock.core.errors import AuthError
from crossdock.platforms.alibaba1688.wire import QuotaExhausted
from crossdock.suppliers.rules.offers import OfferRef, SupplierOffer
from crossdock.suppliers.rules.sourcing import SourcingEntry, SupplierLink
from crossdock.suppliers.storage.sourcing import SourcingRepository, SupplierStates
from crossdock.suppliers.usecases.check import SupplierChecker

from tests.support.aws import moto_resources
from tests.support.tracking_fakes import Alerts

NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)


class Reports:
    """The reports topic: every report published (reports are not deduplicated)."""

    def __init__(self) -> None:
        self.sent: list = []

    def publish_report(self, report, *, now):  # type: ignore[no-untyped-def]
        self.sent.append(report)


CST = timedelta(hours=8)


def stamp(minutes_ago: float) -> str:
    """1688's lastUpdateTime format, China time."""
    at = (NOW - timedelta(minutes=minutes_ago)).astimezone(UTC) + CST
    return at.strftime("%Y%m%d%H%M%S") + f"{at.microsecond // 1000:03d}+0800"


@dataclass
class FakePlatform:
    """product id → a list of answers (one per read; the last repeats): (stock, minutes ago | None) or an exception."""

    answers: dict[str, list[object]] = field(default_factory=dict)
    reads: Counter[str] = field(default_factory=Counter)

    def open(self, platform: str) -> FakePlatform:
        return self

    def read(self, ref: OfferRef) -> SupplierOffer:
        script = self.answers[ref.product_id]
        answer = script[min(self.reads[ref.product_id], len(script) - 1)]
        self.reads[ref.product_id] += 1
        if isinstance(answer, Exception):
            raise answer
        stock, minutes = answer  # type: ignore[misc]
        updated = None if minutes is None else stamp(minutes)
        return SupplierOffer(ref, stock, Decimal("23.50"), updated, "published")


class Clock:
    now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world():
    with moto_resources():
        platform, alerts, clock = FakePlatform(), Alerts(), Clock()
        catalog = SourcingRepository()
        checker = SupplierChecker(catalog, SupplierStates(), platform, alerts, clock)
        yield checker, catalog, platform, alerts, clock


def add(catalog: SourcingRepository, sku: str, *products: str, need: int = 50) -> None:
    links = [SupplierLink(f"shop-{p}", "1688", p, None, i) for i, p in enumerate(products)]
    catalog.save_entry(SourcingEntry.create(sku, links), reorder_qty=need, now=NOW)


def test_a_stale_primary_is_read_twice_then_an_alternate_is_chosen_and_recorded(world):
    # Given a primary whose data is 3 hours old and a fresh alternate
    checker, catalog, platform, alerts, _clock = world
    add(catalog, "BT-EAR-01", "601", "602")
    platform.answers = {"601": [(500, 180)], "602": [(120, 12)]}

    # When the product is checked
    report = checker.check(["BT-EAR-01"])

    # Then the primary was re-read once, the alternate chosen, the decision kept with the rejection
    decision = report.decisions[0]
    assert platform.reads == {"601": 2, "602": 1}
    assert report.chosen == {"BT-EAR-01": "shop-602"} and not report.blocked and alerts.sent == []
    assert decision.chosen_age == timedelta(minutes=12)
    assert [(r.supplier_id, r.reason) for r in decision.rejected] == [("shop-601", "stale")] * 2  # both reads
    assert catalog.item("BT-EAR-01").reorder_status == "ok"
    assert catalog.history("BT-EAR-01")[0]["rejected"][0]["reason"] == "stale"


def test_a_refreshed_cache_on_the_second_read_keeps_the_primary(world):
    # Given a primary whose first answer is stale and second fresh
    checker, catalog, platform, _alerts, _clock = world
    add(catalog, "BT-EAR-01", "601", "602")
    platform.answers = {"601": [(500, 180), (500, 1)], "602": [(120, 12)]}

    # When checked
    report = checker.check(["BT-EAR-01"])

    # Then the primary is chosen, the alternate never read
    assert report.chosen == {"BT-EAR-01": "shop-601"} and platform.reads["602"] == 0


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ({"601": [(30, 5)]}, "short_of_stock"),
        (
            {
                "601": [
                    QuotaExhausted(
                        "1688", "SLA bill has no usage left", code="gw.NoUsageLeftError", status=400
                    )
                ]
            },
            "quota",
        ),
        ({"601": [(500, None)]}, "missing"),
        ({"601": [(500, -30)]}, "future"),
    ],
    ids=["fresh-but-short", "quota-exhausted", "no-update-time", "update-time-in-the-future"],
)
def test_each_rejection_moves_on_to_the_next_supplier(world, answers, reason):
    # Given a primary answering one way, and a fresh alternate with stock
    checker, catalog, platform, _alerts, _clock = world
    add(catalog, "CASE-02", "601", "602")
    platform.answers = {**answers, "602": [(200, 3)]}

    # When checked
    decision = checker.check(["CASE-02"]).decisions[0]

    # Then the alternate is chosen and the primary's reason recorded (a freshness reason for both reads)
    assert decision.chosen is not None and decision.chosen.ref.product_id == "602"
    reads = 2 if reason in ("missing", "future") else 1
    assert [r.reason for r in decision.rejected] == [reason] * reads


def test_nobody_fresh_blocks_the_product_and_alerts_once_per_blocked_spell(world):
    # Given two products whose every supplier is stale
    checker, catalog, platform, alerts, clock = world
    add(catalog, "A-1", "701", "702")
    add(catalog, "B-2", "703")
    platform.answers = {"701": [(500, 300)], "702": [(500, 90)], "703": [(10, None)]}

    # When checked three times, 15 minutes apart
    first = checker.check(["A-1", "B-2"])
    for minutes in (15, 30):
        clock.now = NOW + timedelta(minutes=minutes)
        checker.check(["A-1", "B-2"])

    # Then both are blocked, one digest names both, and the later checks add no alert
    assert first.blocked == ["A-1", "B-2"]
    digests = [a for a in alerts.sent if a.dedupe_key.startswith("suppliers-blocked:")]
    assert len(digests) == 1 and len(digests[0].details) == 2
    assert catalog.item("A-1").reorder_status == "blocked"


def test_an_auth_failure_alerts_and_the_next_supplier_is_tried(world):
    # Given the platform refuses our signature for the primary's read
    checker, catalog, platform, alerts, _clock = world
    add(catalog, "C-3", "801", "802")
    platform.answers = {"801": [AuthError("1688", "gw.SignatureInvalid")], "802": [(60, 2)]}

    # When checked
    decision = checker.check(["C-3"]).decisions[0]

    # Then an auth alert went out and the alternate was chosen
    assert [a.dedupe_key for a in alerts.sent] == ["suppliers-auth:1688"]
    assert decision.chosen.ref.product_id == "802"


def test_a_supplier_stale_for_six_hours_in_a_row_is_flagged_a_stuck_cache_once(world):
    # Given a primary that stays stale, and a fresh alternate
    checker, catalog, platform, alerts, clock = world
    add(catalog, "D-4", "901", "902")
    platform.answers = {"901": [(500, 720)], "902": [(60, 2)]}

    # When checked every hour for 8 hours
    flagged = []
    for hour in range(9):
        clock.now = NOW + timedelta(hours=hour)
        platform.answers["901"] = [(500, 720 + 60 * hour)]  # never moves: still 12 h before the first check
        platform.answers["902"] = [(60, 2 - 60 * hour)]  # always 2 minutes old
        flagged.append(checker.check(["D-4"]).stuck)

    # Then it is flagged at the 6th hour, once
    assert [i for i, f in enumerate(flagged) if f] == [6]
    assert len([a for a in alerts.sent if a.dedupe_key.startswith("suppliers-stuck:")]) == 1


def test_suggestions_need_a_fresh_supplier_with_stock_for_the_suggested_quantity(world):
    # Given two products selling 3 a day with 4 in stock, lead time 7 days
    from crossdock.core.alerts.report import csv_rows_of
    from crossdock.suppliers.rules.replenishment import StockPosition
    from crossdock.suppliers.usecases.suggest import CSV_HEADER, Replenisher, suggestion_digest

    checker, catalog, platform, alerts, clock = world
    reports = Reports()
    add(catalog, "A-1", "901", "902")
    add(catalog, "B-2", "903")
    platform.answers = {"901": [(40, 5)], "902": [(500, 10)], "903": [(500, 400)]}
    replenisher = Replenisher(
        catalog,
        checker,
        sold=lambda now: {"A-1": 21, "B-2": 21},
        positions=lambda skus: {sku: StockPosition(sku, 4, 0, 0) for sku in skus},
        reports=reports,
        clock=clock,
    )

    # When the daily suggestions run
    report = replenisher.daily()

    # Then 3/day × 17 days − 4 = 47 each; A-1's primary (40 on sale) is passed for the alternate,
    # B-2 has no fresh supplier; one digest lists both lines
    lines = {line.suggestion.sku: line for line in report.lines}
    assert {sku: line.suggestion.quantity for sku, line in lines.items()} == {"A-1": 47, "B-2": 47}
    assert lines["A-1"].decision.chosen.ref.product_id == "902"
    assert lines["B-2"].decision.blocked and "do not reorder" in lines["B-2"].render()
    # to the reports topic, with a CSV block purchasing pastes into a sheet
    [digest] = reports.sent
    assert digest.key.startswith("suppliers-suggestions:") and digest == suggestion_digest(report, NOW)
    assert not [a for a in alerts.sent if a.dedupe_key.startswith("suppliers-suggestions:")]
    [details] = digest.sections
    assert len(details.lines) == 2
    header, *rows = csv_rows_of(digest.render_body())
    assert tuple(header) == CSV_HEADER
    a1 = lines["A-1"].decision.chosen
    assert rows == [
        [
            "A-1",
            "47",
            a1.ref.supplier_id,
            "902",
            f"{a1.price:.2f}",
            "CNY",
            str(int(lines["A-1"].age.total_seconds() // 60)),
        ],
        ["B-2", "47", "", "", "", "", ""],
    ]


def test_a_platform_without_credentials_alerts_and_blocks_instead_of_failing_the_batch(world):
    # Given a platform opener that finds no secret
    checker, catalog, _platform, alerts, _clock = world
    add(catalog, "E-5", "951")

    class NoSecret:
        def open(self, platform):
            raise ValueError("secret crossdock/suppliers/1688 lacks access_token for 1688")

    checker.suppliers = NoSecret()

    # When checked
    report = checker.check(["E-5"])

    # Then the product is blocked with an auth rejection and the credentials alert went out
    assert report.blocked == ["E-5"] and report.decisions[0].rejected[0].reason == "auth"
    assert "suppliers-auth:1688" in [a.dedupe_key for a in alerts.sent]


def test_changing_a_products_suppliers_resets_what_purchasing_sees(world):
    # Given a product blocked on its old supplier
    checker, catalog, platform, _alerts, _clock = world
    add(catalog, "F-6", "961")
    platform.answers = {"961": [(5, 500)]}
    checker.check(["F-6"])
    assert catalog.item("F-6").reorder_status == "blocked"

    # When its suppliers are replaced
    add(catalog, "F-6", "962")

    # Then it waits for the next check instead of showing the old decision
    item = catalog.item("F-6")
    assert item.reorder_status == "unchecked" and item.last_decision == {} and item.blocked_since is None


def quota_out(app_key: str = "1234567") -> QuotaExhausted:
    error = QuotaExhausted("1688", "SLA bill has no usage left", code="gw.NoUsageLeftError", status=400)
    error.app_key = app_key
    return error


def test_a_used_up_quota_sends_one_alert_naming_the_app_its_reset_and_what_to_do(world):
    # Given three products whose suppliers are all on 1688, and the app's quota used up
    checker, catalog, platform, alerts, clock = world
    add(catalog, "A-1", "701", "702")
    add(catalog, "B-2", "703")
    add(catalog, "C-3", "704")
    platform.answers = {p: [quota_out()] for p in ("701", "702", "703", "704")}

    # When two workers check their batches, and the next run checks them all 15 minutes later
    first = checker.check(["A-1", "B-2"])
    second = checker.check(["C-3"])
    clock.now = NOW + timedelta(minutes=15)
    later = checker.check(["A-1", "B-2", "C-3"])

    # Then one quota alert: what ran out (the app's quota of alibaba.product.get), when it resets
    # (daily; 00:00 China time is 16:00 UTC), and what to do; counted once
    [quota] = [a for a in alerts.sent if a.dedupe_key.startswith("suppliers-quota:")]
    assert quota.subject == "1688 API quota used up: supplier stock cannot be checked until it resets"
    assert "alibaba.product.get call of app 1234567" in quota.what_happened
    assert "expected back at 2026-11-22 16:00 UTC (00:00 China time)" in quota.what_happened
    assert "wait" in quota.what_to_do and "1688 open platform console" in quota.what_to_do
    assert "check less often" in quota.what_to_do
    assert (first.quota_exhausted, second.quota_exhausted, later.quota_exhausted) == (["1688"], [], [])
    # ... and the products' blocked digests say the quota is the cause, never "add an alternate"
    blocked = [a for a in alerts.sent if a.dedupe_key.startswith("suppliers-blocked:")]
    assert [len(a.details) for a in blocked] == [2, 1]  # each product named once
    for digest in blocked:
        assert digest.subject.endswith("do not reorder, 1688 API quota used up")
        assert "alternate" not in digest.what_to_do
        assert "add a fresh alternate" not in digest.render_body()
        assert "Nothing to change in the catalog" in digest.what_happened


def test_after_the_reset_a_product_still_blocked_for_another_reason_is_reported_with_the_right_fix(world):
    # Given a product blocked by the quota, and reported so
    checker, catalog, platform, alerts, clock = world
    add(catalog, "D-4", "801")
    platform.answers = {"801": [quota_out()]}
    checker.check(["D-4"])

    # When the quota is back but the supplier's data is stale (the same blocked spell)
    clock.now = NOW + timedelta(hours=12, minutes=15)
    platform.answers = {"801": [(500, 300)]}
    report = checker.check(["D-4"])

    # Then a second digest gives the fix for staleness, and the quota incident is over
    digests = [a for a in alerts.sent if a.dedupe_key.startswith("suppliers-blocked:")]
    assert report.blocked == ["D-4"] and len(digests) == 2
    assert "add a fresh alternate supplier" in digests[1].what_to_do

    # And when the quota runs out again the next day, that is a new incident with its own alert
    clock.now = NOW + timedelta(days=1)
    platform.answers = {"801": [quota_out()]}
    again = checker.check(["D-4"])
    assert again.quota_exhausted == ["1688"]
    assert len([a for a in alerts.sent if a.dedupe_key.startswith("suppliers-quota:")]) == 2


def test_a_digest_of_stale_and_quota_blocked_products_tells_them_apart(world):
    # Given one product whose only supplier is stale, and one read after the quota ran out
    checker, catalog, platform, alerts, _clock = world
    add(catalog, "E-5", "901")
    add(catalog, "F-6", "902")
    platform.answers = {"901": [(500, 300)], "902": [quota_out()]}

    # When both are checked
    checker.check(["E-5", "F-6"])

    # Then one digest: alternates advised, except for the product the quota blocked, marked (quota)
    [digest] = [a for a in alerts.sent if a.dedupe_key.startswith("suppliers-blocked:")]
    assert digest.subject == "2 product(s): do not reorder, no fresh supplier data"
    assert "add a fresh alternate supplier" in digest.what_to_do
    assert "Except those marked (quota)" in digest.what_to_do
    assert [d.startswith("(quota) ") for d in digest.details] == [False, True]


def test_a_quota_alert_that_could_not_be_sent_is_sent_by_the_next_check(world):
    # Given the quota used up, and the alert topic failing once
    checker, catalog, platform, alerts, clock = world
    add(catalog, "G-7", "991")
    platform.answers = {"991": [quota_out()]}

    class FailingOnce:
        def __init__(self) -> None:
            self.failed = False

        def send(self, alert, *, now):  # type: ignore[no-untyped-def]
            if alert.dedupe_key.startswith("suppliers-quota:") and not self.failed:
                self.failed = True
                raise RuntimeError("SNS unavailable")
            return alerts.send(alert, now=now)

    checker.alerts = FailingOnce()

    # When a check fails on the alert, and the next one runs
    with pytest.raises(RuntimeError):
        checker.check(["G-7"])
    clock.now = NOW + timedelta(minutes=15)
    report = checker.check(["G-7"])

    # Then the next check sends it: the incident is not lost
    assert report.quota_exhausted == ["1688"]
    assert len([a for a in alerts.sent if a.dedupe_key.startswith("suppliers-quota:")]) == 1
