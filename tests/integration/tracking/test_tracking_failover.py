"""Every silent-failure shape of each carrier's API, against the sandboxes over HTTP, fails over to
17TRACK for that number only; with no backup left the parcel is followed up and alerted."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from crossdock.tracking import compose as tracking_compose
from crossdock.tracking.rules.policy import FOLLOW_UP_LINE
from crossdock.tracking.rules.status import TrackingStatus
from crossdock.tracking.storage.shipments import ShipmentRepository
from crossdock.tracking.usecases.register import NewShipment
from crossdock_local.aws.stack import LocalStack
from crossdock_local.demos.tracking.carriers import TrackingSandboxes
from crossdock_local.sandboxes.parcels import EMPTY, ENVELOPE, NOT_FOUND, STALE, WorldParcel, journey

CARRIERS = {"4px": ("4PX", "4PX30015186{:05d}CN"), "yanwen": ("Yanwen", "UH1838{:05d}YP")}
SHAPES = (EMPTY, NOT_FOUND, STALE, ENVELOPE)


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[LocalStack, TrackingSandboxes]]:
    with LocalStack(rate_scale=200) as stack, TrackingSandboxes(rate_scale=200) as carriers:
        carriers.connect(stack.settings)
        yield stack, carriers


@pytest.fixture(autouse=True)
def _healthy(world: tuple[LocalStack, TrackingSandboxes]) -> Iterator[None]:
    yield
    carriers = world[1]
    carriers.world.outages.clear()
    carriers.world.overrides.clear()


_serial = iter(range(100, 100000))


def ship(carriers: TrackingSandboxes, settings, carrier: str, *, days_ago: float = 3) -> str:
    """A parcel in transit, known to its carrier's API and to 17TRACK, registered with crossdock."""
    text, pattern = CARRIERS.get(carrier, ("YunExpress", "YT23011{:05d}"))
    number = pattern.format(next(_serial))
    start = datetime.now(UTC) - timedelta(days=days_ago)
    carriers.world.add(WorldParcel(number, carrier, journey(start, random.Random(number), destination="DE")))
    report = tracking_compose.shipment_registrar(settings).register([NewShipment(number, text, start)])
    return (report.new or report.known)[0]


def refresh(settings, key: str):
    report = tracking_compose.tracking_refresher(settings).refresh([key])
    return report, ShipmentRepository().get(key)


@pytest.mark.parametrize("carrier", sorted(CARRIERS))
@pytest.mark.parametrize("shape", SHAPES)
def test_each_silent_shape_of_the_carrier_api_fails_over_to_17track(world, carrier, shape):
    # Given a parcel its carrier's API has answered once
    stack, carriers = world
    key = ship(carriers, stack.settings, carrier)
    first, parcel = refresh(stack.settings, key)
    assert first.answered_by == {carrier: 1} and parcel.status is TrackingStatus.IN_TRANSIT
    known = len(parcel.events)

    # When the carrier's API turns silent in this shape for the parcel
    carriers.world.set_answer(carrier, parcel.tracking_number, shape)
    report, after = refresh(stack.settings, key)

    # Then 17TRACK answers for it, no scan is lost or doubled, and nobody is alerted
    assert report.answered_by == {"17track": 1} and report.failovers == 1
    assert after.source == "17track" and len(after.events) >= known
    assert len({e.key for e in after.events}) == len(after.events)
    assert after.follow_up_since is None


def test_the_carriers_own_silent_answers_are_retried_before_failing_over(world):
    # Given Yanwen answers empty for one parcel of three in a batch
    stack, carriers = world
    keys = [ship(carriers, stack.settings, "yanwen") for _ in range(3)]
    numbers = [k.partition("#")[2] for k in keys]
    carriers.world.set_answer("yanwen", numbers[0], EMPTY)
    before = carriers.sandboxes["yanwen"].stats["numbers:tracking"]

    # When the batch is refreshed
    report = tracking_compose.tracking_refresher(stack.settings).refresh(keys)

    # Then Yanwen was asked 3 numbers, then the silent one 3 more times alone; 17TRACK took it over
    assert carriers.sandboxes["yanwen"].stats["numbers:tracking"] - before == 3 + 3
    assert report.answered_by == {"yanwen": 2, "17track": 1}


def test_a_parcel_no_source_knows_is_followed_up_by_staff(world):
    # Given a YunExpress parcel (17TRACK only) that 17TRACK answers empty for, 3 days after hand-over
    stack, carriers = world
    key = ship(carriers, stack.settings, "yunexpress")
    carriers.world.set_answer("17track", key.partition("#")[2], EMPTY)

    # When it is refreshed
    report, parcel = refresh(stack.settings, key)

    # Then the buyer's line says staff are following up, and an alert names the parcel
    assert report.followed_up == [key]
    line = ShipmentRepository().items([key])[0].status_line
    assert line.startswith(FOLLOW_UP_LINE)
    assert parcel.next_check_at is not None and parcel.follow_up_since is not None


@pytest.mark.parametrize("shape", SHAPES)
def test_each_silent_shape_of_17track_is_a_failure_when_it_is_the_last_source(world, shape):
    # Given a YunExpress parcel (its chain is 17TRACK alone) that 17TRACK has answered once
    stack, carriers = world
    key = ship(carriers, stack.settings, "yunexpress")
    first, parcel = refresh(stack.settings, key)
    assert first.answered_by == {"17track": 1}

    # When 17TRACK turns silent in this shape for it
    carriers.world.set_answer("17track", parcel.tracking_number, shape)
    report, after = refresh(stack.settings, key)

    # Then it is not read as "no news": the parcel is followed up, its scans kept
    assert report.followed_up == [key] and report.answered_by == {}
    assert after.follow_up_since is not None and len(after.events) == len(parcel.events)
