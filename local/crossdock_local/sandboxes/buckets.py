"""The sandboxes' own token buckets: what a platform's server keeps per caller (pure but for the clock).

A rate is a restore rate and a bucket size (the platforms' "rate" and "burst"). The sandboxes keep
their own, so a client's pacing is checked against the documented figures, not against itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, eq=False)
class Rate:
    """Tokens restored per second and the bucket's size. A rate is its two numbers: it equals any rate
    object with the same `per_second` and `burst` (tests compare a client's documented rates with the
    sandbox's this way)."""

    per_second: float
    burst: float

    def scaled(self, factor: float) -> Rate:
        return Rate(self.per_second * factor, self.burst)

    def __eq__(self, other: object) -> bool:
        try:
            return (self.per_second, self.burst) == (other.per_second, other.burst)  # type: ignore[attr-defined]
        except AttributeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash((self.per_second, self.burst))


class Bucket:
    """A leaky bucket as the server sees it: full at first, refilled at the rate, spent per request."""

    def __init__(self, rate: Rate, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._clock = clock
        self._tokens = rate.burst
        self._stamp = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.rate.burst, self._tokens + (now - self._stamp) * self.rate.per_second)
        self._stamp = now

    @property
    def tokens(self) -> float:
        self._refill()
        return self._tokens

    def spend(self, cost: float = 1.0) -> None:
        """Take `cost` tokens (the level may go below zero only if the caller allowed it)."""
        self._refill()
        self._tokens -= cost

    def set_level(self, level: float) -> None:
        """Put the bucket at `level` (at most full): a refund, or points spent elsewhere."""
        self._refill()
        self._tokens = min(level, self.rate.burst)
