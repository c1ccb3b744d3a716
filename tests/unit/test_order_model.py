"""Money, time and status normalisation shared by every channel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from crossdock.domain.orders import Money, Order, OrderStatus, iso_z, parse_iso


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("25.99", "USD", Decimal("25.99")),
        ("2599", "JPY", Decimal("2599")),
        ("2599.4", "jpy", Decimal("2599")),
        (0.1 + 0.2, "EUR", Decimal("0.30")),
        ("1.2345", "KWD", Decimal("1.235")),
        ("200.07", "CNY", Decimal("200.07")),
    ],
)
def test_money_is_exact_and_rounded_to_the_currency(amount, currency, expected):
    money = Money.of(amount, currency)
    assert money.amount == expected and money.currency == currency.upper()
    assert money.amount.as_tuple().exponent == expected.as_tuple().exponent


def test_timestamps_become_utc_and_naive_ones_are_refused():
    # Given a GMT+8 timestamp
    cst = datetime(2026, 11, 21, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    order = Order("taobao", "s", "1", OrderStatus.PAID, "WAIT_SELLER_SEND_GOODS", cst, cst, None)
    # Then it is stored in UTC
    assert order.modified_at == datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        Order("taobao", "s", "1", OrderStatus.PAID, "X", datetime(2026, 1, 1), cst, None)


def test_iso_round_trip():
    assert iso_z(parse_iso("2026-11-21T10:00:00+08:00")) == "2026-11-21T02:00:00Z"
    assert iso_z(parse_iso("2026-11-21T02:00:00.123Z"), millis=True) == "2026-11-21T02:00:00.123Z"
