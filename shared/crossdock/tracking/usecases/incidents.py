"""Tell people about parcels in trouble: one digest per incident, however many tasks it spanned.

Run by the tracking planner (every 15 minutes, once for the whole system), never by the workers.
An outage reaches the workers as many tasks — the planner splits due parcels by carrier and by
batch size — and each worker only records what it found on the parcel: `follow_up_since` (every
source failing since then: the incident window) and `last_failure` (why, per source). The
"attention" index holds every parcel in such a state, so one run here sees all of them at once:

- follow-up: ONE digest names every parcel whose window opened since the last run; each is then
  marked reported at this run's time (and waits for its escalation).
- escalation: 2 hours after a follow-up digest, ONE digest names every parcel it named whose window
  is still open. The clock starts at the digest, not at each window: the parcels of one outage
  opened their windows minutes apart in different tasks, and still escalate together.
- stall: ONE digest names every stall the workers noticed since the last run.

Each digest's dedupe key is made of its parcels and their windows: a run that crashed between the
e-mail and the marks sends the same key again, which the alert dedupe suppresses; a parcel whose
window closed (a good answer) and opened again later is a new incident and is named again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from crossdock.tracking.storage.shipments import ESCALATION, FOLLOW_UP, ShipmentRepository, to_parcel
from crossdock.tracking.usecases.alerts import escalation_digest, follow_up_digest, stall_digest

if TYPE_CHECKING:
    from crossdock.core.ports import AlertSink
    from crossdock.tracking.rules.parcel import Parcel
    from crossdock.tracking.rules.policy import TrackingPolicy
    from crossdock.tracking.storage.tables import ShipmentModel


@dataclass
class IncidentReport:
    followed_up: int = 0  # parcels named in this run's follow-up digest
    escalated: int = 0  # parcels named in this run's escalation digest
    stalled: int = 0  # stalls named in this run's stall digest


@dataclass
class TrackingIncidents:
    shipments: ShipmentRepository
    alerts: AlertSink
    policy: TrackingPolicy
    clock: Callable[[], datetime]

    def report(self) -> IncidentReport:
        now = self.clock()
        return IncidentReport(
            followed_up=self._follow_ups(now), escalated=self._escalations(now), stalled=self._stalls(now)
        )

    def _follow_ups(self, now: datetime) -> int:
        items = self.shipments.needing(FOLLOW_UP)
        if not items:
            return 0
        parcels, failures = _parcels(items)
        self.alerts.send(follow_up_digest(parcels, failures, now, window_id(parcels)), now=now)
        return len(self.shipments.mark_follow_up_reported(items, now))

    def _escalations(self, now: datetime) -> int:
        cutoff = now - self.policy.escalate_after
        items = [
            i
            for i in self.shipments.needing(ESCALATION)
            if i.follow_up_reported_at is not None and i.follow_up_reported_at <= cutoff
        ]
        if not items:
            return 0
        parcels, failures = _parcels(items)
        self.alerts.send(escalation_digest(parcels, failures, now, window_id(parcels)), now=now)
        return len(self.shipments.mark_escalated(items, now))

    def _stalls(self, now: datetime) -> int:
        items = self.shipments.stalled_unreported()
        if not items:
            return 0
        lines = [_stall_line(item, now) for item in items]
        batch = hashlib.sha256("|".join(sorted(i.parcel_key for i in items)).encode()).hexdigest()[:16]
        self.alerts.send(stall_digest(lines, now, batch), now=now)
        return len(self.shipments.mark_reported(items))


def window_id(parcels: list[Parcel]) -> str:
    """The same parcels in the same windows give the same id (a re-run stays quiet); a window
    opened again after a good answer gives a new one."""
    marks = sorted(f"{p.key}@{p.follow_up_since.isoformat() if p.follow_up_since else '-'}" for p in parcels)
    return hashlib.sha256("|".join(marks).encode()).hexdigest()[:16]


def _parcels(items: list[ShipmentModel]) -> tuple[list[Parcel], dict[str, list[str]]]:
    failures = {i.parcel_key: [i.last_failure] if i.last_failure else [] for i in items}
    return [to_parcel(i) for i in items], failures


def _stall_line(item: ShipmentModel, now: datetime) -> str:
    since = item.stalled_since or item.last_event_at or item.handed_over_at
    days = (now - since).total_seconds() / 86400
    last = (item.events or [{}])[-1]
    order = f"order {item.order_id} on {item.channel}/{item.shop_id}" if item.order_id else "no order on file"
    scan = f"{last.get('at', '')} {last.get('description', 'no scan yet')}".strip()
    return (
        f"{order}, {item.carrier.upper()} {item.tracking_number}, last event: {scan}, stalled {days:.1f} days"
    )
