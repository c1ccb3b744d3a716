"""Order JSON of the 2026-01-01 model → Order, checked on the model's own examples."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from crossdock.channels.amazon.normalize import to_order
from crossdock.core.errors import InvalidResponseError
from crossdock.orders.rules.order import Money, OrderLine, OrderStatus, Shipment

MODEL = Path(__file__).resolve().parents[2] / "contracts" / "models" / "amazon" / "orders_2026-01-01.json"
SEARCH_200 = json.loads(MODEL.read_text(encoding="utf-8"))["paths"]["/orders/2026-01-01/orders"]["get"][
    "responses"
]["200"]


def us_example() -> dict[str, Any]:
    """The documented example: a shipped USD order, its one package delivered."""
    return copy.deepcopy(SEARCH_200["examples"]["application/json"]["orders"][0])


def jp_example() -> dict[str, Any]:
    """The static-sandbox fixture for Amazon.co.jp: JPY amounts without decimals."""
    return copy.deepcopy(SEARCH_200["x-amzn-api-sandbox"]["static"][0]["response"]["orders"][0])


def test_the_documented_example_becomes_a_complete_order() -> None:
    # Given
    raw = us_example()
    # When
    order = to_order(raw, shop_id="us-1")
    # Then
    assert order.order_id == "123-4567890-1234567"
    assert order.created_at == datetime(2024, 12, 25, 10, 30, tzinfo=UTC)
    assert order.modified_at == datetime(2024, 12, 25, 14, 45, tzinfo=UTC)
    assert order.status is OrderStatus.COMPLETED  # SHIPPED, and the package says DELIVERED
    assert order.raw_status == "SHIPPED"
    assert order.total == Money(Decimal("154.99"), "USD")
    assert order.buyer_name == "John Smith"
    assert order.shipments == (Shipment("UPS", "1Z999AA1234567890"),)
    assert order.lines[0] == OrderLine(
        line_id="12345678901234",
        sku="ECHO-DOT-4-CHARCOAL",
        quantity=2,
        unit_price=Money(Decimal("49.99"), "USD"),
        title="Echo Dot (4th Gen) | Smart speaker with Alexa | Charcoal",
    )
    assert order.raw == raw


def test_yen_amounts_keep_no_decimals() -> None:
    # Given
    raw = jp_example()
    # When
    order = to_order(raw, shop_id="jp-1")
    # Then
    assert order.total == Money(Decimal("19940"), "JPY")
    assert str(order.total.amount) == "19940"
    assert [line.unit_price for line in order.lines] == [
        Money(Decimal("5980"), "JPY"),
        Money(Decimal("6980"), "JPY"),
    ]
    assert "Echo Dot (第4世代)" in order.lines[0].title


@pytest.mark.parametrize(
    ("fulfillment_status", "expected"),
    [
        ("PENDING_AVAILABILITY", OrderStatus.PENDING),
        ("PENDING", OrderStatus.PENDING),
        ("UNSHIPPED", OrderStatus.PAID),
        ("PARTIALLY_SHIPPED", OrderStatus.PAID),
        ("SHIPPED", OrderStatus.SHIPPED),
        ("CANCELLED", OrderStatus.CANCELLED),
        ("UNFULFILLABLE", OrderStatus.CANCELLED),
    ],
)
def test_fulfillment_status_maps_to_the_order_status(fulfillment_status: str, expected: OrderStatus) -> None:
    # Given
    raw = us_example()
    raw["fulfillment"]["fulfillmentStatus"] = fulfillment_status
    raw["packages"][0]["packageStatus"]["status"] = "IN_TRANSIT"
    # When
    order = to_order(raw, shop_id="us-1")
    # Then
    assert order.status is expected
    assert order.raw_status == fulfillment_status


def test_shipped_stays_shipped_until_every_package_is_delivered() -> None:
    # Given
    raw = us_example()
    raw["packages"].append({"packageReferenceId": "2", "packageStatus": {"status": "IN_TRANSIT"}})
    # When
    order = to_order(raw, shop_id="us-1")
    # Then
    assert order.status is OrderStatus.SHIPPED
    assert len(order.shipments) == 1  # the package without a tracking number is no shipment


def test_datasets_not_returned_leave_their_fields_empty() -> None:
    # Given
    raw = us_example()
    for dataset in ("buyer", "proceeds", "packages"):
        del raw[dataset]
    del raw["orderItems"][0]["product"]["price"]
    # When
    order = to_order(raw, shop_id="us-1")
    # Then
    assert (order.total, order.buyer_name, order.shipments) == (None, "", ())
    assert order.lines[0].unit_price is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw.pop("fulfillment"),
        lambda raw: raw["fulfillment"].update(fulfillmentStatus="LOST_IN_SPACE"),
        lambda raw: raw.pop("orderItems"),
        lambda raw: raw.pop("lastUpdatedTime"),
        lambda raw: raw["proceeds"]["grandTotal"].update(amount="twelve"),
        lambda raw: raw["orderItems"][0].pop("quantityOrdered"),
    ],
)
def test_an_order_missing_what_we_need_is_an_invalid_response(damage: Any) -> None:
    # Given
    raw = us_example()
    damage(raw)
    # When / Then
    with pytest.raises(InvalidResponseError, match="123-4567890-1234567"):
        to_order(raw, shop_id="us-1")
