"""17TRACK's webhook end to end on the local stack: the 17TRACK sandbox pushes as 17TRACK does (the
documented JSON and `sign` header) to the tracking-push function's URL (payload 2.0 through the local
runner), with the sandbox's faults: forged, replayed, out of order, dropped."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from crossdock.deployment import QUEUES
from crossdock.tracking import compose as tracking_compose
from crossdock.tracking.ports import ParcelQuery
from crossdock.tracking.resources import TRACKING_PUSH
from crossdock.tracking.storage.shipments import ShipmentRepository
from crossdock.tracking.storage.tables import ShipmentModel
from crossdock.tracking.usecases.register import NewShipment
from crossdock.tracking.usecases.sources import TrackingSources
from crossdock_local.aws.function_urls import FunctionUrl
from crossdock_local.aws.runner import LocalRunner
from crossdock_local.aws.stack import LocalStack
from crossdock_local.demos.tracking.carriers import TrackingSandboxes
from crossdock_local.sandboxes.parcels import Scan, WorldParcel, journey
from crossdock_local.sandboxes.seventeen_track.server import SeventeenTrackSandbox
from crossdock_local.sandboxes.seventeen_track.webhook import DROP, FORGED, REPLAY, STALE, sign

from tests.support.dynamodb_access import AccessRecorder


@dataclass
class World:
    stack: LocalStack
    carriers: TrackingSandboxes
    url: FunctionUrl

    @property
    def seventeen(self) -> SeventeenTrackSandbox:
        sandbox = self.carriers.sandboxes["17track"]
        assert isinstance(sandbox, SeventeenTrackSandbox)
        return sandbox


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with LocalStack(rate_scale=200) as stack, TrackingSandboxes(rate_scale=200) as carriers:
        carriers.connect(stack.settings)
        runner = LocalRunner({q.logical_id: stack.queue_url(q) for q in QUEUES}, visibility_timeout_s=1)
        url = FunctionUrl(runner, TRACKING_PUSH).start()
        try:
            seventeen = carriers.sandboxes["17track"]
            assert isinstance(seventeen, SeventeenTrackSandbox)
            seventeen.webhook_url = url.url  # the 17TRACK dashboard's WebHook setting
            yield World(stack, carriers, url)
        finally:
            url.stop()


@pytest.fixture(autouse=True)
def _nothing_pending(world: World) -> None:
    """Every earlier test's parcels pushed up to date: a test's pushes are its own parcels' only."""
    world.seventeen.webhook.push_updates()


_serial = iter(range(1, 100000))


def shipped(world: World, *, register_at_17track: bool = True, track: bool = True) -> tuple[str, str]:
    """A YunExpress parcel (17TRACK is its only source) in transit, its newest scan in the past; returns
    (parcel key, number). Registered with crossdock and, through the product's own source, with 17TRACK."""
    number = f"YT23011{next(_serial):05d}"
    start = datetime.now(UTC) - timedelta(days=3)
    scans = [s for s in journey(start, random.Random(number), destination="DE") if s.at < datetime.now(UTC)]
    world.carriers.world.add(WorldParcel(number, "yunexpress", scans))
    key = ""
    if track:
        report = tracking_compose.shipment_registrar(world.stack.settings).register(
            [NewShipment(number, "YunExpress", start)]
        )
        key = report.new[0]
    if register_at_17track:
        TrackingSources(world.stack.settings).open("17track").register([ParcelQuery(number, "yunexpress")])
    return key, number


def new_scan(
    world: World, number: str, minutes_ago: float = 1, text: str = "Arrived at delivery depot"
) -> None:
    parcel = world.carriers.world.parcel(number)
    assert parcel is not None
    at = (datetime.now(UTC) - timedelta(minutes=minutes_ago)).replace(microsecond=0)
    parcel.scans.append(Scan(at, "in_transit", text, "Leipzig", utc_offset_h=1))


def pushes_for(world: World, number: str) -> list[Any]:
    return [d for d in world.seventeen.webhook.push_updates() if d.number == number]


def table() -> list[dict[str, Any]]:
    return sorted((i.attribute_values for i in ShipmentModel.scan()), key=lambda v: v["parcel_key"])


def answer(delivery: Any) -> dict[str, Any]:
    return json.loads(delivery.answer)


def test_a_pushed_scan_gives_the_parcel_what_a_poll_of_the_same_data_gives(world):
    # Given two parcels with the same journey at 17TRACK, one to be pushed, one to be polled
    pushed_key, pushed_number = shipped(world)
    polled_key, polled_number = shipped(world, register_at_17track=False)  # so 17TRACK pushes it not
    polled = world.carriers.world.parcel(polled_number)
    source = world.carriers.world.parcel(pushed_number)
    assert polled is not None and source is not None
    polled.scans[:] = list(source.scans)

    # When 17TRACK pushes the first (the function's DynamoDB calls recorded as IAM would judge them)
    # and the tracking worker polls the second
    with AccessRecorder().installed() as access:
        [delivery] = pushes_for(world, pushed_number)
    TrackingSources(world.stack.settings).open("17track").register([ParcelQuery(polled_number, "yunexpress")])
    tracking_compose.tracking_refresher(world.stack.settings).refresh([polled_key])

    # Then the push was taken (200) and both parcels hold the same scans, status and judgement;
    # the pushed one is marked and its next poll comes later than the polled one's
    assert delivery.status == 200 and answer(delivery) == {"outcome": "updated"}
    by_push, by_poll = ShipmentRepository().get(pushed_key), ShipmentRepository().get(polled_key)
    same = ("status", "raw_status", "source", "follow_up_since", "stalled_since")
    assert {f: getattr(by_push, f) for f in same} == {f: getattr(by_poll, f) for f in same}
    assert [e.to_dict() for e in by_push.events] == [e.to_dict() for e in by_poll.events]
    assert by_push.pushed_at is not None and by_poll.pushed_at is None
    assert by_push.next_check_at > by_poll.next_check_at
    assert access.violations() == []


def test_a_new_scan_is_pushed_once_and_the_parcel_moves_on(world):
    # Given a pushed parcel
    key, number = shipped(world)
    pushes_for(world, number)
    held = len(ShipmentRepository().get(key).events)

    # When the carrier scans it again and 17TRACK pushes; then nothing new happens and 17TRACK is asked again
    new_scan(world, number)
    [delivery] = pushes_for(world, number)
    quiet = pushes_for(world, number)

    # Then the new scan is stored, and no push is sent without a new event
    assert delivery.status == 200 and len(ShipmentRepository().get(key).events) == held + 1
    assert quiet == []


def test_a_forged_push_is_answered_401_and_nothing_is_written(world):
    # Given a parcel with a new scan, and 17TRACK's next push signed with another key
    _key, number = shipped(world)
    world.seventeen.webhook.fault_next(FORGED, number=number)
    before = table()

    # When it is pushed
    [delivery] = pushes_for(world, number)

    # Then the function refuses it as forged, and the table is as it was
    assert (delivery.status, answer(delivery)) == (401, {"outcome": "refused", "reason": "forged"})
    assert table() == before


def test_a_replayed_push_is_refused_and_the_parcel_updated_once(world):
    key, number = shipped(world)
    world.seventeen.webhook.fault_next(REPLAY, number=number)

    first, again = pushes_for(world, number)

    assert (first.status, answer(first)) == (200, {"outcome": "updated"})
    assert (again.status, answer(again)) == (200, {"outcome": "refused", "reason": "replayed"})
    assert ShipmentModel.get(key).version == 2  # registered, then one update


def test_an_out_of_order_older_push_is_refused_as_stale(world):
    key, number = shipped(world)
    world.seventeen.webhook.fault_next(STALE, number=number)

    newest, older = pushes_for(world, number)

    assert (newest.status, answer(newest)) == (200, {"outcome": "updated"})
    assert (older.status, answer(older)) == (200, {"outcome": "refused", "reason": "stale"})
    parcel = ShipmentRepository().get(key)
    assert parcel.events[-1].description == world.carriers.world.parcel(number).scans[-1].description


def test_a_dropped_push_leaves_the_parcel_to_the_poll(world):
    key, number = shipped(world)
    world.seventeen.webhook.fault_next(DROP, number=number)

    [dropped] = pushes_for(world, number)
    tracking_compose.tracking_refresher(world.stack.settings).refresh([key])

    parcel = ShipmentRepository().get(key)
    assert dropped.status is None and parcel.pushed_at is None and parcel.source == "17track"
    assert len(parcel.events) == len(world.carriers.world.parcel(number).scans)


def test_a_push_for_a_number_crossdock_does_not_track_is_refused(world):
    # Given a number registered at 17TRACK by someone, but not tracked by crossdock
    _key, number = shipped(world, track=False)
    before = table()

    [delivery] = pushes_for(world, number)

    assert (delivery.status, answer(delivery)) == (200, {"outcome": "refused", "reason": "unknown_parcel"})
    assert table() == before


def test_a_signed_body_that_is_not_a_push_is_answered_400(world):
    body = b'{"event": "TRACKING_UPDATED", "data": {"number": 42}}'
    headers = {"content-type": "application/json", "sign": sign(body, world.seventeen.api_key)}
    before = table()

    reply = requests.post(world.url.url, data=body, headers=headers, timeout=10)

    assert (reply.status_code, reply.json()) == (400, {"outcome": "refused", "reason": "malformed"})
    assert table() == before


def test_the_webhook_url_is_set_as_on_17tracks_dashboard(world):
    sandbox = world.seventeen
    reply = requests.post(f"{sandbox.url}/sandbox/webhook", json={"url": world.url.url}, timeout=10)
    refused = requests.post(f"{sandbox.url}/sandbox/webhook", json={"url": "ftp://x"}, timeout=10)
    assert reply.status_code == 200 and sandbox.webhook_url == world.url.url
    assert refused.status_code == 400 and sandbox.webhook_url == world.url.url
