"""Plan tracking refreshes: due parcels (by index) → carrier-grouped tasks on SQS; stall digest.

Each planned parcel's next check is moved forward by a lease before its task is sent: an
overlapping planner run cannot plan it twice, and a task that is lost brings it back when the
lease ends. Tasks are sized to whole batches of the carrier's first source, so the calls made
stay at the minimum its batch size allows.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crossdock.adapters.tracking.registry import SOURCES, chain_for
from crossdock.domain.orders import iso_z
from crossdock.domain.tracking_policy import TrackingPolicy
from crossdock.storage.shipments import ShipmentRepository
from crossdock.storage.tracking_models import ShipmentModel
from crossdock.usecases.ports import AlertSink, TaskSink
from crossdock.usecases.track_alerts import stall_digest

TASK_KIND = "tracking.refresh"
NUMBERS_PER_TASK = 150  # rounded up to whole batches of the first source (4PX 150 calls, 17TRACK 4)


def task_size(carrier: str, chains: Mapping[str, tuple[str, ...]]) -> int:
    batch = SOURCES[chain_for(carrier, chains)[0]].max_batch
    return batch * math.ceil(NUMBERS_PER_TASK / batch)


@dataclass
class PlanReport:
    due: int = 0
    planned: int = 0
    tasks: int = 0
    by_carrier: dict[str, int] = field(default_factory=dict)
    stalled_reported: int = 0


@dataclass
class TrackingPlanner:
    shipments: ShipmentRepository
    tasks: TaskSink
    alerts: AlertSink
    policy: TrackingPolicy
    chains: Mapping[str, tuple[str, ...]]
    clock: Callable[[], datetime]
    lease: timedelta = timedelta(minutes=30)

    def plan(self) -> PlanReport:
        now = self.clock()
        report = PlanReport()
        by_carrier: dict[str, list[ShipmentModel]] = defaultdict(list)
        for item in self.shipments.due(now):
            by_carrier[item.carrier].append(item)
            report.due += 1
        for carrier, items in sorted(by_carrier.items()):
            keys = self.shipments.postpone(items, now + self.lease)
            size = task_size(carrier, self.chains)
            tasks = [
                {
                    "kind": TASK_KIND,
                    "carrier": carrier,
                    "parcels": keys[i : i + size],
                    "planned_at": iso_z(now),
                }
                for i in range(0, len(keys), size)
            ]
            self.tasks.enqueue(tasks)
            report.planned += len(keys)
            report.tasks += len(tasks)
            report.by_carrier[carrier] = len(keys)
        report.stalled_reported = self._report_stalls(now)
        return report

    def _report_stalls(self, now: datetime) -> int:
        """One digest for every stall noticed since the last run; each stall is reported once."""
        items = self.shipments.stalled_unreported()
        if not items:
            return 0
        lines = [_stall_line(item, now) for item in items]
        batch = hashlib.sha256("|".join(sorted(i.parcel_key for i in items)).encode()).hexdigest()[:16]
        self.alerts.send(stall_digest(lines, now, batch), now=now)
        return len(self.shipments.mark_reported(items))


def _stall_line(item: ShipmentModel, now: datetime) -> str:
    since = item.stalled_since or item.last_event_at or item.handed_over_at
    days = (now - since).total_seconds() / 86400
    last = (item.events or [{}])[-1]
    order = f"order {item.order_id} on {item.channel}/{item.shop_id}" if item.order_id else "no order on file"
    scan = f"{last.get('at', '')} {last.get('description', 'no scan yet')}".strip()
    return (
        f"{order}, {item.carrier.upper()} {item.tracking_number}, last event: {scan}, stalled {days:.1f} days"
    )
