"""The shop's zone travels from the order event to the parcel, and the buyer's line is written in it:
a parcel of an Amazon JP order reads Japan time. A parcel without a stored zone (registered before
events carried one) falls back to its channel's zone, then UTC."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from crossdock.tracking.rules.parcel import OrderRef, Parcel
from crossdock.tracking.rules.policy import TrackingPolicy, status_line
from crossdock.tracking.rules.status import TrackingEvent, TrackingStatus
from crossdock.tracking.storage.shipments import ShipmentRepository, to_parcel
from crossdock.tracking.storage.tables import ShipmentModel
from crossdock.tracking.usecases.register import ShipmentRegistrar, shipments_in

from tests.support.aws import moto_resources

SCAN_AT = datetime(2025, 3, 9, 7, 5, tzinfo=UTC)  # 16:05 in Tokyo, 08:05 in Berlin, 23:05 (8 Mar) in LA


def shipped_event(**extra: Any) -> dict[str, Any]:
    return {
        "schema": "crossdock.order-event",
        "schema_version": 1,
        "event_type": "order.shipped",
        "occurred_at": "2025-03-08T02:00:00.000Z",
        "channel": "amazon",
        "shop_id": "amazon-jp",
        "order_id": "250-1234567-1234567",
        "shipments": [{"carrier": "4PX", "tracking_number": "4PX3000123456789CN"}],
        **extra,
    }


def scanned(parcel: Parcel) -> Parcel:
    scan = TrackingEvent(SCAN_AT, "Departed", "SHENZHEN", "IN_TRANSIT", TrackingStatus.IN_TRANSIT, "4px")
    return replace(parcel, events=(scan,), status=TrackingStatus.IN_TRANSIT)


def jp_parcel(zone: str | None) -> Parcel:
    order = OrderRef("amazon", "amazon-jp", "250-1234567-1234567")
    return scanned(Parcel("4PX3000123456789CN", "4px", SCAN_AT, SCAN_AT, order=order, shop_time_zone=zone))


def test_the_event_names_the_shops_zone_for_each_of_its_parcels() -> None:
    [shipment] = shipments_in(shipped_event(shop_time_zone="Asia/Tokyo"))
    assert shipment.shop_time_zone == "Asia/Tokyo"


@pytest.mark.parametrize("given", [None, "", "Tokyo", "../etc/passwd", 9, ["Asia/Tokyo"]])
def test_an_event_without_a_usable_zone_still_registers_its_parcel_without_one(given: object) -> None:
    event = shipped_event() if given is None else shipped_event(shop_time_zone=given)
    [shipment] = shipments_in(event)
    assert shipment.tracking_number == "4PX3000123456789CN" and shipment.shop_time_zone is None


@pytest.mark.parametrize(
    ("zone", "when"),
    [
        ("Asia/Tokyo", "(09 Mar 16:05 JST)."),
        ("Europe/Berlin", "(09 Mar 08:05 CET)."),
        (None, "(08 Mar 23:05 PST)."),  # no stored zone: Amazon's home zone, as before
        ("Nowhere/Else", "(08 Mar 23:05 PST)."),  # a zone this host cannot load: likewise
    ],
)
def test_the_line_is_in_the_parcels_shop_zone(zone: str | None, when: str) -> None:
    assert status_line(jp_parcel(zone), SCAN_AT).endswith(f"Departed, SHENZHEN {when}")


def test_a_zone_given_to_the_line_still_wins() -> None:
    line = status_line(jp_parcel("Asia/Tokyo"), SCAN_AT, zone=ZoneInfo("Europe/London"))
    assert line.endswith("(09 Mar 07:05 GMT).")


@pytest.fixture
def shipments() -> Iterator[ShipmentRepository]:
    with moto_resources():
        yield ShipmentRepository()


def test_the_registrar_stores_the_zone_and_the_line_in_it(shipments: ShipmentRepository) -> None:
    # Given the parcel of an Amazon JP order's shipped event
    entries = shipments_in(shipped_event(shop_time_zone="Asia/Tokyo"))
    # When it is registered, then read back and refreshed with a scan
    report = ShipmentRegistrar(shipments, TrackingPolicy(), lambda: SCAN_AT).register(entries)
    stored = shipments.get(report.new[0])
    assert stored is not None
    shipments.save(scanned(stored), status_line=status_line(scanned(stored), SCAN_AT), checked_at=SCAN_AT)
    # Then the zone is on the parcel (and survives the save), and the buyer reads Japan time
    [item] = shipments.items(report.new)
    assert stored.shop_time_zone == "Asia/Tokyo" and item.shop_time_zone == "Asia/Tokyo"
    assert item.status_line.endswith("Departed, SHENZHEN (09 Mar 16:05 JST).")


def test_an_item_stored_before_the_zone_existed_reads_none(shipments: ShipmentRepository) -> None:
    # Given an item written without the attribute (as every parcel registered before it)
    ShipmentModel(
        "4px#4PX3000000000001CN",
        tracking_number="4PX3000000000001CN",
        carrier="4px",
        channel="ebay",
        shop_id="ebay-de",
        order_id="12-3",
        registered_at=SCAN_AT,
        handed_over_at=SCAN_AT,
    ).save()
    # When / Then
    parcel = to_parcel(ShipmentModel.get("4px#4PX3000000000001CN"))
    assert parcel.shop_time_zone is None
    assert status_line(scanned(parcel), SCAN_AT).endswith("(08 Mar 23:05 PST).")
