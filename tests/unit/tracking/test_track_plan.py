"""Planning refreshes: due parcels by index, carrier batches sized to whole source batches, leases, stalls."""

from __future__ import annotations

from datetime import timedelta

import pytest
from crossdock.tracking.rules.chains import DEFAULT_CHAINS
from crossdock.tracking.rules.policy import TrackingPolicy
from crossdock.tracking.storage.shipments import ShipmentRepository
from crossdock.tracking.usecases.plan import TASK_KIND, TrackingPlanner, task_size
from crossdock.tracking.usecases.register import (
    BadShipmentEvent,
    NewShipment,
    ShipmentRegistrar,
    shipments_in,
    tracking_number_problem,
)

from tests.support.aws import moto_resources
from tests.support.tracking_fakes import NOW, Alerts


class Tasks:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    def enqueue(self, tasks, *, delay_s=0):
        self.sent += tasks
        return len(tasks)


@pytest.fixture
def planning():
    with moto_resources():
        clock = lambda: NOW  # noqa: E731
        tasks, alerts = Tasks(), Alerts()
        planner = TrackingPlanner(
            ShipmentRepository(), tasks, alerts, TrackingPolicy(), DEFAULT_CHAINS, clock
        )
        registrar = ShipmentRegistrar(ShipmentRepository(), TrackingPolicy(), clock)
        yield planner, registrar, tasks, alerts


def shipped(*numbers: tuple[str, str]) -> list[NewShipment]:
    return [NewShipment(number, carrier, NOW - timedelta(hours=30)) for carrier, number in numbers]


def test_task_sizes_are_whole_batches_of_the_first_source():
    # Given / When / Then: 4PX asks one number a call, Yanwen 30, 17TRACK 40
    assert task_size("4px", DEFAULT_CHAINS) == 150
    assert task_size("yanwen", DEFAULT_CHAINS) == 150
    assert task_size("yunexpress", DEFAULT_CHAINS) == 160


def test_due_parcels_go_out_grouped_by_carrier_and_are_leased(planning):
    # Given 170 YunExpress parcels and 3 Yanwen parcels, all due at once
    planner, registrar, tasks, _alerts = planning
    registrar.register(shipped(*[("YunExpress", f"YT2301100{i:04d}") for i in range(170)]))
    registrar.register(shipped(*[("Yanwen", f"UH18380000{i}YP") for i in range(3)]))

    # When the planner runs twice
    first = planner.plan()
    second = planner.plan()

    # Then the first run sends 160 + 10 YunExpress and 3 Yanwen, and the second nothing (leased)
    assert first.planned == 173 and second.planned == 0
    sizes = sorted((t["carrier"], len(t["parcels"])) for t in tasks.sent)
    assert sizes == [("yanwen", 3), ("yunexpress", 10), ("yunexpress", 160)]
    assert all(t["kind"] == TASK_KIND for t in tasks.sent)


def test_a_registered_parcel_is_registered_once(planning):
    # Given the same shipment registered twice (a redelivered event)
    _planner, registrar, _tasks, _alerts = planning
    first = registrar.register(shipped(("4PX", "4PX3001518600001CN")))
    again = registrar.register(shipped(("4PX Express", "4PX3001518600001CN")))

    # Then the second registration changes nothing
    assert first.new == ["4px#4PX3001518600001CN"] and again.known == ["4px#4PX3001518600001CN"]


def test_shipments_are_read_from_order_shipped_events_only():
    # Given an order.shipped event and an order.created one
    base = {
        "schema": "crossdock.order-event",
        "schema_version": 1,
        "occurred_at": "2026-11-22T10:00:00.000Z",
        "channel": "ebay",
        "shop_id": "ebay-de",
        "order_id": "12-34",
        "shipments": [
            {"carrier": "Yanwen", "tracking_number": " UH183870291YP "},
            {"carrier": "x", "tracking_number": ""},
        ],
    }

    # When / Then
    found = shipments_in({**base, "event_type": "order.shipped"})
    assert [(s.tracking_number, s.carrier_text, s.order.order_id) for s in found] == [
        ("UH183870291YP", "Yanwen", "12-34")
    ]
    assert shipments_in({**base, "event_type": "order.created"}) == []
    with pytest.raises(BadShipmentEvent):
        shipments_in({**base, "event_type": "order.shipped", "occurred_at": "yesterday"})
    with pytest.raises(BadShipmentEvent):
        shipments_in({"schema": "other"})


def test_a_shipped_events_bad_tracking_number_is_refused_counted_and_alerted_not_registered():
    # Given an order.shipped event with a good number and one typed with a space (the import's rule)
    event = {
        "schema": "crossdock.order-event",
        "schema_version": 1,
        "event_type": "order.shipped",
        "occurred_at": "2026-11-22T10:00:00.000Z",
        "channel": "ebay",
        "shop_id": "ebay-de",
        "order_id": "12-34",
        "shipments": [
            {"carrier": "Yanwen", "tracking_number": "UH183870291YP"},
            {"carrier": "4PX", "tracking_number": "4PX 3001518600001CN"},
        ],
    }
    with moto_resources():
        alerts = Alerts()
        registrar = ShipmentRegistrar(ShipmentRepository(), TrackingPolicy(), lambda: NOW, alerts)

        # When its shipments are registered, twice (a redelivered event)
        report = registrar.register(shipments_in(event))
        again = registrar.register(shipments_in(event))

        # Then the good one is registered; the bad one is refused with the import's reason, with its
        # order, not stored, and one alert says what to do
        assert report.new == ["yanwen#UH183870291YP"]
        [refused] = report.refused
        assert refused.reason == tracking_number_problem("4PX 3001518600001CN")
        assert refused.reason.endswith("must be 4 to 50 letters, digits or hyphens (no spaces)")
        assert refused.describe().startswith("order 12-34 on ebay/ebay-de, carrier 4PX: tracking_number")
        assert ShipmentRepository().get("4px#4PX 3001518600001CN") is None
        assert len(again.refused) == 1
        [alert] = alerts.sent  # the same refusal again is the same alert (deduplicated)
        assert alert.subject == "1 shipped parcel(s) not tracked: not a tracking number"
        assert alert.shop_id == "ebay-de" and "Correct the tracking number on the order" in alert.what_to_do


def test_a_noticed_stall_is_reported_in_one_digest_once(planning):
    # Given two parcels flagged stalled by their last refresh (no new scan for 4 days)
    from dataclasses import replace

    planner, registrar, _tasks, alerts = planning
    keys = registrar.register(shipped(("4PX", "4PX3001518600008CN"), ("Yanwen", "UH183800009YP"))).new
    repository = ShipmentRepository()
    for key in keys:
        parcel = repository.get(key)
        repository.save(
            replace(parcel, stalled_since=NOW - timedelta(days=4)), status_line="", checked_at=NOW
        )

    # When the planner runs twice
    first = planner.plan()
    second = planner.plan()

    # Then one digest lists both with their days stalled, and the second run reports nothing
    digests = [a for a in alerts.sent if a.dedupe_key.startswith("tracking-stalled:")]
    assert first.stalled_reported == 2 and second.stalled_reported == 0 and len(digests) == 1
    assert all("stalled 4.0 days" in line for line in digests[0].details)
