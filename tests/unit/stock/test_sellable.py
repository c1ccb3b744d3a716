"""The sellable-stock rule: buffer on on-hand, then reservations, minimum, cap; never negative, never
above what is free."""

from __future__ import annotations

from decimal import Decimal

import pytest
from crossdock.stock.rules.sellable import StockPolicy, sellable
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("on_hand", "reserved", "policy", "expected"),
    [
        (100, 0, StockPolicy(), 95),  # default 5 % buffer
        (45, 0, StockPolicy(), 42),  # floor(42.75)
        (10, 3, StockPolicy(), 6),  # floor(9.5) − 3
        (10, 3, StockPolicy(min_units=2), 4),
        (100, 95, StockPolicy(), 0),  # the buffer is on on-hand: 95 counted − 95 reserved, never 4
        (100, 90, StockPolicy(), 5),  # a 5 % counting error on 100 is 5 units, whatever is reserved
        (200, 50, StockPolicy(buffer=Decimal("0.1")), 130),
        (10, 12, StockPolicy(), 0),  # oversold never goes negative
        (100, 0, StockPolicy(cap=30), 30),
        (100, 0, StockPolicy(buffer=Decimal("0")), 100),
        (1, 0, StockPolicy(), 0),  # the last unit is held back by the buffer
        (20, 0, StockPolicy(buffer=Decimal("0.1")), 18),  # exact decimals: 20 × 0.9 is 18, not 17.999…
    ],
)
def test_examples(on_hand, reserved, policy, expected):
    assert sellable(on_hand, reserved, policy) == expected


def test_channel_override_merges_over_sku_policy():
    policy = StockPolicy(buffer=Decimal("0.05"), min_units=1).merged({"buffer": "0.2", "cap": 5})
    assert policy == StockPolicy(buffer=Decimal("0.2"), min_units=1, cap=5)


def test_invalid_policies_are_refused():
    with pytest.raises(ValueError, match="buffer"):
        StockPolicy(buffer=Decimal("1"))
    with pytest.raises(ValueError, match="negative"):
        StockPolicy(min_units=-1)


@given(
    on_hand=st.integers(0, 10**6),
    reserved=st.integers(0, 10**6),
    buffer=st.decimals(min_value=0, max_value=Decimal("0.99"), places=2),
    min_units=st.integers(0, 50),
    cap=st.one_of(st.none(), st.integers(0, 10**6)),
)
def test_never_negative_never_above_free_and_monotonic(on_hand, reserved, buffer, min_units, cap):
    policy = StockPolicy(buffer=buffer, min_units=min_units, cap=cap)
    quantity = sellable(on_hand, reserved, policy)
    assert 0 <= quantity <= max(0, on_hand - reserved)
    assert sellable(on_hand + 1, reserved, policy) >= quantity  # more stock never shows less
    assert sellable(on_hand, reserved + 1, policy) <= quantity  # a sale never shows more
    # the buffer protects on-hand whatever is reserved: at most on_hand × (1 − buffer) − reserved
    assert quantity <= max(0, on_hand * (1 - buffer) - reserved)
