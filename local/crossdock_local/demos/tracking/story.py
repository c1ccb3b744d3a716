"""The tracking story of `crossdock local`: local 4PX, Yanwen and 17TRACK APIs serve one world of
parcels and their credentials are stored before the first cycle; the order cycles register a parcel
for every shipped order (`order.shipped` → shipments registrar). After them: a small shipment file
is imported, a first refresh round runs (tracking planner → tracking worker); then 4PX starts
answering "200 OK" with empty data and one Yanwen parcel becomes unknown everywhere, every parcel
is made due, and a second round shows the failover to 17TRACK, 4PX demoted behind it and the
planner's stall digest; the planner's next run sends the one follow-up digest of what the round's
workers found (workers record it on the parcels; digests are the planner's, one per incident);
then what customer service reads to buyers.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from crossdock.channels.registry import CHANNELS
from crossdock.core.config import Settings
from crossdock.orders.resources import SHIPMENT_EVENTS_QUEUE
from crossdock.tracking import compose as tracking_compose
from crossdock.tracking.resources import (
    SHIPMENTS_REGISTRAR,
    TRACKING_PLANNER,
    TRACKING_TASKS_QUEUE,
    TRACKING_WORKER,
)
from crossdock.tracking.storage.shipments import ShipmentRepository
from crossdock.tracking.storage.tables import ShipmentModel
from crossdock.tracking.usecases.shipment_rows import parse_shipment_file

from crossdock_local.aws.outbox import Outbox
from crossdock_local.aws.runner import LocalRunner
from crossdock_local.demos.ticker import Ticker
from crossdock_local.demos.tracking.account import round_figures, settle, travelling
from crossdock_local.demos.tracking.carriers import TrackingSandboxes
from crossdock_local.demos.tracking.report import TrackingOutcome
from crossdock_local.demos.tracking.world import add_journeys, write_import_file
from crossdock_local.sandboxes.parcels import EMPTY, NOT_FOUND


class TrackingStory:
    def __init__(
        self,
        carriers: TrackingSandboxes,
        runner: LocalRunner,
        settings: Settings,
        outbox: Outbox,
        say: Callable[[str], None],
        *,
        seed: int = 7,
    ) -> None:
        self.carriers = carriers
        self.rng = random.Random(seed * 31 + 4)
        self.runner = runner
        self.settings = settings
        self.outbox = outbox
        self.say = say
        self.shipments = ShipmentRepository()
        self.outcome = TrackingOutcome()
        self.folder = Path(".")

    # -- before the first cycle ------------------------------------------------------------------
    def set_up(self, folder: Path) -> None:
        self.folder = folder
        self.carriers.connect(self.settings)  # what `connect_source` stores for an operator
        prefix = self.settings.carrier_secrets_prefix
        self.say(
            "tracking: "
            + ", ".join(f"{n} sandbox on {s.url}" for n, s in self.carriers.sandboxes.items())
            + f"; credentials and endpoints in {prefix}{{{','.join(self.carriers.sandboxes)}}}"
        )

    # -- after the order cycles ------------------------------------------------------------------
    def tell(self) -> TrackingOutcome:
        self._register()
        self._round("round 1")
        items = list(self.shipments.all())
        fourpx = [i for i in travelling(items) if i.carrier == "4px"]
        outage = [i.parcel_key for i in fourpx if i.events]  # scanned: an empty answer is a failure
        self.outcome.young = len(fourpx) - len(outage)  # no scan yet: an empty answer is "not yet"
        follow_up = self._stage_incidents(items)
        leased = self.shipments.postpone(travelling(items), datetime.now(UTC))
        self.say(
            f"tracking: every travelling parcel's next check moved to now: {len(leased)} parcels due again"
        )
        since = self._round("round 2 (4PX empty, one parcel unknown everywhere)")
        self._next_planner_run()
        self._account(outage, follow_up, since)
        return self.outcome

    def _register(self) -> None:
        drained = self.runner.drain(SHIPMENT_EVENTS_QUEUE, SHIPMENTS_REGISTRAR)  # any event still queued
        self.outcome.errors += drained.errors
        path, stalled = write_import_file(self.carriers.world, self.rng, self.folder, datetime.now(UTC))
        rows = parse_shipment_file(path.read_text(encoding="utf-8"), now=datetime.now(UTC), channels=CHANNELS)
        report = tracking_compose.shipment_registrar(self.settings).register(r.shipment for r in rows)
        items = list(self.shipments.all())
        add_journeys(self.carriers.world, self.rng, items)
        from_orders = [i for i in items if i.order_id]
        self.outcome.from_orders, self.outcome.imported = len(from_orders), len(report.new)
        self.outcome.import_file, self.outcome.stalled = path, stalled
        carriers = Counter(i.carrier for i in from_orders)
        self.say(
            f"tracking: {len(from_orders)} parcels registered from the orders' order.shipped events"
            f" ({', '.join(f'{k} {n}' for k, n in sorted(carriers.items()))})"
        )
        self.say(
            f"tracking: {path} imported (`crossdock shipments import`): {len(rows)} rows, {len(report.new)} new"
            f" parcels; {stalled} has had no scan for {self._days_since_last_scan(stalled)} days"
        )

    def _days_since_last_scan(self, number: str) -> int:
        parcel = self.carriers.world.parcel(number)
        return (datetime.now(UTC) - parcel.scans[-1].at).days if parcel else 0

    def _round(self, label: str) -> datetime:
        """Fire the tracking planner, drain the tasks through the tracking worker; the round's start."""
        since, started = datetime.now(UTC), time.monotonic()
        try:
            planned = self.runner.fire(TRACKING_PLANNER) or {}
        except Exception as exc:  # the planner failed: nothing is queued, say so and go on
            planned = {}
            self.outcome.errors.append(f"{TRACKING_PLANNER.name}: {type(exc).__name__}: {exc}")
        with Ticker(self.say, lambda: self._round_progress(label, since, int(planned.get("planned", 0)))):
            drained = self.runner.drain(TRACKING_TASKS_QUEUE, TRACKING_WORKER)
        self.outcome.errors += drained.errors
        if drained.failed:
            self.outcome.errors.append(f"{TRACKING_WORKER.name}: {drained.failed} task(s) failed")
        figures = round_figures(
            label,
            int(planned.get("planned", 0)),
            list(self.shipments.all()),
            since,
            time.monotonic() - started,
        )
        self.outcome.rounds.append(figures)
        by = ", ".join(f"{name} {n}" for name, n in sorted(figures.answered_by.items())) or "none"
        self.say(
            f"tracking {label}: planner queued {figures.planned} parcels in {planned.get('tasks', 0)} tasks"
            f" · worker refreshed {figures.refreshed}: answered by {by}; {figures.followed_up} followed up by staff"
        )
        for path, subject in self.outbox.new():
            self.say(f"✉ alert {subject}  ({path.name})")
        return since

    def _round_progress(self, label: str, since: datetime, planned: int) -> str:
        """Parcels the worker has checked since the round began (their stored check times), of those
        the planner queued."""
        checked = len([i for i in self.shipments.all() if i.last_checked_at and i.last_checked_at >= since])
        return f"tracking {label}: {checked} of {planned} queued parcels checked"

    def _next_planner_run(self) -> None:
        """The planner's next run (15 minutes on, in production): nothing is due yet, and it sends
        the digests of what the workers recorded in the round — one follow-up digest, whatever the
        number of tasks."""
        try:
            told = self.runner.fire(TRACKING_PLANNER) or {}
        except Exception as exc:
            self.outcome.errors.append(f"{TRACKING_PLANNER.name}: {type(exc).__name__}: {exc}")
            return
        self.say(
            f"tracking planner's next run: {told.get('follow_ups_reported', 0)} parcel(s) in one follow-up"
            f" digest, {told.get('escalated', 0)} escalated, {told.get('stalled_reported', 0)} stall(s) reported"
        )
        for path, subject in self.outbox.new():
            self.say(f"✉ alert {subject}  ({path.name})")

    def _stage_incidents(self, items: list[ShipmentModel]) -> str:
        """4PX goes empty; one travelling Yanwen parcel (an order's, if any) is unknown everywhere."""
        world = self.carriers.world
        world.set_outage("4px", EMPTY)
        self.say("⚡ 4PX: the tracking API answers 200 OK with empty data for every number")
        yanwen = sorted(
            (i for i in travelling(items) if i.carrier == "yanwen"),
            key=lambda i: (i.order_id is None, i.parcel_key),
        )
        if not yanwen:
            self.outcome.errors.append("no travelling Yanwen parcel to make unknown")
            return ""
        chosen = yanwen[0]
        world.set_answer("yanwen", chosen.tracking_number, NOT_FOUND)
        world.set_answer("17track", chosen.tracking_number, NOT_FOUND)
        whose = f"order {chosen.order_id} on {chosen.shop_id}" if chosen.order_id else "imported"
        self.say(f"⚡ {chosen.tracking_number} (Yanwen, {whose}): Yanwen and 17TRACK both answer not found")
        self.outcome.follow_up = chosen.tracking_number
        return chosen.parcel_key

    def _account(self, outage: list[str], follow_up: str, since: datetime) -> None:
        outcome = self.outcome
        settle(
            outcome,
            {i.parcel_key: i for i in self.shipments.all()},
            self.outbox.all(),
            outage,
            follow_up,
            since,
        )
        self.say(
            f"4PX outage: {outcome.failed_over} of {outcome.outage_parcels} scanned, travelling 4PX parcels answered by"
            f" 17TRACK; {outcome.real_scans} buyers still read a real scan;"
            f" {len(outcome.demotion_alerts)} demotion alert"
            + (
                f"; {outcome.young} 4PX parcel(s) without a first scan wait for one (empty is “not yet”"
                " for a parcel handed over less than 24 h ago)"
                if outcome.young
                else ""
            )
        )
        self.say(
            f"{outcome.follow_up}: {len(outcome.follow_up_alerts)} digest alert names it; buyer reads"
            f" “{outcome.follow_up_line}”"
        )
        self.say(
            f"{outcome.stalled}: {len(outcome.stall_alerts)} stall digest from the planner names it; buyer reads"
            f" “{outcome.stalled_line}”"
        )
