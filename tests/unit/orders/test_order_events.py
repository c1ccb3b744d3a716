"""Which events a newly stored order version implies."""

from __future__ import annotations

from datetime import UTC, datetime

from crossdock.orders.events import SCHEMA
from crossdock.orders.rules.events import Previous, events_for
from crossdock.orders.rules.order import Money, Order, OrderLine, OrderStatus, Shipment

AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def order(status: OrderStatus, shipments=(), buyer_note: str = "") -> Order:
    return Order(
        "ebay",
        "ebay-de",
        "12-3",
        status,
        status.upper(),
        AT,
        AT,
        Money.of("9.99", "EUR"),
        (OrderLine("L1", "SKU-1", 2),),
        "Emma Müller",
        tuple(shipments),
        buyer_note,
    )


def kinds(new: Order, previous: Previous | None) -> list[str]:
    return [e["event_type"] for e in events_for(new, previous, detected_at=AT)]


def test_new_order_is_created():
    assert kinds(order(OrderStatus.PAID), None) == ["order.created"]


def test_new_order_already_shipped_also_announces_tracking():
    assert kinds(order(OrderStatus.SHIPPED, [Shipment("4PX", "4PX1CN")]), None) == [
        "order.created",
        "order.shipped",
    ]


def test_cancel_and_refund():
    assert kinds(order(OrderStatus.CANCELLED), Previous(OrderStatus.PAID, ())) == [
        "order.status_changed",
        "order.cancelled",
    ]
    assert kinds(order(OrderStatus.REFUNDED), Previous(OrderStatus.SHIPPED, ())) == [
        "order.status_changed",
        "order.refunded",
    ]


def test_tracking_added_without_status_change():
    previous = Previous(OrderStatus.SHIPPED, (Shipment("4PX", "A"),))
    events = events_for(
        order(OrderStatus.SHIPPED, [Shipment("4PX", "A"), Shipment("Yanwen", "B")]), previous, detected_at=AT
    )
    assert [e["event_type"] for e in events] == ["order.shipped"]
    assert events[0]["shipments"] == [{"carrier": "Yanwen", "tracking_number": "B"}]


def test_unchanged_status_without_new_tracking_is_silent():
    assert kinds(order(OrderStatus.PAID), Previous(OrderStatus.PAID, ())) == []


def test_event_ids_are_stable_and_schema_versioned():
    a = events_for(order(OrderStatus.PAID), None, detected_at=AT)[0]
    b = events_for(order(OrderStatus.PAID), None, detected_at=datetime(2026, 11, 22, tzinfo=UTC))[0]
    assert a["event_id"] == b["event_id"]
    assert a["schema"] == SCHEMA and a["schema_version"] == 1
    assert a["total"] == {"amount": "9.99", "currency": "EUR"}


def test_every_event_carries_the_buyer_note_as_received_in_schema_version_1():
    # Given a new, already shipped order whose buyer left a note with markup and a link
    note = "<b>Geschenk</b> – bitte https://example.com/tür 🎁"
    new = order(OrderStatus.SHIPPED, [Shipment("4PX", "4PX1CN")], buyer_note=note)
    # When
    events = events_for(new, None, detected_at=AT)
    # Then: an additive field, the schema version unchanged
    assert [e["event_type"] for e in events] == ["order.created", "order.shipped"]
    assert [e["buyer_note"] for e in events] == [note, note]
    assert {e["schema_version"] for e in events} == {1}


def test_an_order_without_a_note_announces_an_empty_one():
    # When
    [event] = events_for(order(OrderStatus.PAID), None, detected_at=AT)
    # Then
    assert event["buyer_note"] == ""


def test_every_event_route_names_a_queue_the_orders_job_declares() -> None:
    # Given the routes the orders worker publishes by (logical ids, kept out of the resources
    # module so the worker's cold start never loads the deployment specs)
    from crossdock.orders.events import ORDER_EVENT_ROUTES, EventType
    from crossdock.orders.resources import ORDER_EVENTS_QUEUE, SHIPMENT_EVENTS_QUEUE

    # Then each is a declared queue, and shipped events reach tracking
    assert set(ORDER_EVENT_ROUTES) == {ORDER_EVENTS_QUEUE.logical_id, SHIPMENT_EVENTS_QUEUE.logical_id}
    assert ORDER_EVENT_ROUTES[SHIPMENT_EVENTS_QUEUE.logical_id] == (EventType.SHIPPED.value,)
