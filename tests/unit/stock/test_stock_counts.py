"""Unit counts from outside: whole units from 0 to the ceiling, everything else refused by name."""

from __future__ import annotations

from decimal import Decimal

import pytest
from crossdock.stock.rules.counts import UnitsRefused, units, units_after, units_change

SOURCE = "FBA fulfillableQuantity for SKU X in shop amz-us"
CEILING = 1_000_000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (7, 7),
        ("12", 12),
        (" 12 ", 12),
        ("007", 7),
        ("+5", 5),
        (CEILING, CEILING),
        (str(CEILING), CEILING),
    ],
)
def test_whole_units_up_to_the_ceiling_are_believed(value, expected):
    # Given / When / Then
    assert units(value, source=SOURCE, ceiling=CEILING) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, f"{SOURCE}: -1 is negative"),
        ("-3", f"{SOURCE}: '-3' is negative"),
        (3.5, f"{SOURCE}: 3.5 is not a whole number"),
        (3.0, f"{SOURCE}: 3.0 is not a whole number"),
        (Decimal("2.5"), f"{SOURCE}: 2.5 is not a whole number"),
        ("3.5", f"{SOURCE}: '3.5' is not a whole number"),
        ("1e3", f"{SOURCE}: '1e3' is not a whole number"),
        ("abc", f"{SOURCE}: 'abc' is not a number"),
        ("²", f"{SOURCE}: '²' is not a number"),  # a Unicode digit: isdigit() says yes, int() says no
        (True, f"{SOURCE}: True is not a number"),
        ([3], f"{SOURCE}: [3] is not a number"),
        (None, f"{SOURCE} is missing"),
        ("  ", f"{SOURCE} is missing"),
        (
            CEILING + 1,
            f"{SOURCE}: 1000001 is above the ceiling of 1,000,000 units (CROSSDOCK_STOCK_MAX_UNITS)",
        ),
        (10**40, f"{SOURCE}: 100000000000… (41 digits) is above the ceiling"),
        ("9" * 60, f"{SOURCE}: '{'9' * 40}…' is above the ceiling"),
        ("1" * 5000, f"{SOURCE}: '{'1' * 40}…' has 5000 digits: no count is that large"),
    ],
)
def test_a_count_that_cannot_be_true_is_refused_naming_source_and_value(value, message):
    # Given a count from outside that is not whole units from 0 to the ceiling
    # When it is checked
    with pytest.raises(UnitsRefused) as caught:
        units(value, source=SOURCE, ceiling=CEILING)
    # Then the refusal (a ValueError) says where it came from, what it was, and what is wrong
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, ValueError) and caught.value.source == SOURCE


def test_the_ceiling_is_the_callers_setting():
    # Given a ceiling of 50 units / When / Then
    assert units(50, source="on_hand", ceiling=50) == 50
    with pytest.raises(UnitsRefused, match=r"on_hand: 51 is above the ceiling of 50 units"):
        units(51, source="on_hand", ceiling=50)


@pytest.mark.parametrize(("value", "expected"), [(-3, -3), ("-3", -3), (5, 5), (-CEILING, -CEILING)])
def test_a_change_may_be_negative_within_the_ceiling(value, expected):
    assert units_change(value, source="delta", ceiling=CEILING) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [(-CEILING - 1, "is beyond ±1,000,000 units"), (1.5, "not a whole number"), ("x", "not a number")],
)
def test_a_change_that_cannot_be_true_is_refused(value, reason):
    with pytest.raises(UnitsRefused, match=reason):
        units_change(value, source="delta", ceiling=CEILING)


def test_a_change_below_zero_or_above_the_ceiling_is_refused_not_clamped():
    # Given / When / Then
    assert units_after(2, -2, source="delta", ceiling=10) == 0
    with pytest.raises(UnitsRefused, match=r"delta: -5 would take 2 units to -3, below zero"):
        units_after(2, -5, source="delta", ceiling=10)
    with pytest.raises(UnitsRefused, match=r"delta: 5 would take 6 units to 11, above the ceiling of 10"):
        units_after(6, 5, source="delta", ceiling=10)
