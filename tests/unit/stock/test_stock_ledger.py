"""Reservations from order events: idempotent per line, atomic with the SKU, oversold alerted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.usecases.ledger import StockLedger, consume_from

from tests.support.aws import moto_resources

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class Alerts:
    def __init__(self) -> None:
        self.sent = []

    def send(self, alert, *, now):
        self.sent.append(alert)
        return True


@pytest.fixture
def ledger():
    with moto_resources() as settings:
        stock = StockRepository(settings)
        stock.change_sku("BT-EAR-01", lambda item: item.on_hand.update({"own:sz": 3}) or True, now=NOW)
        announced: list[tuple[dict, str]] = []
        yield (
            StockLedger(stock, Alerts(), lambda v, t: announced.append((v, t)), lambda: NOW),
            stock,
            announced,
        )


def event(
    order: str, status: str, qty: int = 1, channel: str = "taobao", at: str = "2026-11-21T11:00:00.000Z"
):
    return {
        "event_type": "order.created",
        "channel": channel,
        "shop_id": f"{channel}-1",
        "order_id": order,
        "status": status,
        "occurred_at": at,
        "lines": [{"line_id": "1", "sku": "BT-EAR-01", "quantity": qty}],
    }


def test_reserve_is_idempotent_per_line(ledger):
    # Given a paid order
    ledger_, stock, announced = ledger
    # When its event arrives twice
    first = ledger_.apply(event("A", "paid", 2))
    second = ledger_.apply(event("A", "paid", 2))
    # Then two units are reserved once, and one change is announced
    assert (first.applied, second.applied, second.unchanged) == (1, 0, 1)
    assert int(stock.sku("BT-EAR-01").reserved) == 2
    assert len(announced) == 1


def test_last_unit_sold_twice_one_covered_one_oversold(ledger):
    # Given 3 on hand, 2 reserved
    ledger_, stock, _ = ledger
    ledger_.apply(event("A", "paid", 2))
    # When Taobao and Amazon both sell the last unit... and one more
    ledger_.apply(event("T-9", "paid", 1, channel="taobao"))
    report = ledger_.apply(event("114-1", "paid", 1, channel="amazon"))
    # Then the second is oversold and alerted with order, channel and SKU
    assert report.oversold == ["BT-EAR-01"]
    (alert,) = ledger_.alerts.sent
    assert "114-1" in alert.subject and "amazon" in alert.subject and "BT-EAR-01" in alert.subject
    assert "only 0 were free when it arrived (on hand 3, reserved by other orders 3)" in alert.what_happened
    assert int(stock.sku("BT-EAR-01").reserved) == 3  # never more than on hand


def test_cancel_releases_and_shipment_consumes(ledger):
    ledger_, stock, _ = ledger
    ledger_.apply(event("A", "paid", 2))
    ledger_.apply(event("B", "paid", 1))
    # When A is cancelled and B ships
    ledger_.apply(event("A", "cancelled", 2, at="2026-11-21T11:05:00.000Z"))
    ledger_.apply(event("B", "shipped", 1, at="2026-11-21T11:06:00.000Z"))
    item = stock.sku("BT-EAR-01")
    # Then nothing stays reserved and the shipped unit left the warehouse
    assert int(item.reserved) == 0 and item.on_hand_total == 2


def test_late_older_event_changes_nothing(ledger):
    ledger_, stock, _ = ledger
    ledger_.apply(event("A", "cancelled", 1, at="2026-11-21T11:05:00.000Z"))
    report = ledger_.apply(event("A", "paid", 1, at="2026-11-21T11:00:00.000Z"))
    assert report.applied == 0 and int(stock.sku("BT-EAR-01").reserved) == 0


def test_consumption_takes_own_warehouses_before_fba():
    assert consume_from({"fba:amazon-us": 5, "own:sz": 2, "own:la": 4}, 5) == {
        "fba:amazon-us": 5,
        "own:sz": 1,
        "own:la": 0,
    }


def test_lines_of_unmanaged_skus_are_skipped_without_alert(ledger):
    ledger_, _, announced = ledger
    unknown = event("Z", "paid")
    unknown["lines"][0]["sku"] = "NOT-STOCKED"
    report = ledger_.apply(unknown)
    assert report.unmanaged == 1 and not ledger_.alerts.sent and not announced
