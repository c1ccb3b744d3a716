"""A product's decision history as purchasing reads it: newest first, the chosen offer (or the blocked
line) then each rejected candidate once, as last judged, with its reads counted; a product neither in
the catalog nor with decisions is unknown, one in the catalog without decisions is an empty history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from crossdock.core.text import table_lines
from crossdock.suppliers.rules.sourcing import BLOCKED_LINE
from crossdock.suppliers.usecases.history import (
    HEADERS,
    decision_history,
    decision_rows,
    format_price,
    format_time,
)

SKU = "SCARF-SILK-90"

CHOSEN_AFTER_STALE: dict[str, Any] = {
    "sku": SKU,
    "decided_at": "2026-11-22T04:00:00.000Z",
    "need": 20,
    "blocked": False,
    "chosen": {
        "platform": "1688",
        "supplier_id": "suzhou-silkroad",
        "product_id": "610384772090",
        "sku_id": "4731186620041",
        "stock": 180,
        "price": "41.5",
        "age_seconds": 420.0,
    },
    "rejected": [
        {
            "supplier_id": "hangzhou-wansilk",
            "product_id": "610384772051",
            "reason": "stale",
            "detail": "data 12 h old",
            "age_seconds": 12 * 3600.0,
        },
        {
            "supplier_id": "hangzhou-wansilk",
            "product_id": "610384772051",
            "reason": "stale",
            "detail": "data 12 h old, re-read",
            "age_seconds": 12 * 3600.0 + 2,
        },
    ],
}

BLOCKED: dict[str, Any] = {
    "sku": SKU,
    "decided_at": "2026-11-22T03:45:00.000Z",
    "need": 20,
    "blocked": True,
    "chosen": None,
    "rejected": [
        {
            "supplier_id": "guzhen-lighting",
            "product_id": "633572019968",
            "reason": "no_timestamp",
            "detail": "",
            "age_seconds": None,
        },
        {
            "supplier_id": "ningbo-brightway",
            "product_id": "633572020015",
            "reason": "stale",
            "detail": "data 5 h old",
            "age_seconds": 5 * 3600.0 + 300,
        },
    ],
}


@dataclass
class FakeCatalog:
    """`SourcingRepository`'s two reads: decisions newest first, and the catalog entry."""

    records: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    products: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)
    limits: list[int] = field(default_factory=list)

    def history(self, sku: str, *, limit: int = 20) -> Sequence[Mapping[str, Any]]:
        self.limits.append(limit)
        return self.records.get(sku, [])[:limit]

    def item(self, sku: str) -> object | None:
        self.asked.append(sku)
        return object() if sku in self.products else None


def test_a_chosen_alternate_is_shown_with_the_stale_primary_once_and_its_reads() -> None:
    # When
    rows = decision_rows(CHOSEN_AFTER_STALE)
    # Then
    assert rows == [
        [
            "2026-11-22 04:00:00",
            "20",
            "chosen",
            "suzhou-silkroad offer 610384772090 sku 4731186620041",
            "180",
            "¥41.50",
            "7 min",
            "",
        ],
        [
            "",
            "",
            "rejected: stale",
            "hangzhou-wansilk offer 610384772051",
            "—",
            "—",
            "12 h",
            "data 12 h old, re-read (2 reads)",
        ],
    ]


def test_a_blocked_decision_shows_the_blocked_line_and_every_rejection() -> None:
    # When
    rows = decision_rows(BLOCKED)
    # Then
    assert rows[0] == ["2026-11-22 03:45:00", "20", "blocked", BLOCKED_LINE, "—", "—", "—", ""]
    assert [r[2:] for r in rows[1:]] == [
        ["rejected: no_timestamp", "guzhen-lighting offer 633572019968", "—", "—", "—", ""],
        ["rejected: stale", "ningbo-brightway offer 633572020015", "—", "—", "5 h 5 min", "data 5 h old"],
    ]


def test_the_history_lists_every_decision_in_the_catalogs_order_without_asking_for_the_product() -> None:
    # Given
    catalog = FakeCatalog(records={SKU: [CHOSEN_AFTER_STALE, BLOCKED]})
    # When
    history = decision_history(catalog, SKU, limit=5)
    # Then
    assert history.known
    assert history.rows == decision_rows(CHOSEN_AFTER_STALE) + decision_rows(BLOCKED)
    assert catalog.limits == [5]
    assert catalog.asked == []


def test_a_product_in_the_catalog_without_decisions_has_an_empty_history() -> None:
    # Given
    catalog = FakeCatalog(products={SKU})
    # When
    history = decision_history(catalog, SKU)
    lines = table_lines(HEADERS, history.rows, history.empty)
    # Then
    assert (history.known, history.rows, catalog.limits) == (True, [], [20])
    assert lines == [f"no decisions recorded for {SKU} (run `crossdock suppliers check --sku {SKU}`)"]


def test_a_product_unknown_to_the_catalog_is_not_known() -> None:
    # When
    history = decision_history(FakeCatalog(), "NOPE")
    # Then
    assert (history.known, history.rows) == (False, [])


def test_the_history_renders_as_an_aligned_table_under_its_headers() -> None:
    # When
    lines = table_lines(HEADERS, decision_rows(BLOCKED), "unused")
    # Then
    assert lines[0].split("  ")[0] == "DECIDED (UTC)"
    assert lines[0].index("OUTCOME") == lines[1].index("blocked") == lines[2].index("rejected:")
    assert all(line == line.rstrip() for line in lines)


def test_prices_keep_two_decimals_or_the_platforms_own_and_times_read_in_utc() -> None:
    assert [format_price(v) for v in ("23.5", "0.125", 7, None, "n/a")] == [
        "¥23.50",
        "¥0.125",
        "¥7.00",
        "—",
        "n/a",
    ]
    assert format_time("2026-11-22T12:00:00+08:00") == "2026-11-22 04:00:00"
    assert format_time(None) == "—"
