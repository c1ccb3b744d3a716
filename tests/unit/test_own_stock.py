"""Own-warehouse stock: absolute imports are idempotent; adjustments apply once per id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from crossdock.storage.stock import StockRepository
from crossdock.usecases.own_stock import REMEMBER_FOR, Adjustment, OwnStock, remembered
from crossdock.usecases.stock_file import parse_stock_file

from tests.support.aws import moto_resources
from tests.support.fake_channel import ManualClock
from tests.support.stock_fakes import Announced

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def env():
    with moto_resources() as settings:
        stock = StockRepository(settings)
        announced = Announced()
        clock = ManualClock(NOW)
        yield OwnStock(stock, announced, clock), stock, announced, clock


def adjustment(adjustment_id: str, **change: int) -> Adjustment:
    return Adjustment.parse({"adjustment_id": adjustment_id, "sku": "A", "warehouse": "own:sz", **change})


def test_import_sets_absolute_counts_and_policy_once(env):
    # Given a file with two warehouses of A and a buffer, and B
    own, stock, announced, _ = env
    rows = parse_stock_file("sku,warehouse,on_hand,buffer\nA,own:sz,12,0.1\nA,own:bj,3,\nB,own:sz,0,\n")
    # When it is imported twice
    first = own.import_rows(rows)
    second = own.import_rows(rows)
    # Then the first run changed each SKU once, the second nothing
    assert (
        first.changed == {"A": 1, "B": 1} and second.changed == {} and sorted(second.unchanged) == ["A", "B"]
    )
    assert stock.sku("A").on_hand == {"own:sz": 12, "own:bj": 3} and stock.sku("A").policy == {
        "buffer": "0.1"
    }
    assert announced.calls == [({"A": 1, "B": 1}, "import")]


def test_import_leaves_other_warehouses_alone(env):
    # Given A with FBA units
    own, stock, _, _ = env
    stock.change_sku("A", lambda item: item.on_hand.update({"fba:amz-us": 5}) or True, now=NOW)
    # When own stock is imported
    own.import_rows(parse_stock_file("sku,warehouse,on_hand\nA,own:sz,2\n"))
    # Then both are on hand
    assert stock.sku("A").on_hand == {"fba:amz-us": 5, "own:sz": 2}


def test_adjustments_apply_once_per_id(env):
    # Given A with 10 units
    own, stock, announced, _ = env
    own.adjust(adjustment("set-1", on_hand=10))
    # When a delta arrives twice (an SQS redelivery)
    first = own.adjust(adjustment("d-1", delta=-3))
    again = own.adjust(adjustment("d-1", delta=-3))
    # Then it counted once
    assert (first.before, first.after, again.duplicate) == (10, 7, True)
    assert stock.sku("A").on_hand == {"own:sz": 7}
    assert [trigger for _, trigger in announced.calls] == ["adjustment", "adjustment"]


def test_a_redelivered_absolute_count_does_not_undo_later_changes(env):
    # Given an absolute count that changed nothing, then a delta
    own, stock, announced, _ = env
    own.adjust(adjustment("set-1", on_hand=0))
    own.adjust(adjustment("d-1", delta=4))
    # When the absolute count is redelivered
    result = own.adjust(adjustment("set-1", on_hand=0))
    # Then it is recognised and the delta stands; the unchanged count announced nothing
    assert result.duplicate and stock.sku("A").on_hand == {"own:sz": 4}
    assert len(announced.calls) == 1


def test_a_delta_never_takes_the_count_below_zero(env):
    own, stock, _, _ = env
    own.adjust(adjustment("set-1", on_hand=2))
    result = own.adjust(adjustment("d-1", delta=-5))
    assert (result.before, result.after) == (2, 0) and stock.sku("A").on_hand == {"own:sz": 0}


def test_ids_are_remembered_for_longer_than_the_queue_keeps_messages():
    # Given ids applied 16 days, 14 days and 1 minute ago
    applied = {
        "old": (NOW - timedelta(days=16)).isoformat(),
        "edge": (NOW - timedelta(days=14)).isoformat(),
        "new": (NOW - timedelta(minutes=1)).isoformat(),
    }
    # When pruned
    kept = remembered(applied, NOW)
    # Then the queue's 14-day retention is covered
    assert timedelta(days=14) < REMEMBER_FOR and set(kept) == {"edge", "new"}
