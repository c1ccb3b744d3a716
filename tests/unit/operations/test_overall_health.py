"""The overall judgment of a snapshot: ok, attention, action needed — and why."""

from __future__ import annotations

from dataclasses import replace

from crossdock.operations.rules.health import ACTION_NEEDED, ATTENTION, OK, judge
from crossdock.operations.views import (
    BlockedProduct,
    ListingIssue,
    ParcelIssue,
    QueueDepth,
    Snapshot,
    SourceLine,
    StockAgreement,
    TrackingIncidents,
)

from tests.unit.operations.fakes import NOW, shop

QUIET = Snapshot(
    taken_at=NOW,
    since=NOW,
    shops=(shop(),),
    stock=StockAgreement(listings=1, agreeing=1),
    tracking=TrackingIncidents(parcels=4),
    blocked=(),
    dead_letters=(QueueDepth("OrderTasksQueue", "V", 0),),
    alerts=(),
)


def test_a_quiet_system_is_ok_with_no_reasons() -> None:
    assert judge(QUIET).level == OK and judge(QUIET).reasons == ()


def test_things_worth_a_look_today_ask_for_attention() -> None:
    # Given a lagging shop, a stalled parcel, a demoted source, a blocked product and an unknown DLQ
    snapshot = replace(
        QUIET,
        shops=(shop("late", lag_s=2 * 3600),),
        tracking=TrackingIncidents(
            parcels=3,
            stalled=(ParcelIssue("4px#A", "uk", "in_transit", NOW),),
            sources=(SourceLine("yanwen", 40, 30, NOW),),
        ),
        blocked=(BlockedProduct("SKU-1", NOW, "no fresh supplier"),),
        dead_letters=(QueueDepth("OrderTasksQueue", "V", None, "V is not set"),),
    )

    # When judged
    health = judge(snapshot)

    # Then attention, with each reason named
    assert health.level == ATTENTION
    assert health.reasons == (
        "shop late lags 120 min",
        "1 parcel(s) stalled",
        "1 tracking source(s) demoted",
        "1 product(s) without a fresh supplier",
        "OrderTasksQueue dead letters unknown",
    )


def test_what_stays_wrong_until_a_person_acts_is_action_needed_and_listed_first() -> None:
    # Given an auth-blocked shop, an over-offered listing, a listing under review and dead letters
    issue = ListingIssue("SKU-1", "uk", "shopify", 5, 2)
    snapshot = replace(
        QUIET,
        shops=(shop("uk", state="auth_blocked"), shop("de", state="degraded")),
        stock=StockAgreement(listings=2, over_offered=(issue,), needs_review=(issue,)),
        dead_letters=(QueueDepth("StockFlushQueue", "V", 2),),
    )

    # When judged
    health = judge(snapshot)

    # Then action needed, the actions before what only needs attention
    assert health.level == ACTION_NEEDED
    assert health.reasons == (
        "shop uk is auth blocked",
        "1 listing(s) need review",
        "1 listing(s) show more than is sellable",
        "2 dead letter(s) on StockFlushQueue",
        "shop de is degraded (breaker open)",
    )
