"""`crossdock local`'s supplier story end to end, small: a local 1688 platform serves the seller's
supplier offers; after the order cycles the suppliers planner and worker check every product, then
the daily rule sends the purchase suggestions. What purchasing would see afterwards (decisions,
e-mails, the suggestion list, a product's history) is asserted here, against the catalogue."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from crossdock.suppliers.rules.sourcing import BLOCKED_LINE
from crossdock_local.demos.suppliers.catalogue import (
    BLOCKED_SKU,
    BY_SOURCED_SKU,
    SEEDED_ORDERS,
    SHORT_SKU,
    SOURCING,
    STALE_SKU,
)
from crossdock_local.demos.suppliers.report import SupplierOutcome, last_rejections, reads_of
from crossdock_local.report import DemoResult


@dataclass
class Run:
    result: DemoResult
    suppliers: SupplierOutcome
    output: str


@pytest.fixture(scope="module")
def run(small_demo: tuple[DemoResult, str]) -> Iterator[Run]:
    result, output = small_demo
    assert result.suppliers is not None
    yield Run(result, result.suppliers, output)


def emails(run: Run, key: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in run.result.alerts if f"-{key}_" in p.name]


def supplier(sku: str, rank: int) -> str:
    return BY_SOURCED_SKU[sku].offers[rank].supplier_id


def test_the_stuck_cache_primary_is_rejected_with_its_age_and_the_first_alternate_chosen(run: Run) -> None:
    # Given: SCARF-SILK-90's primary is served from a cache stuck 12 hours ago
    decision = run.suppliers.decisions[STALE_SKU]
    primary = supplier(STALE_SKU, 0)

    # Then: it was read twice, rejected as stale with its age, and the first alternate chosen
    rejection = last_rejections(decision)[primary]
    assert rejection["reason"] == "stale"
    assert 12 * 3600 <= rejection["age_seconds"] < 13 * 3600
    assert reads_of(decision, primary) == 2
    assert decision["chosen"]["supplier_id"] == supplier(STALE_SKU, 1)
    assert re.search(rf"rejected: {primary} \(stale, 12 h( \d+ min)? old, 2 reads\)", decision["summary"])
    assert run.suppliers.statuses[STALE_SKU] == "ok"


def test_a_fresh_alternate_short_of_stock_is_passed_over_for_the_next(run: Run) -> None:
    # Given: PB-10K-BLK's primary is 3 h stale and its first alternate has 12 on sale for 50 needed
    decision = run.suppliers.decisions[SHORT_SKU]

    # Then: the second alternate is chosen, with both rejections recorded in the order they were tried
    rejected = last_rejections(decision)
    assert [r["reason"] for r in rejected.values()] == ["stale", "short_of_stock"]
    assert rejected[supplier(SHORT_SKU, 1)]["detail"] == "12 on sale, 50 needed"
    assert decision["chosen"]["supplier_id"] == supplier(SHORT_SKU, 2)


def test_the_product_without_a_fresh_supplier_is_blocked_and_alerted_once(run: Run) -> None:
    # Given: LAMP-DESK-LED's suppliers are stale, timeless, stale and ahead of the clock
    decision = run.suppliers.decisions[BLOCKED_SKU]

    # Then: purchasing sees "do not reorder", and exactly one e-mail names the product
    assert run.suppliers.statuses[BLOCKED_SKU] == "blocked"
    assert decision["chosen"] is None
    assert [r["reason"] for r in last_rejections(decision).values()] == [
        "stale",
        "missing",
        "stale",
        "future",
    ]
    [alert] = emails(run, "suppliers-blocked")
    assert "Subject: [crossdock] 1 product(s): do not reorder, no fresh supplier data" in alert
    assert f"{BLOCKED_SKU}: {BLOCKED_LINE}; rejected: " in alert
    assert len(run.suppliers.blocked_alerts) == 1


def test_the_other_products_buy_from_their_primary(run: Run) -> None:
    # Given / Then: every product not in the story's cases chose its primary, and nothing else is blocked
    others = [p.sku for p in SOURCING if p.sku not in (STALE_SKU, SHORT_SKU, BLOCKED_SKU)]
    for sku in others:
        assert run.suppliers.decisions[sku]["chosen"]["supplier_id"] == supplier(sku, 0), sku
        assert run.suppliers.decisions[sku]["rejected"] == [], sku
    assert [sku for sku, s in run.suppliers.statuses.items() if s == "blocked"] == [BLOCKED_SKU]


def test_the_daily_suggestions_digest_lists_what_to_buy_from_the_fresh_supplier(run: Run) -> None:
    # Given: the story booked orders for PB-10K-BLK and LAMP-DESK-LED (the other stories sell neither)
    booked = {line.sku: 0 for order in SEEDED_ORDERS for line in order}
    for order in SEEDED_ORDERS:
        for line in order:
            booked[line.sku] += line.quantity
    assert run.suppliers.booked == booked
    assert {sku: run.suppliers.sold[sku] for sku in booked} == booked

    # Then: one digest arrived, naming the chosen supplier with price and data age, or the blocked line
    [digest] = emails(run, "suppliers-suggestions")
    assert re.search(
        r"Subject: \[crossdock\] Purchase suggestions \d{4}-\d{2}-\d{2}: \d+ SKU\(s\), 1 without", digest
    )
    lines = {line.split(":", 1)[0]: line for line in run.suppliers.suggestions}
    assert set(booked) <= set(lines)
    assert re.match(
        rf"{SHORT_SKU}: buy \d+ from {supplier(SHORT_SKU, 2)} offer \d+ at ¥[\d.]+ — data \d+ min old \(sold 18 ",
        lines[SHORT_SKU],
    )
    assert lines[BLOCKED_SKU].startswith(f"{BLOCKED_SKU}: buy ") and BLOCKED_LINE in lines[BLOCKED_SKU]
    for line in run.suppliers.suggestions:
        assert line in digest


def test_no_supplier_task_failed_or_was_dead_lettered(run: Run) -> None:
    # Given
    figures = run.result.functions

    # Then
    assert not any(run.result.dead_letters.values())
    for name in ("suppliers-planner", "suppliers-worker", "suppliers-daily"):
        assert figures[name].invocations == 1 and figures[name].errors == 0, name
        assert figures[name].records_failed == 0, name
    assert run.suppliers.planned == {"products": len(SOURCING), "tasks": 1}
    assert run.suppliers.errors == []
    assert run.suppliers.held


def test_output_shows_the_decisions_the_suggestions_and_the_history(run: Run) -> None:
    # Then
    assert "== Suppliers (1688 offers through the freshness gate) ==" in run.output
    assert f"$ crossdock suppliers history {STALE_SKU}" in run.output
    assert any(line.split()[:2] == ["rejected:", "stale"] for line in run.suppliers.history)
    for record in run.suppliers.decisions.values():
        assert record["summary"] in run.output
    for line in run.suppliers.suggestions:
        assert line in run.output
    assert "supplier freshness held" in run.output
