"""Tracking's three functions with real event shapes on the local stack: an `order.shipped` event
routed by the orders worker's publisher → registrar → planner (Scheduled Event) → worker (SQS)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from crossdock.core.alerts.store import AlertModel
from crossdock.core.specs import QueueSpec
from crossdock.orders import compose as orders_compose
from crossdock.orders.resources import ORDER_EVENTS_QUEUE, SHIPMENT_EVENTS_QUEUE
from crossdock.orders.rules.events import events_for
from crossdock.orders.rules.order import Money, Order, OrderLine, OrderStatus, Shipment
from crossdock.tracking.resources import SHIPMENTS_REGISTRAR, TRACKING_PLANNER, TRACKING_TASKS_QUEUE
from crossdock.tracking.rules.status import TrackingStatus
from crossdock.tracking.storage.shipments import ShipmentRepository
from crossdock_local.aws.stack import LocalStack
from crossdock_local.sandboxes.parcels import WorldParcel, journey

NOW = datetime.now(UTC)


def shipped_order(*parcels: tuple[str, str]) -> Order:
    return Order(
        channel="ebay",
        shop_id="ebay-de",
        order_id="12-34567-89012",
        status=OrderStatus.SHIPPED,
        raw_status="FULFILLED",
        created_at=NOW - timedelta(days=4),
        modified_at=NOW - timedelta(days=3),
        total=Money.of(Decimal("19.90"), "EUR"),
        lines=(OrderLine("1", "BT-EAR-01", 1),),
        shipments=tuple(Shipment(carrier, number) for carrier, number in parcels),
    )


def queued(stack: LocalStack, queue: QueueSpec) -> list[dict]:
    found = stack.client("sqs").receive_message(QueueUrl=stack.queue_url(queue), MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in found.get("Messages", [])]


def test_only_shipped_events_reach_the_shipment_queue_and_every_event_the_ledger(world):
    # Given a new order's events and a shipped order's events
    stack, _carriers, _runner = world
    created = events_for(shipped_order(("4PX", "4PX3001518600001CN")), None, detected_at=NOW)

    # When the orders worker's publisher sends them
    orders_compose.order_events(stack.settings).publish(created)

    # Then the stock ledger's queue has both, the shipment queue only order.shipped
    assert sorted(e["event_type"] for e in queued(stack, ORDER_EVENTS_QUEUE)) == [
        "order.created",
        "order.shipped",
    ]
    assert [e["event_type"] for e in queued(stack, SHIPMENT_EVENTS_QUEUE)] == ["order.shipped"]


def test_a_shipped_order_is_registered_planned_and_refreshed_through_the_functions(world):
    # Given a shipped order with a 4PX and a Yanwen parcel that the carriers know
    stack, carriers, runner = world
    parcels = (("4PX", "4PX3001518600002CN"), ("Yanwen", "UH183800002YP"))
    for carrier, number in parcels:
        scans = journey(NOW - timedelta(days=3), random.Random(number), destination="DE")
        carriers.world.add(WorldParcel(number, carrier.lower(), scans))
    events = events_for(shipped_order(*parcels), None, detected_at=NOW)
    orders_compose.order_events(stack.settings).publish(
        [e for e in events if e["event_type"] == "order.shipped"]
    )

    # When the registrar drains its queue, then the planner fires and the worker drains its queue
    registered = runner.run_cycle(fire=[])
    refreshed = runner.run_cycle(fire=[TRACKING_PLANNER])

    # Then both parcels carry the carriers' scans, each from its own carrier, with no failed record
    assert registered.drained[SHIPMENT_EVENTS_QUEUE.logical_id].ok == 1
    assert refreshed.fired[TRACKING_PLANNER.name]["planned"] == 2
    assert refreshed.drained[TRACKING_TASKS_QUEUE.logical_id].failed == 0 and not refreshed.errors
    stored = ShipmentRepository().get_many(["4px#4PX3001518600002CN", "yanwen#UH183800002YP"])
    assert {p.source for p in stored.values()} == {"4px", "yanwen"}
    assert all(p.status is not TrackingStatus.PENDING and p.events for p in stored.values())
    assert all(p.order and p.order.order_id == "12-34567-89012" for p in stored.values())


def test_malformed_records_are_reported_failed_one_by_one(world):
    # Given a shipment-events batch with one good and one malformed record
    stack, _carriers, runner = world
    sqs = stack.client("sqs")
    event = events_for(shipped_order(("Yanwen", "UH183800003YP")), None, detected_at=NOW)[-1]
    for body in (json.dumps(event), "{not json"):
        sqs.send_message(QueueUrl=stack.queue_url(SHIPMENT_EVENTS_QUEUE), MessageBody=body)

    # When the registrar drains the queue once
    report = runner.drain(SHIPMENT_EVENTS_QUEUE, SHIPMENTS_REGISTRAR, max_batches=1)

    # Then the good record is acknowledged and only the malformed one goes back
    assert (report.ok, report.failed) == (1, 1)
    assert ShipmentRepository().get("yanwen#UH183800003YP") is not None


def test_a_shipped_order_with_a_bad_tracking_number_is_counted_alerted_and_not_registered(
    world, capfd, caplog
):
    # Given a shipped order whose second parcel's number was typed with a space
    stack, _carriers, runner = world
    good, bad = ("Yanwen", "UH183800004YP"), ("4PX", "4PX 3001518600004CN")
    events = events_for(shipped_order(good, bad), None, detected_at=NOW)
    orders_compose.order_events(stack.settings).publish(
        [e for e in events if e["event_type"] == "order.shipped"]
    )

    # When the registrar drains its queue
    report = runner.drain(SHIPMENT_EVENTS_QUEUE, SHIPMENTS_REGISTRAR)

    # Then the record succeeds (retrying cannot fix it), the good parcel is registered, the bad one
    # is not; it is counted, logged, and one alert names its order and what to do
    output = capfd.readouterr().out
    assert (report.ok, report.failed) == (1, 0)
    assert ShipmentRepository().get("yanwen#UH183800004YP") is not None
    assert [i.tracking_number for i in ShipmentRepository().all()] == ["UH183800004YP"]
    assert '"ShipmentNumbersRefused":[1.0]' in output
    [logged] = [r for r in caplog.records if r.getMessage() == "tracking numbers refused, not registered"]
    assert "4PX 3001518600004CN" in str(logged.refused)
    [alert] = [a for a in AlertModel.scan() if a.dedupe_key.startswith("tracking-number-refused:")]
    assert alert.subject == "[crossdock] 1 shipped parcel(s) not tracked: not a tracking number"
