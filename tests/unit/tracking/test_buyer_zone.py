"""The buyer's tracking line gives the last scan's time in the shop's zone: a Taobao buyer reads China
time, an Amazon buyer Pacific time (PST or PDT by the date), a parcel without an order keeps UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from crossdock.tracking.rules.buyer_zone import buyer_zone
from crossdock.tracking.rules.parcel import OrderRef, Parcel
from crossdock.tracking.rules.policy import status_line
from crossdock.tracking.rules.status import TrackingEvent, TrackingStatus

SCAN_AT = datetime(2025, 3, 9, 7, 5, tzinfo=UTC)


def parcel(order: OrderRef | None, at: datetime = SCAN_AT) -> Parcel:
    scan = TrackingEvent(at, "Departed", "SHENZHEN", "IN_TRANSIT", TrackingStatus.IN_TRANSIT, "4px")
    return Parcel(
        tracking_number="4PX3000123456789CN",
        carrier="4px",
        registered_at=at,
        handed_over_at=at,
        order=order,
        events=(scan,),
        status=TrackingStatus.IN_TRANSIT,
    )


@pytest.mark.parametrize(
    ("channel", "at", "when"),
    [
        ("taobao", SCAN_AT, "(09 Mar 15:05 CST)."),
        ("amazon", SCAN_AT, "(08 Mar 23:05 PST)."),
        ("amazon", datetime(2025, 7, 9, 7, 5, tzinfo=UTC), "(09 Jul 00:05 PDT)."),
        ("ebay", SCAN_AT, "(08 Mar 23:05 PST)."),
        ("shopify", SCAN_AT, "(09 Mar 07:05 UTC)."),
    ],
)
def test_the_scan_time_is_in_the_shops_zone(channel: str, at: datetime, when: str) -> None:
    # Given a parcel of an order on the channel
    p = parcel(OrderRef(channel, f"{channel}-1", "1"), at)
    # When / Then
    assert status_line(p, at).endswith(f"Departed, SHENZHEN {when}")


def test_a_parcel_without_an_order_keeps_utc_and_a_zone_given_wins() -> None:
    # Given a parcel imported without its order
    p = parcel(None)
    # When / Then
    assert status_line(p, SCAN_AT).endswith("(09 Mar 07:05 UTC).")
    assert status_line(p, SCAN_AT, zone=buyer_zone("taobao")).endswith("(09 Mar 15:05 CST).")
    assert buyer_zone(None) is UTC and buyer_zone("walmart") is UTC
