"""A line every few seconds while a long demo step runs (the first pull, a tracking round), so the
person watching sees it move. The figures come from a callable reading real counts (orders stored,
tasks done, parcels checked); nothing is estimated. Plain lines on the demo's output stream, whether
or not it is a terminal, so tests and logs read the same text."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

EVERY_S = 5.0


class Ticker:
    """`with Ticker(say, figures):` says `… {figures()}` every `every` seconds until the block ends.

    `wait(stop, seconds)` is injectable: tests drive the ticks without waiting on the clock."""

    def __init__(
        self,
        say: Callable[[str], None],
        figures: Callable[[], str],
        *,
        every: float = EVERY_S,
        wait: Callable[[threading.Event, float], bool] | None = None,
    ) -> None:
        self.say = say
        self.figures = figures
        self.every = every
        self.wait = wait or (lambda stop, seconds: stop.wait(seconds))
        self.ticks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, name="demo-ticker", daemon=True)

    def __enter__(self) -> Ticker:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _tick(self) -> None:
        while not self.wait(self._stop, self.every) and not self._stop.is_set():
            try:
                line = self.figures()
            except Exception as exc:  # a count that cannot be read now must not end the step
                line = f"(figures unavailable: {type(exc).__name__}: {exc})"
            self.ticks += 1
            self.say(f"… {line}")
