"""The operations snapshot: every job's state on one page — shops, stock agreement, tracking
incidents, blocked products, dead letters, the last alerts — and the overall judgment.

`window` bounds the figures that count events (orders placed, pushes, alerts sent): the status
screen and the daily digest both look back a day by default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from crossdock.operations.rules.health import judge
from crossdock.operations.views import Snapshot

if TYPE_CHECKING:
    from crossdock.operations.ports import Stores

DAY = timedelta(days=1)
LAST_ALERTS = 10


@dataclass
class OperationsSnapshot:
    stores: Stores
    clock: Callable[[], datetime]

    def take(self, *, window: timedelta = DAY, alerts: int = LAST_ALERTS) -> Snapshot:
        now = self.clock()
        since = now - window
        snapshot = Snapshot(
            taken_at=now,
            since=since,
            shops=self.stores.shops(now, since),
            stock=self.stores.stock(since),
            tracking=self.stores.tracking(now),
            blocked=self.stores.blocked(),
            dead_letters=self.stores.dead_letters(),
            alerts=self.stores.alerts(since, alerts),
        )
        return replace(snapshot, health=judge(snapshot))
