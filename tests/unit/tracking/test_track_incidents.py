"""One outage, one digest: parcels of several carriers failing together reach the workers as many
tasks, and still make ONE follow-up digest naming every parcel, ONE escalation 2 hours after it,
one health alert per source — and 17TRACK, the last of its chains, is never "demoted behind"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from crossdock.tracking.rules.chains import DEFAULT_CHAINS
from crossdock.tracking.rules.parcel import Found
from crossdock.tracking.rules.policy import TrackingPolicy
from crossdock.tracking.storage.shipments import ShipmentRepository
from crossdock.tracking.storage.source_health import SourceHealthRepository
from crossdock.tracking.usecases.ask import Asker
from crossdock.tracking.usecases.health import HealthRules, SourceHealth
from crossdock.tracking.usecases.plan import TrackingPlanner
from crossdock.tracking.usecases.refresh import TrackingRefresher
from crossdock.tracking.usecases.register import NewShipment, ShipmentRegistrar

from tests.support.aws import moto_resources
from tests.support.tracking_fakes import JOURNEY, NOW, FakeOpener, FakeSource, missing

CARRIERS = (
    ("4PX", "4PX30015186{:05d}CN", 20),
    ("Yanwen", "UH1838{:05d}YP", 15),
    ("YunExpress", "YT23011{:05d}", 15),
)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        return self.now


class Mail:
    """Every alert sent, no dedupe: a duplicate would show."""

    def __init__(self) -> None:
        self.sent: list = []

    def send(self, alert, *, now):  # type: ignore[no-untyped-def]
        self.sent.append((now, alert))
        return True

    def kind(self, prefix: str) -> list:
        return [(at, a) for at, a in self.sent if a.dedupe_key.startswith(prefix)]


class Tasks:
    def __init__(self) -> None:
        self.queued: list[dict] = []

    def enqueue(self, tasks, *, delay_s=0):
        self.queued += tasks
        return len(tasks)


@pytest.fixture
def outage(monkeypatch):
    # Tasks of 10 numbers (4PX: 2 tasks of its 20 parcels): a source crosses the line in several workers
    monkeypatch.setattr("crossdock.tracking.usecases.plan.NUMBERS_PER_TASK", 10)
    with moto_resources():
        clock, mail, tasks, policy = Clock(), Mail(), Tasks(), TrackingPolicy()
        sources = {
            "4px": FakeSource("4px", missing("empty"), max_batch=1),
            "yanwen": FakeSource("yanwen", missing("empty"), max_batch=30),
            "17track": FakeSource("17track", missing("empty"), needs_registration=True),
        }
        opener = FakeOpener(sources)
        planner = TrackingPlanner(ShipmentRepository(), tasks, mail, policy, DEFAULT_CHAINS, clock)

        def worker() -> TrackingRefresher:
            """A worker of its own for each task: its own health view, as concurrent Lambdas have."""
            health = SourceHealth(
                SourceHealthRepository(), opener, mail, HealthRules(min_answers=20), DEFAULT_CHAINS, clock
            )
            asker = Asker(opener, policy, retries=3, retry_delay_s=0.01, clock=clock, sleep=lambda s: None)
            return TrackingRefresher(ShipmentRepository(), asker, health, mail, policy, DEFAULT_CHAINS, clock)

        def run_planner_and_workers() -> None:
            """One planner run, then its tasks on concurrent workers (each started before any
            finished), a minute apart."""
            tasks.queued.clear()
            planner.plan()
            workers = [worker() for _ in tasks.queued]
            for w in workers:
                w.health.demoted()  # every worker read the sources' state at its start
            for w, task in zip(workers, list(tasks.queued), strict=True):
                w.refresh(task["parcels"])
                clock.now += timedelta(minutes=1)

        registrar = ShipmentRegistrar(ShipmentRepository(), policy, clock)
        shipments = [
            NewShipment(pattern.format(i), carrier, NOW - timedelta(hours=80))  # past the 72 h stall limit
            for carrier, pattern, count in CARRIERS
            for i in range(count)
        ]
        keys = registrar.register(shipments).new
        yield run_planner_and_workers, keys, clock, mail, sources, tasks


def test_fifty_parcels_of_three_carriers_in_one_outage_make_one_digest_and_one_escalation(outage):
    # Given 50 parcels of 4PX, Yanwen and YunExpress, and every tracking source answering empty
    run, keys, clock, mail, _sources, tasks = outage
    assert len(keys) == 50

    # When the planner runs every 15 minutes for 2 h 30 min, its tasks refreshed by workers
    task_counts = []
    for quarter in range(11):
        clock.now = NOW + quarter * timedelta(minutes=15)
        run()
        task_counts.append(len(tasks.queued))

    # Then the outage went out in several tasks (4PX 10 + 10, Yanwen 15, YunExpress 15) ...
    assert task_counts[0] == 4
    # ... and yet one follow-up digest names all 50 parcels, at the planner's next run
    [(told_at, digest)] = mail.kind("tracking-no-source:")
    assert told_at == NOW + timedelta(minutes=15)
    assert len(digest.details) == 50 and digest.subject == "50 parcel(s): no tracking source answered"
    named = " ".join(digest.details)
    assert all(key.partition("#")[2] in named for key in keys)
    # ... one escalation 2 hours after it, naming the same 50
    [(escalated_at, escalation)] = mail.kind("tracking-escalation:")
    assert escalated_at == told_at + timedelta(hours=2) and len(escalation.details) == 50
    # ... no stall digest: a parcel nobody answers for is followed up, not judged stalled
    assert mail.kind("tracking-stalled:") == []
    # ... and one health alert per source, however many workers saw it cross the line; with
    # 17TRACK failing too, no carrier API is said to be "demoted behind" it
    health = sorted(a.subject for _, a in mail.kind("tracking-source-"))
    assert health == [
        "17TRACK tracking failing, no backup source",
        "4PX tracking failing, no backup source",
        "Yanwen tracking failing, no backup source",
    ]


def test_17track_failing_is_never_said_to_be_demoted_behind_anything(outage):
    # Given the same outage
    run, _keys, _clock, mail, _sources, _tasks = outage

    # When the planner and its workers run once
    run()

    # Then 17TRACK's alert says it is failing with no backup, and what to do — not "demoted behind"
    [alert] = [a for _, a in mail.kind("tracking-source-") if a.channel == "17TRACK"]
    text = alert.render_subject() + alert.render_body()
    assert "demoted behind" not in text and "now asked of" not in text
    assert alert.subject == "17TRACK tracking failing, no backup source"
    assert "the last source of every chain it is in" in alert.what_happened
    assert "crossdock/carriers/17track" in alert.what_to_do and "contact 17TRACK support" in alert.what_to_do


def test_a_carrier_api_failing_alone_is_demoted_behind_17track_once(outage):
    # Given only 4PX failing (17TRACK knows every parcel)
    run, _keys, clock, mail, sources, tasks = outage
    sources["17track"].script = lambda number, attempt: Found(JOURNEY)
    sources["yanwen"].script = lambda number, attempt: Found(JOURNEY)

    # When the planner and its concurrent workers run twice, 15 minutes apart
    run()
    fourpx_tasks = sum(t["carrier"] == "4px" for t in tasks.queued)
    clock.now = NOW + timedelta(minutes=15)
    run()

    # Then two workers saw 4PX fail, and one alert says it is demoted behind 17TRACK; nobody is followed up
    assert fourpx_tasks == 2
    assert [a.subject for _, a in mail.sent] == ["4PX tracking demoted behind 17TRACK"]
    assert "Parcels are now asked of 17TRACK first" in mail.sent[0][1].what_we_did


def test_a_new_outage_after_recovery_is_a_new_incident(outage):
    # Given the outage reported, then every source answering again
    run, _keys, clock, mail, sources, _tasks = outage
    run()
    clock.now = NOW + timedelta(minutes=15)
    run()
    for source in sources.values():
        source.script = lambda number, attempt: Found(JOURNEY)
    clock.now = NOW + timedelta(minutes=45)
    run()

    # When the sources fail again the next day
    for source in sources.values():
        source.script = missing("empty")
    clock.now = NOW + timedelta(days=1)
    ShipmentRepository().postpone(ShipmentRepository().all(), clock.now)  # every parcel due again
    run()
    clock.now = NOW + timedelta(days=1, minutes=15)
    run()

    # Then a second follow-up digest names the parcels again, under a new key
    digests = [a for _, a in mail.kind("tracking-no-source:")]
    assert len(digests) == 2 and digests[0].dedupe_key != digests[1].dedupe_key
    assert len(digests[1].details) == 50


def test_a_demotion_whose_alert_could_not_be_sent_is_made_and_told_by_the_next_worker(outage):
    # Given only 4PX failing, and the alert topic failing once
    run, _keys, clock, mail, sources, _tasks = outage
    sources["17track"].script = lambda number, attempt: Found(JOURNEY)
    sources["yanwen"].script = lambda number, attempt: Found(JOURNEY)
    sent = mail.send

    def failing_once(alert, *, now):  # type: ignore[no-untyped-def]
        mail.send = sent
        raise RuntimeError("SNS unavailable")

    mail.send = failing_once

    # When the planner and its workers run (the first worker's review fails on the alert)
    with pytest.raises(RuntimeError):
        run()

    # Then the demotion was undone, and the next worker that sees 4PX fail demotes it and tells
    assert SourceHealthRepository().demoted(["4px"]) == {}
    clock.now = NOW + timedelta(minutes=15)
    ShipmentRepository().postpone(ShipmentRepository().all(), clock.now)
    run()
    assert [a.subject for _, a in mail.sent] == ["4PX tracking demoted behind 17TRACK"]
