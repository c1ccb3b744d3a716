"""The per-shop circuit breaker rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crossdock.shops.rules.breaker import HourHealth, Transition, due, judge

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_opens_above_threshold_with_enough_calls():
    assert (
        judge(
            is_open=False, hour=HourHealth(100, 6), run_failures=0, run_calls=5, threshold=0.05, min_calls=20
        )
        is Transition.OPENED
    )


def test_stays_closed_at_exactly_threshold_or_with_too_few_calls():
    assert (
        judge(
            is_open=False, hour=HourHealth(100, 5), run_failures=5, run_calls=5, threshold=0.05, min_calls=20
        )
        is Transition.NONE
    )
    assert (
        judge(
            is_open=False, hour=HourHealth(10, 5), run_failures=5, run_calls=10, threshold=0.05, min_calls=20
        )
        is Transition.NONE
    )


def test_closes_after_a_clean_degraded_run_only():
    assert (
        judge(
            is_open=True, hour=HourHealth(100, 50), run_failures=0, run_calls=3, threshold=0.05, min_calls=20
        )
        is Transition.CLOSED
    )
    assert (
        judge(
            is_open=True, hour=HourHealth(100, 50), run_failures=1, run_calls=3, threshold=0.05, min_calls=20
        )
        is Transition.NONE
    )
    assert (
        judge(is_open=True, hour=HourHealth(0, 0), run_failures=0, run_calls=0, threshold=0.05, min_calls=20)
        is Transition.NONE
    )


def test_degraded_shop_is_pulled_hourly():
    hour = timedelta(hours=1)
    assert due(is_open=False, last_pull_at=NOW, now=NOW, degraded_interval=hour)
    assert not due(is_open=True, last_pull_at=NOW - timedelta(minutes=59), now=NOW, degraded_interval=hour)
    assert due(is_open=True, last_pull_at=NOW - hour, now=NOW, degraded_interval=hour)
