"""Own-warehouse stock: absolute imports are idempotent; adjustments apply once per id."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.usecases.file import parse_stock_file
from crossdock.stock.usecases.own_stock import REMEMBER_FOR, Adjustment, OwnStock, remembered

from tests.support.aws import moto_resources
from tests.support.fake_channel import ManualClock
from tests.support.stock_fakes import Alerts, Announced

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def env():
    with moto_resources() as settings:
        stock = StockRepository(settings)
        announced = Announced()
        clock = ManualClock(NOW)
        yield OwnStock(stock, announced, clock, Alerts(), max_units=100), stock, announced, clock


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


def test_a_delta_below_zero_is_refused_not_clamped(env):
    # Given A with 2 units in own:sz
    own, stock, announced, _ = env
    own.adjust(adjustment("set-1", on_hand=2))
    # When a delta of -5 arrives
    result = own.adjust(adjustment("d-1", delta=-5))
    # Then it is refused and reported; the count, the version and the remembered ids stay as they were
    assert (
        result.refused == "delta of adjustment d-1 (SKU A in own:sz): -5 would take 2 units to -3, below zero"
    )
    assert (result.before, result.after, result.version, result.duplicate) == (2, 2, None, False)
    item = stock.sku("A")
    assert item.on_hand == {"own:sz": 2} and int(item.version) == 1 and set(item.adjustments) == {"set-1"}
    assert len(announced.calls) == 1


def test_a_delta_taking_the_count_above_the_ceiling_is_refused(env):
    # Given A with 60 units (the ceiling is 100)
    own, stock, _, _ = env
    own.adjust(adjustment("set-1", on_hand=60))
    # When +40 and then +41 arrive
    exactly = own.adjust(adjustment("d-1", delta=40))
    above = own.adjust(adjustment("d-2", delta=1))
    # Then the ceiling itself is reached, one unit above it is refused
    assert (exactly.after, exactly.refused) == (100, "")
    assert "would take 100 units to 101, above the ceiling of 100 units" in above.refused
    assert stock.sku("A").on_hand == {"own:sz": 100}


def test_a_refused_adjustment_is_alerted_and_a_corrected_one_may_keep_its_id(env):
    # Given A with 2 units
    own, stock, announced, _ = env
    own.adjust(adjustment("set-1", on_hand=2))
    body = {"adjustment_id": "d-1", "sku": "A", "warehouse": "own:sz"}
    # When a delta of -5 arrives from the queue, then the corrected one with the same id
    refused = own.receive(json.dumps({**body, "delta": -5}))
    corrected = own.receive(json.dumps({**body, "delta": -2}))
    # Then the first is refused and alerted (what, why, unchanged, what to do), the second applies
    (alert,) = own.alerts.sent
    assert refused.refused and alert.dedupe_key == "stock-adjustment-refused:id:d-1"
    assert alert.details[0] == refused.refused and "below zero" in alert.details[0]
    assert "unchanged" in alert.subject and "Send a corrected adjustment" in alert.what_to_do
    assert (corrected.refused, corrected.after) == ("", 0) and stock.sku("A").on_hand == {"own:sz": 0}
    assert [trigger for _, trigger in announced.calls] == ["adjustment", "adjustment"]


@pytest.mark.parametrize(
    ("body", "key", "reason"),
    [
        (
            '{"adjustment_id": "a-9", "sku": "A", "warehouse": "own:sz", "on_hand": -3}',
            "id:a-9",
            "-3 is negative",
        ),
        (
            '{"adjustment_id": "a-9", "sku": "A", "warehouse": "own:sz", "on_hand": 101}',
            "id:a-9",
            "above the ceiling",
        ),
        (
            '{"adjustment_id": "a-9", "sku": "A", "warehouse": "fba:amz-us", "delta": 1}',
            "id:a-9",
            "FBA stock",
        ),
        ('{"sku": "A", "warehouse": "own:sz", "delta": 1}', "body:", "adjustment_id is missing"),
        ("{not json", "body:", "the message is not JSON"),
        ("null", "body:", "an adjustment is a JSON object"),
    ],
)
def test_a_message_that_is_no_believable_adjustment_changes_nothing_and_is_alerted(env, body, key, reason):
    # Given A with 5 units
    own, stock, announced, _ = env
    own.adjust(adjustment("set-1", on_hand=5))
    # When the message is received
    result = own.receive(body)
    # Then nothing changed; one alert, keyed by the adjustment id or else the body's hash, says why
    assert reason in result.refused and result.version is None
    assert stock.sku("A").on_hand == {"own:sz": 5} and int(stock.sku("A").version) == 1
    assert len(announced.calls) == 1
    (alert,) = own.alerts.sent
    assert (
        alert.dedupe_key.startswith(f"stock-adjustment-refused:{key}") and alert.details[0] == result.refused
    )


def test_the_same_refused_body_keys_its_alert_alike_and_another_body_differently(env):
    # Given / When two deliveries of one body without an id, and another body
    own, _, _, _ = env
    for body in ("{not json", "{not json", "{not json either"):
        own.receive(body)
    # Then the first two share a dedupe key (the sender suppresses the repeat), the third has its own
    first, again, other = (alert.dedupe_key for alert in own.alerts.sent)
    assert first == again != other


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
