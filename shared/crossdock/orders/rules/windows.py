"""Which time windows an incremental pull must read (pure).

A pull covers [checkpoint − overlap, now − settle lag], cut into chunks no longer than the channel
allows per call and never older than the history the channel keeps. A shop with no checkpoint
backfills from `now − backfill`. The checkpoint moves to a chunk's end only after every page of
that chunk is stored, so any chunk can be re-read safely (upserts are idempotent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from crossdock.core.times import utc


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"empty window {self.start.isoformat()} .. {self.end.isoformat()}")

    @property
    def span(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class ChannelLimits:
    """What a channel allows for incremental pulls."""

    max_window: timedelta  # longest window one call may ask for
    settle_lag: timedelta  # how far behind "now" a window must end
    history: timedelta | None = None  # how far back the channel keeps data
    page_size: int = 100


def plan_windows(
    *,
    checkpoint: datetime | None,
    now: datetime,
    limits: ChannelLimits,
    overlap: timedelta,
    backfill: timedelta,
) -> list[Window]:
    """The chunks to read, oldest first. Empty when there is nothing settled to read yet."""
    now = utc(now)
    end = now - limits.settle_lag
    start = (utc(checkpoint) - overlap) if checkpoint else (now - backfill)
    if limits.history is not None:
        # Keep a margin so the channel's own "3 months" boundary is not crossed while we page.
        start = max(start, now - limits.history + timedelta(minutes=10))
    windows: list[Window] = []
    while start < end:
        chunk_end = min(start + limits.max_window, end)
        windows.append(Window(start, chunk_end))
        start = chunk_end
    return windows
