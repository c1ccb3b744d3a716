"""Token buckets at the channels' documented rates (pure: the clock is injected).

State can be exported and restored, so a shop's bucket survives between Lambda invocations
(SP-API's 1-per-60-s getOrders would otherwise be throttled on every cold start).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: float

    def scaled(self, factor: float) -> Rate:
        return Rate(self.per_second * factor, self.burst)


class TokenBucket:
    def __init__(
        self,
        rate: Rate,
        *,
        clock: Callable[[], float] = time.monotonic,
        tokens: float | None = None,
        stamp: float | None = None,
    ) -> None:
        """`tokens` as saved at `stamp` (same clock): the time since then refills the bucket."""
        self.rate = rate
        self._clock = clock
        self._tokens = rate.burst if tokens is None else min(tokens, rate.burst)
        self._stamp = clock() if stamp is None else min(stamp, clock())

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.rate.burst, self._tokens + (now - self._stamp) * self.rate.per_second)
        self._stamp = now

    def reserve(self, cost: float = 1.0) -> float:
        """Take `cost` tokens (possibly going into debt) and return how long to wait before calling."""
        self._refill()
        self._tokens -= cost
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate.per_second

    def drain(self, wait_s: float, cost: float = 1.0) -> None:
        """The server said to wait `wait_s` before a call of `cost`: mirror it, so that after that
        wait exactly the call's tokens are there (and the calls after it pace themselves too)."""
        self._refill()
        self._tokens = min(self._tokens, cost - wait_s * self.rate.per_second)

    def set_rate(self, per_second: float) -> None:
        """Follow a rate the server announces (`x-amzn-RateLimit-Limit`, `restoreRate`)."""
        if per_second > 0:
            self._refill()
            self.rate = Rate(per_second, self.rate.burst)

    def set_level(self, available: float, burst: float | None = None) -> None:
        """Follow the level the server reports (Shopify `throttleStatus.currentlyAvailable`)."""
        self._refill()
        if burst:
            self.rate = Rate(self.rate.per_second, burst)
        self._tokens = min(available, self.rate.burst)

    @property
    def tokens(self) -> float:
        self._refill()
        return self._tokens
