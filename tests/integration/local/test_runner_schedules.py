"""The runner fires a scheduled function when its EventBridge expression says so (pure logic)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from crossdock.orders.resources import ORDERS_PLANNER, ORDERS_RECONCILE_PLANNER
from crossdock.stock.resources import FBA_SYNC, STOCK_DAILY, STOCK_PLANNER
from crossdock_local.aws.runner import LocalRunner
from crossdock_local.aws.schedules import Schedule

MIDNIGHT = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)


def test_the_reconciliation_cron_fires_once_a_day_at_half_past_midnight() -> None:
    # Given
    schedule = Schedule.parse(ORDERS_RECONCILE_PLANNER.schedule or "")

    # When / Then
    assert schedule.fires_between(MIDNIGHT, MIDNIGHT + timedelta(minutes=30))
    assert not schedule.fires_between(MIDNIGHT + timedelta(minutes=30), MIDNIGHT + timedelta(hours=24))
    assert schedule.fires_between(
        MIDNIGHT + timedelta(minutes=30), MIDNIGHT + timedelta(hours=24, minutes=30)
    )


def test_rate_fires_after_its_period() -> None:
    # Given
    schedule = Schedule.parse(ORDERS_PLANNER.schedule or "")

    # When / Then
    assert not schedule.fires_between(MIDNIGHT, MIDNIGHT + timedelta(minutes=4, seconds=59))
    assert schedule.fires_between(MIDNIGHT, MIDNIGHT + timedelta(minutes=5))


def test_weekday_ranges_lists_and_steps_follow_eventbridge_numbering() -> None:
    # Given: 09:00–17:45 every 15 minutes, Monday to Friday (EventBridge: 1 = SUN)
    schedule = Schedule.parse("cron(0/15 9-17 ? * MON-FRI *)")
    saturday, monday = datetime(2026, 11, 21, 8, tzinfo=UTC), datetime(2026, 11, 23, 8, tzinfo=UTC)

    # When / Then
    assert not schedule.fires_between(saturday, saturday + timedelta(hours=12))
    assert schedule.fires_between(monday, monday + timedelta(hours=1, minutes=15))
    assert not schedule.fires_between(
        monday + timedelta(hours=1, minutes=15), monday + timedelta(hours=1, minutes=29)
    )


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 0 L * ? *)",
        "cron(0 0 ? * 6#3 *)",
        "cron(0 0 * * * *)",
        "cron(0 0 * *)",
        "rate(1 week)",
        "at(x)",
    ],
)
def test_unsupported_or_invalid_expressions_are_refused(expression: str) -> None:
    # When / Then
    with pytest.raises(ValueError):
        Schedule.parse(expression)


def test_runner_fires_the_planner_every_five_minutes_and_the_reconciliation_at_00_30() -> None:
    # Given: a clock the test moves (no AWS call is made by `due`)
    now = [MIDNIGHT + timedelta(minutes=20)]
    runner = LocalRunner({}, functions=[ORDERS_PLANNER, ORDERS_RECONCILE_PLANNER], clock=lambda: now[0])

    # When / Then
    assert runner.due() == [ORDERS_PLANNER]
    runner.last_fired[ORDERS_PLANNER.name] = now[0]
    now[0] += timedelta(minutes=5)
    assert runner.due() == [ORDERS_PLANNER]
    runner.last_fired[ORDERS_PLANNER.name] = now[0]
    now[0] += timedelta(minutes=5)
    assert runner.due() == [ORDERS_PLANNER, ORDERS_RECONCILE_PLANNER]


def test_stock_schedules_fba_hourly_drift_every_five_minutes_daily_check_at_three() -> None:
    # Given the stock functions' expressions
    fba, drift, daily = (Schedule.parse(s.schedule or "") for s in (FBA_SYNC, STOCK_PLANNER, STOCK_DAILY))

    # When / Then
    assert not fba.fires_between(MIDNIGHT, MIDNIGHT + timedelta(minutes=59)) and fba.fires_between(
        MIDNIGHT, MIDNIGHT + timedelta(hours=1)
    )
    assert drift.fires_between(MIDNIGHT, MIDNIGHT + timedelta(minutes=5))
    assert not daily.fires_between(MIDNIGHT, MIDNIGHT + timedelta(hours=2, minutes=59))
    assert daily.fires_between(MIDNIGHT + timedelta(hours=2, minutes=59), MIDNIGHT + timedelta(hours=3))
