"""The pure part of `orders list`: which orders come first, and which queries are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from crossdock.orders.usecases.browse import OrderQuery, OrderSummary, newest_first

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def summary(order_id: str, created_min: int, modified_min: int | None = None) -> OrderSummary:
    created = T0 + timedelta(minutes=created_min)
    modified = created if modified_min is None else T0 + timedelta(minutes=modified_min)
    return OrderSummary(
        channel="taobao",
        shop_id="taobao-cn",
        order_id=order_id,
        status="paid",
        raw_status="WAIT_SELLER_SEND_GOODS",
        created_at=created,
        modified_at=modified,
        total_amount="10.00",
        currency="CNY",
        buyer_name="",
        units=1,
    )


def test_newest_first_by_creation_then_last_change_then_id() -> None:
    # Given orders read in no particular order, two created at the same minute
    orders = [summary("a", 1), summary("b", 5), summary("c", 3, 9), summary("d", 3, 4), summary("e", 3, 4)]
    # When the newest 4 are taken
    found = newest_first(iter(orders), 4)
    # Then
    assert [o.order_id for o in found] == ["b", "c", "e", "d"]


def test_fewer_orders_than_the_limit_are_all_returned() -> None:
    assert [o.order_id for o in newest_first([summary("a", 1), summary("b", 2)], 50)] == ["b", "a"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"limit": 0}, "--limit must be at least 1"),
        ({"status": "lost"}, "unknown order status 'lost'; known: pending, paid, shipped"),
        ({"since": T0, "until": T0}, "--since must be before --until"),
    ],
    ids=["limit", "status", "range"],
)
def test_bad_queries_are_refused_with_the_rule(query: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OrderQuery(**query)
