"""Plan tracking refreshes: due parcels (by index) → carrier-grouped tasks on SQS; then the
digests of parcels in trouble — follow-up, escalation, stall — one each for the whole system
(incidents.py: why the planner sends them, not the workers).

Each planned parcel's next check is moved forward by a lease before its task is sent: an
overlapping planner run cannot plan it twice, and a task that is lost brings it back when the
lease ends. Tasks are sized to whole batches of the carrier's first source, so the calls made
stay at the minimum its batch size allows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from crossdock.carriers.registry import SOURCES
from crossdock.core.times import iso_z
from crossdock.tracking.rules.chains import chain_for
from crossdock.tracking.usecases.incidents import IncidentReport, TrackingIncidents

if TYPE_CHECKING:
    from crossdock.core.ports import AlertSink, TaskSink
    from crossdock.tracking.rules.policy import TrackingPolicy
    from crossdock.tracking.storage.shipments import ShipmentRepository
    from crossdock.tracking.storage.tables import ShipmentModel

from crossdock.tracking.tasks import TASK_KIND

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
    follow_ups_reported: int = 0  # parcels named in this run's follow-up digest
    escalated: int = 0  # parcels named in this run's escalation digest


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
        told = self.report_incidents()
        report.stalled_reported, report.follow_ups_reported = told.stalled, told.followed_up
        report.escalated = told.escalated
        return report

    def report_incidents(self) -> IncidentReport:
        """The follow-up, escalation and stall digests of everything the workers recorded since
        the last run (also run on its own by `crossdock tracking run` after its tasks)."""
        return TrackingIncidents(self.shipments, self.alerts, self.policy, self.clock).report()
