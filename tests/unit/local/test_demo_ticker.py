"""The demo's progress ticker says the step's real figures at each tick until the step ends, keeps
going when a count cannot be read, and says nothing once the step is over."""

from __future__ import annotations

import threading

from crossdock_local.demos.ticker import Ticker


class Ticks:
    """A `wait` that lets the test release one tick at a time (no clock involved)."""

    def __init__(self) -> None:
        self.allowed = threading.Semaphore(0)
        self.waited = threading.Semaphore(0)

    def wait(self, stop: threading.Event, seconds: float) -> bool:
        self.waited.release()
        while not self.allowed.acquire(timeout=0.01):
            if stop.is_set():
                return True
        return stop.is_set()

    def tick(self) -> None:
        assert self.waited.acquire(timeout=5)
        self.allowed.release()


def test_each_tick_says_the_figures_and_nothing_follows_the_end() -> None:
    # Given a step whose stored-order count grows, and a failing read in between
    said: list[str] = []
    counts = iter([1234, RuntimeError("table busy"), 2345])

    def figures() -> str:
        value = next(counts)
        if isinstance(value, Exception):
            raise value
        return f"cycle 1: {value:,} orders stored"

    ticks = Ticks()
    # When three ticks pass during the step, then it ends
    with Ticker(said.append, figures, wait=ticks.wait) as ticker:
        for _ in range(3):
            ticks.tick()
        assert ticks.waited.acquire(timeout=5)  # the third line is said before the step ends
    # Then each tick said its line, the failed read said so, and the thread is gone
    assert said == [
        "… cycle 1: 1,234 orders stored",
        "… (figures unavailable: RuntimeError: table busy)",
        "… cycle 1: 2,345 orders stored",
    ]
    assert ticker.ticks == 3 and not ticker._thread.is_alive()
