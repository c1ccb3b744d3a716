"""Sellers' orders keep changing while crossdock pulls them: a background thread moves orders
through their lifecycle (created, paid, shipped, completed, cancelled, refunded) during each cycle.

Each cycle gets a fixed budget of changes, spread over the cycle and topped up at its end, so a seed
gives the same changes in every run (only their timing varies). A change is stamped with the
channel's modified time as the channel's search shows it: `now − settle lag`, the delay the settle
lag exists for, so every change made before a pull is inside that pull's settled window.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from crossdock_local.sandboxes.orderbook import OrderBook


class BookMutator:
    def __init__(
        self,
        books: Mapping[str, OrderBook],
        lags: Mapping[str, timedelta],
        *,
        per_cycle: int,
        seed: int,
        interval_s: float = 0.05,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.books = dict(books)
        self.lags = dict(lags)
        self.per_cycle = per_cycle
        self.interval_s = interval_s
        self.clock = clock
        self.rng = random.Random(f"mutator:{seed}")
        self.changes: Counter[tuple[str, str]] = Counter()  # (shop, kind) → count
        self._budget = 0
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> BookMutator:
        self._thread = threading.Thread(target=self._run, name="book-mutator", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stopped.wait(self.interval_s):
            self._change_one()

    def _change_one(self) -> bool:
        with self._lock:
            if self._budget <= 0:
                return False
            self._budget -= 1
            shop_id = self.rng.choice(sorted(self.books))
            stamp = (self.clock() - self.lags[shop_id]).replace(microsecond=0)
            for order in self.books[shop_id].mutate(1, now=stamp):
                self.changes[(shop_id, "created" if order.version == 1 else order.status)] += 1
            return True

    def begin_cycle(self) -> None:
        with self._lock:
            self._budget += self.per_cycle

    def end_cycle(self) -> None:
        """Apply what is left of the cycle's budget now (a fixed number of changes per cycle)."""
        while self._change_one():
            pass

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            self._budget = 0

    def total(self, shop_id: str | None = None) -> int:
        return sum(n for (shop, _), n in self.changes.items() if shop_id in (None, shop))

    def kinds(self, shop_id: str) -> dict[str, int]:
        return {kind: n for (shop, kind), n in sorted(self.changes.items()) if shop == shop_id}
