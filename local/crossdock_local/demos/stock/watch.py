"""Watching what channels show: a thread polls each sandbox's `quantity(shop, sku)` and keeps every
change with the moment it was first seen, so a latency is measured where a buyer would see it; and
`drive`, which runs the local runner until a condition holds.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from crossdock.core.specs import FunctionSpec

from crossdock_local.aws.runner import LocalRunner

POLL_S = 0.02  # how often the watch reads the sandboxes
IDLE_S = 0.05  # between runner rounds that found nothing to do (a failed record reappears after 1 s)
MAX_ROUNDS = 600

Key = tuple[str, str]  # (shop id, sku)


class QuantityWatch:
    def __init__(self, read: Callable[[str, str], int], *, poll_s: float = POLL_S) -> None:
        """`read(shop_id, sku)` is what the channel shows now."""
        self.read = read
        self.poll_s = poll_s
        self.seen: dict[Key, list[tuple[float, int]]] = {}  # key → [(monotonic time, value)], changes only
        self._lock = threading.Lock()

    def watch(self, keys: Iterable[Key]) -> None:
        """Start watching these keys (their current value is the first one seen)."""
        for key in keys:
            if key not in self.seen:
                self._sample(key)

    @contextlib.contextmanager
    def polling(self) -> Iterator[None]:
        """Poll the watched keys from a thread while the block runs."""
        stopped = threading.Event()
        thread = threading.Thread(target=self._run, args=(stopped,), name="quantity-watch", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stopped.set()
            thread.join()

    def _run(self, stopped: threading.Event) -> None:
        while not stopped.wait(self.poll_s):
            with self._lock:
                keys = list(self.seen)
            for key in keys:
                self._sample(key)

    def _sample(self, key: Key) -> None:
        value = self.read(*key)
        now = time.monotonic()
        with self._lock:
            history = self.seen.setdefault(key, [])
            if not history or history[-1][1] != value:
                history.append((now, value))

    def reached(self, key: Key, value: int, since: float) -> float | None:
        """When the key first showed `value` at or after `since` (`since` itself if it already did)."""
        self._sample(key)
        with self._lock:
            history = list(self.seen.get(key, []))
        before = [v for t, v in history if t <= since]
        if before and before[-1] == value:
            return since
        return next((t for t, v in history if t > since and v == value), None)


@dataclass
class Drive:
    done: bool
    rounds: int
    errors: list[str] = field(default_factory=list)


def drive(
    runner: LocalRunner,
    done: Callable[[], bool],
    *,
    fire: Sequence[FunctionSpec] = (),
    max_rounds: int = MAX_ROUNDS,
) -> Drive:
    """Fire `fire` once, then run the runner's queues round after round until `done()` holds; a
    round that drained nothing waits IDLE_S before the next (a failed record's visibility is 1 s)."""
    result = Drive(done=False, rounds=0)
    plan = list(fire)
    while result.rounds < max_rounds:
        cycle = runner.run_cycle(fire=plan)
        plan = []
        result.rounds += 1
        result.errors += cycle.errors
        if done():
            result.done = True
            return result
        if not any(d.batches for d in cycle.drained.values()):
            time.sleep(IDLE_S)
    return result
