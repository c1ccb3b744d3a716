"""The per-shop circuit breaker rule (pure).

Closed: pull every schedule tick. Open ("degraded"): a shop whose failed-call rate over the last hour
exceeds the threshold is pulled once an hour over its full window, so a flaky channel is not
hammered. It closes by itself when a degraded pull completes without a failed call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Transition(StrEnum):
    NONE = "none"
    OPENED = "opened"
    CLOSED = "closed"


@dataclass(frozen=True)
class HourHealth:
    calls: int
    failures: int

    @property
    def failure_rate(self) -> float:
        return self.failures / self.calls if self.calls else 0.0


def judge(
    *, is_open: bool, hour: HourHealth, run_failures: int, run_calls: int, threshold: float, min_calls: int
) -> Transition:
    if not is_open:
        if hour.calls >= min_calls and hour.failure_rate > threshold:
            return Transition.OPENED
        return Transition.NONE
    if run_calls > 0 and run_failures == 0:
        return Transition.CLOSED
    return Transition.NONE


def due(*, is_open: bool, last_pull_at: datetime | None, now: datetime, degraded_interval: timedelta) -> bool:
    """Whether the planner should enqueue a pull for the shop now."""
    if not is_open or last_pull_at is None:
        return True
    return now - last_pull_at >= degraded_interval
