"""Refreshing parcels down their source chains: retries, failover, follow-up (and the planner's
digests of it: one follow-up, one escalation 2 hours later), health."""

from __future__ import annotations

from datetime import timedelta

import pytest
from crossdock.tracking.rules.chains import DEFAULT_CHAINS
from crossdock.tracking.rules.parcel import Found, Missing
from crossdock.tracking.rules.policy import FOLLOW_UP_LINE, TrackingPolicy
from crossdock.tracking.rules.status import TrackingStatus
from crossdock.tracking.storage.shipments import ShipmentRepository
from crossdock.tracking.storage.source_health import SourceHealthRepository
from crossdock.tracking.usecases.ask import Asker
from crossdock.tracking.usecases.health import HealthRules, SourceHealth
from crossdock.tracking.usecases.incidents import TrackingIncidents
from crossdock.tracking.usecases.refresh import TrackingRefresher
from crossdock.tracking.usecases.register import NewShipment, ShipmentRegistrar

from tests.support.aws import moto_resources
from tests.support.tracking_fakes import JOURNEY, NOW, Alerts, FakeOpener, FakeSource, good, missing, scan


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def world():
    with moto_resources():
        clock = Clock()
        sources = {
            "4px": FakeSource("4px", good(*JOURNEY), max_batch=1),
            "yanwen": FakeSource("yanwen", good(*JOURNEY), max_batch=30),
            "17track": FakeSource("17track", good(*JOURNEY), needs_registration=True),
        }
        opener = FakeOpener(sources)
        alerts = Alerts()
        policy = TrackingPolicy()
        health = SourceHealth(
            SourceHealthRepository(), opener, alerts, HealthRules(min_answers=20), DEFAULT_CHAINS, clock
        )
        refresher = TrackingRefresher(
            shipments=ShipmentRepository(),
            asker=Asker(opener, policy, retries=3, retry_delay_s=0.01, clock=clock, sleep=lambda s: None),
            health=health,
            alerts=alerts,
            policy=policy,
            chains=DEFAULT_CHAINS,
            clock=clock,
        )
        registrar = ShipmentRegistrar(ShipmentRepository(), policy, clock)
        yield refresher, registrar, sources, alerts, clock


def register(registrar, *numbers: str, carrier: str = "4PX", handed_hours_ago: float = 60) -> list[str]:
    report = registrar.register(
        [NewShipment(n, carrier, NOW - timedelta(hours=handed_hours_ago)) for n in numbers]
    )
    return report.new


def test_a_good_answer_stores_the_scans_and_schedules_by_status(world):
    # Given a 4PX parcel whose carrier API knows its journey
    refresher, registrar, sources, alerts, _clock = world
    keys = register(registrar, "4PX3001518600001CN")

    # When it is refreshed
    report = refresher.refresh(keys)

    # Then the scans are stored, the source recorded, the next check is 4 h later (in transit)
    parcel = ShipmentRepository().get(keys[0])
    assert report.news == 1 and report.answered_by == {"4px": 1}
    assert parcel.status is TrackingStatus.IN_TRANSIT and len(parcel.events) == 3
    assert parcel.source == "4px" and parcel.next_check_at == NOW + timedelta(hours=4)
    assert sources["17track"].asked == [] and alerts.sent == []


def test_an_empty_200_is_retried_three_times_then_the_backup_answers_that_number_only(world):
    # Given 4PX answers "200 but empty" for one parcel of two it knows
    refresher, registrar, sources, alerts, _clock = world
    silent = "4PX3001518600002CN"
    sources["4px"].script = lambda n, attempt: Missing("empty") if n == silent else Found(JOURNEY)
    keys = register(registrar, "4PX3001518600001CN", silent)

    # When the batch is refreshed
    report = refresher.refresh(keys)

    # Then the silent number was asked 4 times (1 + 3 retries), then of 17TRACK alone
    assert sources["4px"].attempts[silent] == 4
    assert sources["4px"].attempts["4PX3001518600001CN"] == 1
    assert sources["17track"].asked == [[silent]] and sources["17track"].registered == [silent]
    assert report.failovers == 1 and report.answered_by == {"4px": 1, "17track": 1}
    assert ShipmentRepository().get(f"4px#{silent}").source == "17track"
    assert alerts.sent == []


def test_no_source_answering_is_followed_up_alerted_once_and_escalated_after_two_hours(world):
    # Given every source answers empty for parcels handed over 60 hours ago
    refresher, registrar, sources, alerts, clock = world
    for source in sources.values():
        source.script = missing("empty")
    keys = register(registrar, "4PX3001518600003CN", "4PX3001518600004CN")
    incidents = TrackingIncidents(ShipmentRepository(), alerts, refresher.policy, clock)

    # When refreshed three times (now, 30 minutes later, 2 hours later), the planner's digests after each
    first = refresher.refresh(keys)
    quiet = list(alerts.sent)
    told = [incidents.report()]
    clock.now = NOW + timedelta(minutes=30)
    refresher.refresh(keys)
    told.append(incidents.report())
    clock.now = NOW + timedelta(hours=2)
    refresher.refresh(keys)
    told.append(incidents.report())

    # Then the worker alerted nobody; one digest names both parcels with why each source failed, the
    # buyers read the follow-up line, and one escalation follows at 2 hours
    parcel = ShipmentRepository().get(keys[0])
    digests = [a for a in alerts.sent if a.dedupe_key.startswith("tracking-no-source:")]
    escalations = [a for a in alerts.sent if a.dedupe_key.startswith("tracking-escalation:")]
    assert quiet == [] and len(first.followed_up) == 2
    assert [(t.followed_up, t.escalated) for t in told] == [(2, 0), (0, 0), (0, 2)]
    assert len(digests) == 1 and len(digests[0].details) == 2
    assert "4px: empty; 17track: empty" in digests[0].details[0]
    assert len(escalations) == 1 and len(escalations[0].details) == 2
    assert parcel.follow_up_since == NOW and FOLLOW_UP_LINE in ShipmentRepository().items(keys)[0].status_line
    assert parcel.escalated_at == NOW + timedelta(hours=2)
    assert parcel.next_check_at == NOW + timedelta(hours=2, minutes=30)


def test_a_young_parcel_nobody_knows_yet_is_not_a_failure(world):
    # Given a parcel handed over an hour ago that no source has scanned
    refresher, registrar, sources, alerts, _clock = world
    for source in sources.values():
        source.script = missing("not_found")
    keys = register(registrar, "4PX3001518600005CN", handed_hours_ago=1)

    # When refreshed
    report = refresher.refresh(keys)

    # Then it is pending without alert, asked once of each source (no retries: not a failure)
    assert report.not_yet == 1 and alerts.sent == []
    assert sources["4px"].attempts["4PX3001518600005CN"] == 1
    assert sources["17track"].attempts["4PX3001518600005CN"] == 1
    assert ShipmentRepository().get(keys[0]).status is TrackingStatus.PENDING


def test_a_young_parcel_its_carrier_has_no_scan_for_is_asked_of_the_backup(world):
    # Given a parcel handed over an hour ago: 4PX answers empty, 17TRACK already has its first scans
    refresher, registrar, sources, _alerts, _clock = world
    sources["4px"].script = missing("empty")
    keys = register(registrar, "4PX3001518600009CN", handed_hours_ago=1)

    # When refreshed
    report = refresher.refresh(keys)

    # Then 17TRACK's scans are stored, and it counts as a failover
    assert report.answered_by == {"17track": 1} and report.failovers == 1 and report.not_yet == 0
    assert ShipmentRepository().get(keys[0]).source == "17track"


def test_an_answer_older_than_what_is_stored_fails_over(world):
    # Given a parcel refreshed once with its full journey
    refresher, registrar, sources, _alerts, clock = world
    keys = register(registrar, "UH183800001YP", carrier="Yanwen")
    refresher.refresh(keys)

    # When Yanwen then serves a cached copy lacking the newest scan
    sources["yanwen"].script = good(*JOURNEY[:2])
    clock.now = NOW + timedelta(hours=4)
    report = refresher.refresh(keys)

    # Then the stale copy is a failure and 17TRACK answers instead
    assert sources["yanwen"].attempts["UH183800001YP"] == 5
    assert report.answered_by == {"17track": 1}


def test_an_auth_failure_alerts_and_the_backup_answers(world):
    # Given 4PX refuses the key
    refresher, registrar, sources, alerts, _clock = world
    sources["4px"].auth_fails = True
    keys = register(registrar, "4PX3001518600006CN")

    # When refreshed
    report = refresher.refresh(keys)

    # Then the auth alert went out, once, and 17TRACK answered
    assert [a.dedupe_key for a in alerts.sent] == ["tracking-auth:4PX"]
    assert report.answered_by == {"17track": 1}


def test_a_source_mostly_silent_for_an_hour_is_demoted_then_probed_then_promoted(world):
    # Given 4PX answers empty for every parcel of a 25-parcel batch
    refresher, registrar, sources, alerts, clock = world
    sources["4px"].script = missing("empty")
    keys = register(registrar, *[f"4PX30015186{i:05d}CN" for i in range(25)])

    # When the batch is refreshed
    refresher.refresh(keys)

    # Then 4PX is demoted (alert), and the next batch asks 17TRACK first, 4PX only for one probe
    assert [a.subject for a in alerts.sent] == ["4PX tracking demoted behind 17TRACK"]
    sources["4px"].asked.clear()
    clock.now = NOW + timedelta(minutes=5)
    refresher.refresh(keys)
    assert len({number for call in sources["4px"].asked for number in call}) == 1

    # And once its probes are good for an hour it is promoted back
    sources["4px"].script = good(*JOURNEY)
    for minutes in range(70, 140, 10):
        clock.now = NOW + timedelta(minutes=minutes)
        refresher.refresh(keys)
    assert [a.subject for a in alerts.sent][1:] == ["4PX tracking promoted back"]


def test_a_delivered_parcel_is_no_longer_checked(world):
    # Given a journey that ends delivered
    refresher, registrar, sources, _alerts, _clock = world
    sources["4px"].script = good(
        *JOURNEY, scan(1, TrackingStatus.DELIVERED, "Delivered", location="LOS ANGELES, CA")
    )
    keys = register(registrar, "4PX3001518600007CN")

    # When refreshed
    refresher.refresh(keys)

    # Then it leaves the due index and a second refresh asks nobody
    parcel = ShipmentRepository().get(keys[0])
    assert parcel.status is TrackingStatus.DELIVERED and parcel.next_check_at is None
    assert list(ShipmentRepository().due(NOW + timedelta(days=365))) == []
    sources["4px"].asked.clear()
    refresher.refresh(keys)
    assert sources["4px"].asked == []


def test_concurrent_workers_split_each_sources_rate():
    # Given two tracking workers configured to run at once
    from crossdock.core.config import Settings
    from crossdock.tracking.usecases.sources import TrackingSources

    settings = Settings("s", "o", "a", "c", rate_scale=1.0, worker_concurrency=2)
    secret = {"app_key": "k", "app_secret": "s", "authorization": "m", "api_key": "x"}
    sources = TrackingSources(settings, read_secret=lambda name, **kw: secret)

    # When each source is opened
    rates = {
        name: sources._open[name][1].buckets for name in ("4px", "yanwen", "17track") if sources.open(name)
    }

    # Then each paces at half its documented rate (with the pacing margin)
    assert all(0.45 < b.rate.per_second / 5 < 0.5 for b in rates["4px"].values())
    assert all(0.45 < b.rate.per_second / 3 < 0.5 for b in rates["17track"].values())


def test_a_source_without_usable_credentials_alerts_and_the_backup_answers(world):
    # Given the 4PX secret cannot be read
    refresher, registrar, _sources, alerts, _clock = world
    opener = refresher.asker.sources

    class NoSecretFor4px:
        def open(self, name):
            if name == "4px":
                raise ValueError("secret crossdock/carriers/4px lacks app_secret for 4PX")
            return opener.open(name)

        def stats(self, name):
            return opener.stats(name)

    refresher.asker.sources = NoSecretFor4px()
    keys = register(registrar, "4PX3001518600010CN")

    # When refreshed
    report = refresher.refresh(keys)

    # Then the credentials alert went out and 17TRACK answered: no failed task
    assert [a.dedupe_key for a in alerts.sent] == ["tracking-auth:4PX"]
    assert report.answered_by == {"17track": 1}
