"""The replenishment rule: 7-day velocity, cover for lead + review + safety days, packs rounded up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from crossdock.suppliers.rules.replenishment import (
    ReorderPolicy,
    StockPosition,
    Suggestion,
    cover_days,
    suggest,
)

SKU = "BT-EAR-01"


def position(on_hand: int = 0, reserved: int = 0, inbound: int = 0) -> StockPosition:
    return StockPosition(sku=SKU, on_hand=on_hand, reserved=reserved, inbound=inbound)


# sold_7d, position, lead, pack, expected quantity (None: no suggestion), expected target
# Default policy: review 7 + safety 3, so horizon = lead + 10 days.
CASES = [
    pytest.param(0, position(), 7, 1, None, None, id="zero-sales-nothing-to-buy"),
    pytest.param(0, position(on_hand=0, reserved=5), 7, 1, None, None, id="zero-sales-even-when-oversold"),
    pytest.param(21, position(on_hand=51), 7, 1, None, 51, id="exactly-covered"),
    pytest.param(21, position(on_hand=50), 7, 1, 1, 51, id="one-short-of-covered"),
    pytest.param(21, position(on_hand=4), 7, 1, 47, 51, id="issue-example"),
    pytest.param(21, position(on_hand=4), 7, 12, 48, 51, id="pack-rounds-up"),
    pytest.param(21, position(on_hand=3), 7, 12, 48, 51, id="pack-exact-multiple"),
    pytest.param(21, position(on_hand=16), 7, 12, 36, 51, id="pack-rounds-35-up-to-36"),
    pytest.param(21, position(on_hand=4, inbound=40), 7, 1, 7, 51, id="inbound-counted"),
    pytest.param(21, position(on_hand=11, inbound=40), 7, 1, None, 51, id="inbound-covers-it"),
    pytest.param(21, position(on_hand=30, reserved=26), 7, 1, 47, 51, id="reserved-subtracted"),
    pytest.param(21, position(on_hand=2, reserved=9), 7, 1, 51, 51, id="oversold-counts-as-zero"),
    pytest.param(1, position(), 0, 1, 2, 2, id="slow-mover-target-rounds-up"),
    pytest.param(7, position(), 0, 1, 10, 10, id="no-lead-time"),
]


@pytest.mark.parametrize(("sold", "pos", "lead", "pack", "quantity", "target"), CASES)
def test_suggestion_quantity(
    sold: int, pos: StockPosition, lead: int, pack: int, quantity: int | None, target: int | None
) -> None:
    # Given a SKU's 7-day sales and stock position
    # When the rule runs with the default policy
    result = suggest(SKU, sold, pos, lead_time_days=lead, pack_size=pack)
    # Then it suggests the shortfall in whole packs, or nothing when covered
    if quantity is None:
        assert result is None
    else:
        assert result is not None
        assert (result.quantity, result.target) == (quantity, target)
        assert result.quantity % pack == 0


def test_the_suggestion_explains_itself() -> None:
    # Given 21 sold in 7 days, 4 available and nothing inbound, a 7-day lead time
    # When the rule runs
    result = suggest(SKU, 21, position(on_hand=6, reserved=2), lead_time_days=7)
    # Then velocity, cover and reason are the figures purchasing reads
    assert result == Suggestion(
        sku=SKU,
        quantity=47,
        velocity=Decimal("3.00"),
        cover_days_left=Decimal("1.3"),
        target=51,
        reason="sold 21 in 7 days (3.0/day); 4 available + 0 inbound cover 1.3 days; lead time 7 days",
        sold_7d=21,
        available=4,
        inbound=0,
    )


def test_velocity_keeps_two_places_and_cover_rounds_down() -> None:
    # Given 10 sold in 7 days (1.428…/day) and 9 units held
    # When the rule runs
    result = suggest(SKU, 10, position(on_hand=9), lead_time_days=14)
    # Then velocity is 1.43 and the 6.3 days of cover are never overstated
    assert result is not None
    assert result.velocity == Decimal("1.43") and result.cover_days_left == Decimal("6.3")
    assert "(1.4/day)" in result.reason


def test_a_policy_changes_the_horizon() -> None:
    # Given a shorter review and no safety days
    policy = ReorderPolicy(review_days=1, safety_days=0)
    # When the rule runs for 14 sold (2/day) with a 3-day lead time
    result = suggest(SKU, 14, position(on_hand=2), lead_time_days=3, policy=policy)
    # Then the target is 2/day × 4 days = 8
    assert result is not None and (result.target, result.quantity) == (8, 6)


@pytest.mark.parametrize(
    ("have", "sold", "expected"),
    [
        pytest.param(0, 7, Decimal("0.0"), id="nothing-left"),
        pytest.param(4, 21, Decimal("1.3"), id="one-third-rounds-down"),
        pytest.param(20, 3, Decimal("46.6"), id="slow-seller"),
        pytest.param(5, 0, None, id="no-sales-no-cover-figure"),
    ],
)
def test_cover_days(have: int, sold: int, expected: Decimal | None) -> None:
    # Given units held and 7-day sales
    # When cover is computed
    # Then it is held ÷ daily rate, rounded down to a tenth
    assert cover_days(have, sold) == expected


@pytest.mark.parametrize(
    ("lead", "pack", "message"),
    [
        pytest.param(-1, 1, "lead time", id="negative-lead-time"),
        pytest.param(7, 0, "pack size", id="empty-pack"),
    ],
)
def test_nonsense_inputs_are_refused(lead: int, pack: int, message: str) -> None:
    # Given an impossible lead time or pack size
    # When the rule runs
    # Then it refuses rather than guessing
    with pytest.raises(ValueError, match=message):
        suggest(SKU, 7, position(), lead_time_days=lead, pack_size=pack)


def test_a_negative_policy_is_refused() -> None:
    # Given / When / Then a policy with negative days cannot be built
    with pytest.raises(ValueError, match="must not be negative"):
        ReorderPolicy(safety_days=-1)


def test_available_is_never_negative() -> None:
    # Given more reserved than on hand
    # When available is read
    # Then it is zero
    assert position(on_hand=2, reserved=9).available == 0
