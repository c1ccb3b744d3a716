"""Property, at the use-case level: whatever the sources answer round after round (the history,
nothing, NOTFOUND, a rejection, a failed call, a copy older than what is stored), the refresher
never duplicates a scan, never moves a status back, and a parcel no source could answer is
followed up and named in exactly one digest per failure window (the planner's, after each round)
— never silently "no news"."""

from __future__ import annotations

import random
from datetime import timedelta

from crossdock.tracking.rules.chains import DEFAULT_CHAINS
from crossdock.tracking.rules.parcel import Found, Missing
from crossdock.tracking.rules.policy import FOLLOW_UP_LINE, TrackingPolicy
from crossdock.tracking.rules.status import STAGE, TrackingStatus
from crossdock.tracking.storage.shipments import ShipmentRepository
from crossdock.tracking.storage.source_health import SourceHealthRepository
from crossdock.tracking.usecases.ask import Asker
from crossdock.tracking.usecases.health import HealthRules, SourceHealth
from crossdock.tracking.usecases.incidents import TrackingIncidents
from crossdock.tracking.usecases.refresh import TrackingRefresher
from crossdock.tracking.usecases.register import NewShipment, ShipmentRegistrar
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.aws import moto_resources
from tests.support.tracking_fakes import NOW, Alerts, FakeOpener, FakeSource, scan

S = TrackingStatus
JOURNEY = [
    scan(70, S.INFO_RECEIVED, "Shipment information received"),
    scan(60, S.IN_TRANSIT, "Parcel picked up by carrier"),
    scan(40, S.IN_TRANSIT, "Departed from sorting center"),
    scan(20, S.IN_TRANSIT, "Arrived at destination country", location="LOS ANGELES, CA"),
    scan(-2, S.OUT_FOR_DELIVERY, "Out for delivery", location="LOS ANGELES, CA"),
    scan(-5, S.DELIVERED, "Delivered", location="LOS ANGELES, CA"),
]
NUMBERS = ("4PX3001518600001CN", "4PX3001518600002CN")
KINDS = ("good", "empty", "not_found", "rejected", "failed", "late")
SILENT = {"empty", "not_found", "rejected", "failed", "late"}

round_answers = st.fixed_dictionaries(
    {(source, number): st.sampled_from(KINDS) for source in ("4px", "17track") for number in NUMBERS}
)


# No shrinking phase: each example runs DynamoDB rounds, and shrinking one took minutes.
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(rounds=st.lists(round_answers, min_size=2, max_size=7), seed=st.integers(0, 1000))
def test_no_duplicate_no_regression_and_every_failure_window_alerted_once(rounds, seed):
    rng = random.Random(seed)
    with moto_resources():
        clock = {"now": NOW}
        plan: dict[tuple[str, str], str] = {}

        def script(source: str):
            def answer(number: str, attempt: int):
                visible = [e for e in JOURNEY if e.at <= clock["now"]]
                kind = plan[(source, number)]
                if kind == "good":
                    return Found(tuple(rng.sample(visible, len(visible))))
                if kind == "late":  # only scans older than everything stored: a cached copy
                    return Found(tuple(visible[:1]))
                return Missing(kind)

            return answer

        sources = {
            name: FakeSource(name, script(name), max_batch=1 if name == "4px" else 40)
            for name in ("4px", "17track")
        }
        opener, alerts, policy = FakeOpener(sources), Alerts(), TrackingPolicy()
        now = lambda: clock["now"]  # noqa: E731
        health = SourceHealth(
            SourceHealthRepository(), opener, alerts, HealthRules(min_answers=10**6), DEFAULT_CHAINS, now
        )
        refresher = TrackingRefresher(
            ShipmentRepository(),
            Asker(opener, policy, 1, 0.0, now, sleep=lambda s: None),
            health,
            alerts,
            policy,
            DEFAULT_CHAINS,
            now,
        )
        keys = (
            ShipmentRegistrar(ShipmentRepository(), policy, now)
            .register([NewShipment(n, "4PX", NOW - timedelta(hours=72)) for n in NUMBERS])
            .new
        )
        windows = dict.fromkeys(NUMBERS, 0)
        failing = dict.fromkeys(NUMBERS, False)
        stage = dict.fromkeys(NUMBERS, 0)
        for answers in rounds:
            plan.update(answers)
            repo = ShipmentRepository()
            before = repo.get_many(keys)
            refresher.refresh(keys)
            TrackingIncidents(ShipmentRepository(), alerts, policy, now).report()
            after = repo.get_many(keys)
            items = {i.tracking_number: i for i in repo.items(keys)}
            for number in NUMBERS:
                key = f"4px#{number}"
                stored = before[key].last_event_at
                kinds = [answers[("4px", number)], answers[("17track", number)]]
                # "late" (the first scan only) is a failure once something newer than it is stored
                late_is_stale = stored is not None and stored > JOURNEY[0].at
                all_silent = all(k in SILENT - {"late"} or (k == "late" and late_is_stale) for k in kinds)
                parcel = after[key]
                if before[key].final:
                    continue
                assert len({e.key for e in parcel.events}) == len(parcel.events)
                assert STAGE[parcel.status] >= stage[number]
                stage[number] = STAGE[parcel.status]
                if all_silent:
                    assert parcel.follow_up_since is not None
                    assert items[number].status_line.startswith(FOLLOW_UP_LINE) or parcel.final
                    if not failing[number]:
                        windows[number] += 1
                    failing[number] = True
                else:
                    assert parcel.follow_up_since is None
                    failing[number] = False
            clock["now"] += timedelta(minutes=rng.choice((30, 45, 90)))
        for number in NUMBERS:
            named = [
                a
                for a in alerts.sent
                if a.dedupe_key.startswith("tracking-no-source:") and any(number in d for d in a.details)
            ]
            assert len(named) == windows[number], (number, windows, [a.dedupe_key for a in alerts.sent])
