"""Sourcing rules: the per-product freshness limit (60 min default, never above 120), a primary and up to
three alternates with their own priorities and offers; the verdict on one offer (freshness first, then
on sale, stock stated and enough); and the decision record and the line purchasing reads."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from crossdock.suppliers.rules.offers import OfferRef, SupplierOffer
from crossdock.suppliers.rules.sourcing import (
    BLOCKED_LINE,
    DEFAULT_LIMIT,
    MAX_LIMIT,
    REASONS,
    Decision,
    Rejected,
    SourcingConfigError,
    SourcingEntry,
    SupplierLink,
    freshness_limit,
    judge_offer,
)

NOW = datetime(2025, 6, 1, 4, 0, tzinfo=UTC)
HOUR = timedelta(minutes=60)
BEIJING = timezone(timedelta(hours=8))


def china(age: timedelta) -> str:
    """The update time `age` before NOW in 1688's format."""
    at = (NOW - age).astimezone(BEIJING)
    return at.strftime("%Y%m%d%H%M%S") + f"{at.microsecond // 1000:03d}+0800"


def offer(
    supplier: str = "shop-b",
    product: str = "6012",
    *,
    age: timedelta | None = timedelta(minutes=12, seconds=30),
    stock: int | None = 120,
    price: Decimal | None = Decimal("23.5"),
    status: str = "published",
    sku_id: str | None = None,
    raw: str | None = None,
) -> SupplierOffer:
    updated = raw if raw is not None else (china(age) if age is not None else None)
    return SupplierOffer(OfferRef(supplier, product, sku_id), stock, price, updated, status)


def link(supplier: str, priority: int, product: str = "6012", sku_id: str | None = None) -> SupplierLink:
    return SupplierLink(supplier, "1688", product, sku_id, priority)


# --- freshness limit ------------------------------------------------------------------------------

LIMITS = [
    ("default", None, DEFAULT_LIMIT),
    ("one_minute", 1, timedelta(minutes=1)),
    ("sixty", 60, timedelta(minutes=60)),
    ("special_goods_90", 90, timedelta(minutes=90)),
    ("maximum_120", 120, MAX_LIMIT),
]


@pytest.mark.parametrize(("minutes", "limit"), [c[1:] for c in LIMITS], ids=[c[0] for c in LIMITS])
def test_freshness_limit(minutes: int | None, limit: timedelta) -> None:
    # When / Then
    assert freshness_limit(minutes) == limit


BAD_LIMITS = [
    (
        "121",
        121,
        "121 minutes is above the 120-minute maximum: supplier data older than 2 hours is never used",
    ),
    ("three_hours", 180, "180 minutes is above the 120-minute maximum"),
    ("zero", 0, "must be positive"),
    ("negative", -5, "must be positive"),
    ("boolean", True, "whole number of minutes"),
    ("text", "60", "whole number of minutes"),
    ("fraction", 1.5, "whole number of minutes"),
]


@pytest.mark.parametrize(("minutes", "message"), [c[1:] for c in BAD_LIMITS], ids=[c[0] for c in BAD_LIMITS])
def test_a_limit_outside_the_rules_is_refused_with_a_clear_message(minutes: object, message: str) -> None:
    # When / Then
    with pytest.raises(SourcingConfigError, match=message) as raised:
        freshness_limit(minutes)  # type: ignore[arg-type]
    assert isinstance(raised.value, ValueError)


def test_the_default_is_an_hour_and_the_maximum_two() -> None:
    # Then
    assert freshness_limit(None) == DEFAULT_LIMIT == timedelta(hours=1)
    assert freshness_limit(120) == MAX_LIMIT == timedelta(hours=2)


# --- catalog entries ------------------------------------------------------------------------------


def test_an_entry_orders_its_suppliers_primary_first() -> None:
    # Given suppliers listed out of priority order
    given = [link("shop-c", 3), link("shop-a", 1), link("shop-d", 4), link("shop-b", 2)]
    # When
    entry = SourcingEntry.create(" BT-EAR-01 ", given, limit_minutes=90, lead_time_days=10, pack_size=20)
    # Then
    assert [s.supplier_id for s in entry.ordered()] == ["shop-a", "shop-b", "shop-c", "shop-d"]
    assert entry.primary == link("shop-a", 1)
    assert (entry.sku, entry.limit, entry.lead_time_days, entry.pack_size) == (
        "BT-EAR-01",
        timedelta(minutes=90),
        10,
        20,
    )


def test_an_entry_defaults_to_an_hour_a_week_and_single_units() -> None:
    # When
    entry = SourcingEntry.create("BT-EAR-01", [link("shop-a", 1)])
    # Then
    assert (entry.limit, entry.lead_time_days, entry.pack_size) == (HOUR, 7, 1)


ALLOWED = [
    ("same_supplier_two_offers", [link("shop-a", 1, "6011"), link("shop-a", 2, "6012")]),
    ("same_offer_two_skus", [link("shop-a", 1, "6011", "s1"), link("shop-a", 2, "6011", "s2")]),
    ("same_offer_with_and_without_sku", [link("shop-a", 1, "6011"), link("shop-a", 2, "6011", "s2")]),
    ("priorities_with_gaps", [link("shop-a", 10), link("shop-b", 20)]),
]


@pytest.mark.parametrize("links", [c[1] for c in ALLOWED], ids=[c[0] for c in ALLOWED])
def test_entries_within_the_rules(links: list[SupplierLink]) -> None:
    # When
    entry = SourcingEntry.create("BT-EAR-01", links)
    # Then
    assert entry.suppliers == tuple(links)


REFUSED = [
    (
        "no_supplier",
        "BT-EAR-01",
        [],
        {},
        "0 suppliers given; a product has one primary and up to 3 alternates",
    ),
    ("five_suppliers", "BT-EAR-01", [link(f"s{i}", i) for i in range(5)], {}, "5 suppliers given"),
    (
        "same_priority",
        "BT-EAR-01",
        [link("shop-a", 1), link("shop-b", 1, "7")],
        {},
        "priority 1 is given twice",
    ),
    (
        "same_offer",
        "BT-EAR-01",
        [link("shop-a", 1), link("shop-a", 2)],
        {},
        "shop-a offer 6012 is listed twice",
    ),
    (
        "same_offer_and_sku",
        "BT-EAR-01",
        [link("shop-a", 1, sku_id="s1"), link("shop-a", 2, sku_id="s1")],
        {},
        "shop-a offer 6012 sku s1 is listed twice",
    ),
    ("no_supplier_id", "BT-EAR-01", [link("", 1)], {}, "supplier, platform and offer id are required"),
    ("no_offer_id", "BT-EAR-01", [link("shop-a", 1, "")], {}, "supplier, platform and offer id are required"),
    ("empty_sku_mapping", "BT-EAR-01", [link("shop-a", 1, sku_id="")], {}, "offer id are required"),
    ("no_platform", "BT-EAR-01", [SupplierLink("shop-a", "", "6012", None, 1)], {}, "required"),
    ("no_product_sku", "  ", [link("shop-a", 1)], {}, "must be non-empty"),
    (
        "limit_above_120",
        "BT-EAR-01",
        [link("shop-a", 1)],
        {"limit_minutes": 121},
        "above the 120-minute maximum",
    ),
    ("limit_zero", "BT-EAR-01", [link("shop-a", 1)], {"limit_minutes": 0}, "must be positive"),
    ("negative_lead_time", "BT-EAR-01", [link("shop-a", 1)], {"lead_time_days": -1}, "lead time"),
    ("empty_packs", "BT-EAR-01", [link("shop-a", 1)], {"pack_size": 0}, "pack size"),
]


@pytest.mark.parametrize(
    ("sku", "links", "options", "message"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_entries_breaking_the_rules_are_refused(
    sku: str, links: list[SupplierLink], options: dict[str, int], message: str
) -> None:
    # When / Then
    with pytest.raises(SourcingConfigError, match=message):
        SourcingEntry.create(sku, links, **options)


def test_an_entry_built_directly_cannot_exceed_two_hours() -> None:
    # When / Then: the rule holds however the entry is made (e.g. read back from storage)
    with pytest.raises(SourcingConfigError, match="outside"):
        SourcingEntry("BT-EAR-01", (link("shop-a", 1),), timedelta(hours=3))


# --- judging one offer ----------------------------------------------------------------------------

USABLE = [
    ("fresh_and_enough", offer(), 50),
    ("stock_exactly_the_need", offer(stock=50), 50),
    ("nothing_needed_nothing_on_sale", offer(stock=0), 0),
    ("at_the_limit", offer(age=HOUR), 50),
    ("status_not_stated", offer(status=""), 50),
    ("status_capitalised", offer(status="Published"), 50),
    ("ahead_within_skew", offer(age=-timedelta(minutes=4, seconds=59)), 50),
    ("no_price", offer(price=None), 50),
]


@pytest.mark.parametrize(("given", "need"), [c[1:] for c in USABLE], ids=[c[0] for c in USABLE])
def test_usable_offers(given: SupplierOffer, need: int) -> None:
    # When / Then
    assert judge_offer(given, need=need, now=NOW, limit=HOUR) is None


NOT_USABLE = [  # (id, offer, need, reason, detail)
    ("missing_time", offer(age=None), 50, "missing", "the supplier gave no update time"),
    ("blank_time", offer(raw="  "), 50, "missing", "the supplier gave no update time"),
    (
        "garbage_time",
        offer(raw="yesterday"),
        50,
        "unparseable",
        "update time 'yesterday' is in no known format",
    ),
    ("stale_by_a_millisecond", offer(age=HOUR + timedelta(milliseconds=1)), 50, "stale", "just over 1 h ago"),
    ("stale_cache", offer(age=timedelta(hours=12)), 50, "stale", "updated 12 h ago"),
    ("future", offer(age=-timedelta(minutes=5, seconds=1)), 50, "future", "ahead of now"),
    ("stale_and_short", offer(age=timedelta(hours=2), stock=3), 50, "stale", "updated 2 h ago"),
    ("missing_and_unpublished", offer(age=None, status="expired"), 50, "missing", "no update time"),
    ("short", offer(stock=30), 50, "short_of_stock", "30 on sale, 50 needed"),
    ("none_on_sale", offer(stock=0), 1, "short_of_stock", "0 on sale, 1 needed"),
    ("no_stock_figure", offer(stock=None), 50, "unavailable", "the offer states no stock figure"),
    ("unpublished", offer(status="expired"), 50, "unavailable", "offer status is 'expired', not published"),
    ("unpublished_and_short", offer(status="member expired", stock=0), 50, "unavailable", "not published"),
]


@pytest.mark.parametrize(
    ("given", "need", "reason", "detail"), [c[1:] for c in NOT_USABLE], ids=[c[0] for c in NOT_USABLE]
)
def test_offers_turned_down_each_with_its_reason(
    given: SupplierOffer, need: int, reason: str, detail: str
) -> None:
    # When
    verdict = judge_offer(given, need=need, now=NOW, limit=HOUR)
    # Then
    assert verdict is not None
    assert (verdict.supplier_id, verdict.product_id, verdict.reason) == ("shop-b", "6012", reason)
    assert detail in verdict.detail


def test_a_stale_offer_carries_its_age_and_update_time() -> None:
    # When
    verdict = judge_offer(
        offer("shop-a", "6011", age=timedelta(hours=3, minutes=5)), need=50, now=NOW, limit=HOUR
    )
    # Then
    assert verdict == Rejected(
        "shop-a",
        "6011",
        "stale",
        "updated 3 h 5 min ago (2025-06-01T00:55:00.000Z), beyond the 1 h limit",
        timedelta(hours=3, minutes=5),
        NOW - timedelta(hours=3, minutes=5),
    )


def test_a_fresh_but_short_offer_still_records_its_age() -> None:
    # When
    verdict = judge_offer(offer(stock=30, age=timedelta(minutes=3)), need=50, now=NOW, limit=HOUR)
    # Then
    assert verdict is not None
    assert (verdict.age, verdict.updated_at) == (timedelta(minutes=3), NOW - timedelta(minutes=3))


def test_the_products_limit_decides() -> None:
    # Given data 90 minutes old
    given = offer(age=timedelta(minutes=90))
    # When
    default = judge_offer(given, need=1, now=NOW, limit=HOUR)
    special = judge_offer(given, need=1, now=NOW, limit=freshness_limit(120))
    # Then
    assert default is not None and default.reason == "stale"
    assert special is None


def test_a_negative_need_is_a_bug() -> None:
    # When / Then
    with pytest.raises(ValueError, match="negative"):
        judge_offer(offer(), need=-1, now=NOW, limit=HOUR)


def test_rejection_reasons_are_a_closed_set() -> None:
    # Then
    assert sorted(REASONS) == sorted(
        ["missing", "unparseable", "stale", "future", "short_of_stock", "quota", "auth", "unavailable"]
    )
    with pytest.raises(ValueError, match="unknown rejection reason"):
        Rejected("shop-a", "6011", "expensive")


# --- the decision ---------------------------------------------------------------------------------

STALE_A = Rejected(
    "shop-a",
    "6011",
    "stale",
    "updated 3 h 5 min ago",
    timedelta(hours=3, minutes=5),
    NOW - timedelta(hours=3, minutes=5),
)


def decide(chosen: SupplierOffer | None, *rejected: Rejected, platform: str = "1688") -> Decision:
    return Decision.of("BT-EAR-01", now=NOW, need=50, chosen=chosen, rejected=rejected, platform=platform)


def test_the_line_purchasing_reads_for_a_chosen_alternate() -> None:
    # When
    decision = decide(offer(), STALE_A)
    # Then
    assert not decision.blocked
    assert decision.summary() == (
        "BT-EAR-01: 1688 shop-b offer 6012 — 120 on sale at ¥23.50, data 12 min old;"
        " rejected: shop-a (stale, 3 h 5 min old)"
    )
    assert (decision.chosen_age, decision.chosen_updated_at) == (
        timedelta(minutes=12, seconds=30),
        NOW - timedelta(minutes=12, seconds=30),
    )


SUMMARIES = [
    (
        "primary_fresh",
        decide(offer()),
        "BT-EAR-01: 1688 shop-b offer 6012 — 120 on sale at ¥23.50, data 12 min old",
    ),
    (
        "with_sku_and_fine_price",
        decide(offer(sku_id="4213418520411", price=Decimal("0.125"))),
        "BT-EAR-01: 1688 shop-b offer 6012 sku 4213418520411 — 120 on sale at ¥0.125, data 12 min old",
    ),
    (
        "no_price_no_platform",
        decide(offer(price=None), platform=""),
        "BT-EAR-01: shop-b offer 6012 — 120 on sale at an unknown price, data 12 min old",
    ),
    (
        "ahead_within_skew",
        decide(offer(age=-timedelta(minutes=2), price=Decimal(24))),
        "BT-EAR-01: 1688 shop-b offer 6012 — 120 on sale at ¥24.00, data 0 s old",
    ),
    (
        "blocked",
        decide(
            None,
            replace(STALE_A, age=timedelta(hours=13)),
            replace(STALE_A, age=timedelta(hours=13, minutes=1)),
            Rejected("shop-b", "6012", "missing", "the supplier gave no update time"),
            Rejected("shop-c", "6013", "short_of_stock", "30 on sale, 50 needed", timedelta(minutes=2)),
            Rejected("shop-d", "6014", "quota", "gw.NoUsageLeftError: SLA bill has no usage left"),
        ),
        "BT-EAR-01: do not reorder — no fresh supplier data;"
        " rejected: shop-a (stale, 13 h 1 min old, 2 reads), shop-b (missing),"
        " shop-c (short_of_stock, 30 on sale, 50 needed),"
        " shop-d (quota, gw.NoUsageLeftError: SLA bill has no usage left)",
    ),
    (
        "blocked_nothing_read",
        decide(None),
        "BT-EAR-01: do not reorder — no fresh supplier data; no supplier offer was read",
    ),
    (
        "one_supplier_two_offers",
        decide(offer("shop-a", "6012"), STALE_A),
        "BT-EAR-01: 1688 shop-a offer 6012 — 120 on sale at ¥23.50, data 12 min old;"
        " rejected: shop-a offer 6011 (stale, 3 h 5 min old)",
    ),
    (
        "long_detail_cut",
        decide(None, Rejected("shop-b", "6012", "unavailable", "x" * 80)),
        f"BT-EAR-01: do not reorder — no fresh supplier data; rejected: shop-b (unavailable, {'x' * 57}...)",
    ),
]


@pytest.mark.parametrize(("decision", "line"), [c[1:] for c in SUMMARIES], ids=[c[0] for c in SUMMARIES])
def test_summaries(decision: Decision, line: str) -> None:
    # When / Then
    assert decision.summary() == line


def test_a_blocked_decision_says_do_not_reorder() -> None:
    # When
    decision = decide(None, STALE_A)
    # Then
    assert decision.blocked
    assert BLOCKED_LINE == "do not reorder — no fresh supplier data"
    assert BLOCKED_LINE in decision.summary()
    assert (decision.chosen_age, decision.chosen_updated_at, decision.chosen_platform) == (None, None, "")


def test_the_decision_record_is_json_safe() -> None:
    # Given
    decision = decide(offer(sku_id="4213418520411"), STALE_A)
    # When
    record = decision.to_dict()
    # Then
    assert json.loads(json.dumps(record)) == record
    assert record == {
        "sku": "BT-EAR-01",
        "decided_at": "2025-06-01T04:00:00.000Z",
        "need": 50,
        "blocked": False,
        "summary": decision.summary(),
        "chosen": {
            "platform": "1688",
            "supplier_id": "shop-b",
            "product_id": "6012",
            "sku_id": "4213418520411",
            "stock": 120,
            "price": "23.5",
            "status": "published",
            "updated_raw": "20250601114730000+0800",
            "updated_at": "2025-06-01T03:47:30.000Z",
            "age_seconds": 750.0,
        },
        "rejected": [
            {
                "supplier_id": "shop-a",
                "product_id": "6011",
                "reason": "stale",
                "detail": "updated 3 h 5 min ago",
                "updated_at": "2025-06-01T00:55:00.000Z",
                "age_seconds": 11100.0,
            }
        ],
    }


def test_a_blocked_record() -> None:
    # When
    record = decide(None, Rejected("shop-b", "6012", "missing")).to_dict()
    # Then
    assert json.loads(json.dumps(record)) == record
    assert (record["blocked"], record["chosen"]) == (True, None)
    assert record["rejected"] == [
        {
            "supplier_id": "shop-b",
            "product_id": "6012",
            "reason": "missing",
            "detail": "",
            "updated_at": None,
            "age_seconds": None,
        }
    ]
