"""Money, time, status and buyer-note normalisation shared by every channel, and the stored item."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from crossdock.core.times import iso_z, parse_iso
from crossdock.orders.rules.order import MAX_BUYER_NOTE, Money, Order, OrderStatus
from crossdock.orders.storage.orders import OrderRepository
from crossdock.orders.storage.tables import OrderModel

from tests.support.aws import moto_resources


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


def noted_order(note: str) -> Order:
    at = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
    raw = {"tid": 1, "buyer_message": note}
    return Order(
        "taobao", "s", "1", OrderStatus.PAID, "WAIT_SELLER_SEND_GOODS", at, at, None, buyer_note=note, raw=raw
    )


def test_a_buyer_note_is_kept_as_received_up_to_the_bound():
    # Given a note with control characters, markup and an emoji, and one far too long
    received = "请尽快发货\u0007 <b>gift</b> https://example.com 🎁"
    long = "好" * (MAX_BUYER_NOTE + 500)
    # When
    kept, cut = noted_order(received), noted_order(long)
    # Then: stored as received (display makes it inert); the long one cut to the bound, marked
    assert kept.buyer_note == received
    assert len(cut.buyer_note) == MAX_BUYER_NOTE == 1000
    assert cut.buyer_note == "好" * (MAX_BUYER_NOTE - 1) + "…"
    assert cut.raw["buyer_message"] == long  # the raw payload keeps the whole text


def test_the_buyer_note_round_trips_through_the_order_item_and_its_events():
    # Given
    note = "Please gift-wrap – <i>it's a present</i> 🎁"
    with moto_resources():
        # When
        OrderRepository().store_page([noted_order(note)], now=datetime(2026, 11, 21, 3, 0, tzinfo=UTC))
        item = OrderModel.get("taobao#s", "1", consistent_read=True)
    # Then: the item, its outbox event and its compressed raw payload all carry it
    assert item.buyer_note == note
    assert [e["buyer_note"] for e in item.pending_events] == [note]
    assert item.raw["buyer_message"] == note
