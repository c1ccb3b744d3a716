"""A tracking push (17TRACK's webhook) taken in: signature first, then shape, parcel, freshness and
once-only, then the poll's own judge and write; a pushed parcel is polled less until pushes stop."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from crossdock.carriers.seventeen_track.push import SeventeenTrackPush, signature
from crossdock.carriers.seventeen_track.wire import answer_for
from crossdock.core.figures import REPLAYED
from crossdock.core.inbound import refuse
from crossdock.tracking.rules.chains import DEFAULT_CHAINS
from crossdock.tracking.rules.parcel import Found, Parcel
from crossdock.tracking.rules.policy import TrackingPolicy
from crossdock.tracking.rules.push import TrackPush, stale_because
from crossdock.tracking.rules.status import TrackingEvent, TrackingStatus
from crossdock.tracking.storage.shipments import ShipmentRepository
from crossdock.tracking.storage.source_health import SourceHealthRepository
from crossdock.tracking.storage.tables import ShipmentModel
from crossdock.tracking.usecases.ask import Asker
from crossdock.tracking.usecases.health import HealthRules, SourceHealth
from crossdock.tracking.usecases.plan import TrackingPlanner
from crossdock.tracking.usecases.push import TrackingPush
from crossdock.tracking.usecases.refresh import TrackingRefresher
from crossdock.tracking.usecases.register import NewShipment, ShipmentRegistrar
from hypothesis import given
from hypothesis import strategies as st

from tests.support.aws import moto_resources
from tests.support.tracking_fakes import NOW, Alerts, FakeOpener, FakeSource

KEY = "17TRACK-SECURITY-KEY"
H = timedelta(hours=1)


def scan(at: datetime, sub: str, text: str, where: str = "SHENZHEN") -> dict[str, Any]:
    return {
        "time_iso": at.isoformat(),
        "time_utc": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "description": text,
        "location": where,
        "stage": None,
        "sub_status": sub,
    }


SCANS = [
    scan(NOW - 50 * H, "InfoReceived", "Shipment information received"),
    scan(NOW - 40 * H, "InTransit_Departure", "Departed from sorting center"),
    scan(NOW - 10 * H, "InTransit_Arrival", "Arrived at destination country", "LOS ANGELES, CA"),
    scan(NOW - 2 * H, "OutForDelivery_Other", "Out for delivery", "LOS ANGELES, CA"),
]


def item(number: str, scans: list[dict[str, Any]], tag: Any = "yunexpress") -> dict[str, Any]:
    sub = scans[-1]["sub_status"]
    info = {
        "latest_status": {"status": sub.split("_")[0], "sub_status": sub, "sub_status_descr": None},
        "latest_event": scans[-1],
        "tracking": {"providers": [{"provider": {"key": 190008}, "events": list(reversed(scans))}]},
    }
    return {"number": number, "carrier": 190008, "param": None, "tag": tag, "track_info": info}


def request(data: dict[str, Any], *, event: str = "TRACKING_UPDATED", key: str = KEY):
    body = json.dumps({"event": event, "data": data}).encode("utf-8")
    return {"sign": signature(body, key)}, body


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


class MemoryOnce:
    """core.inbound's once, remembered in memory: the second delivery of a key is refused `replayed`."""

    def __init__(self) -> None:
        self.taken: dict[str, dict[str, Any]] = {}

    def __call__(self, system: str, key: str, work):  # type: ignore[no-untyped-def]
        if f"{system}#{key}" in self.taken:
            return refuse(system, REPLAYED, "already taken in", key=key)
        self.taken[f"{system}#{key}"] = dict(work())
        return self.taken[f"{system}#{key}"]


class CountingShipments(ShipmentRepository):
    def __init__(self) -> None:
        super().__init__()
        self.reads = self.writes = 0

    def get_many(self, keys):  # type: ignore[no-untyped-def]
        self.reads += 1
        return super().get_many(keys)

    def save(self, parcel, **kw):  # type: ignore[no-untyped-def]
        self.writes += 1
        return super().save(parcel, **kw)


@pytest.fixture
def world():
    with moto_resources():
        clock = Clock()
        policy = TrackingPolicy()
        shipments = CountingShipments()
        pusher = TrackingPush(
            shipments,
            SeventeenTrackPush(lambda: {"api_key": KEY}),
            policy,
            DEFAULT_CHAINS,
            clock,
            once=MemoryOnce(),
        )
        registrar = ShipmentRegistrar(ShipmentRepository(), policy, clock)
        yield pusher, registrar, shipments, clock


def register(registrar: ShipmentRegistrar, number: str, carrier: str = "YunExpress") -> str:
    return registrar.register([NewShipment(number, carrier, NOW - 60 * H)]).new[0]


def stored(key: str) -> dict[str, Any]:
    return ShipmentModel.get(key).attribute_values


def table() -> list[dict[str, Any]]:
    return sorted((i.attribute_values for i in ShipmentModel.scan()), key=lambda v: v["parcel_key"])


def test_a_push_updates_the_parcel_as_a_poll_of_the_same_data_does(world):
    # Given two like parcels; 17TRACK's poll answers one with the track_info it pushes for the other
    pusher, registrar, _shipments, clock = world
    pushed, polled = register(registrar, "YT2301100001"), register(registrar, "YT2301100002")
    answer = answer_for(item("YT2301100002", SCANS))
    source = FakeSource("17track", lambda number, attempt: answer, needs_registration=True)
    opener = FakeOpener({"17track": source})
    health = SourceHealth(SourceHealthRepository(), opener, Alerts(), HealthRules(), DEFAULT_CHAINS, clock)
    asker = Asker(opener, pusher.policy, retries=1, retry_delay_s=0, clock=clock, sleep=lambda s: None)
    TrackingRefresher(
        ShipmentRepository(), asker, health, Alerts(), pusher.policy, DEFAULT_CHAINS, clock
    ).refresh([polled])

    # When the push for the first arrives
    outcome = pusher.take(*request(item("YT2301100001", SCANS)))

    # Then both parcels hold the same scans, status, source and states; the pushed one is marked
    # and polled every 6 h instead of out-for-delivery's hourly cadence
    assert outcome["outcome"] == "updated" and outcome["added"] == 4
    by_push, by_poll = ShipmentRepository().get(pushed), ShipmentRepository().get(polled)
    same = ("status", "raw_status", "events", "source", "last_success_at", "follow_up_since", "stalled_since")
    assert {f: getattr(by_push, f) for f in same} == {f: getattr(by_poll, f) for f in same}
    assert by_push.status is TrackingStatus.OUT_FOR_DELIVERY
    assert stored(pushed)["status_line"] == stored(polled)["status_line"]
    assert by_push.pushed_at == NOW and by_poll.pushed_at is None
    assert by_push.next_check_at == NOW + 6 * H and by_poll.next_check_at == NOW + 1 * H


def test_a_forged_or_unsigned_push_is_refused_before_anything_is_read(world, caplog):
    # Given a tracked parcel
    pusher, registrar, shipments, _clock = world
    register(registrar, "YT2301100003")
    before = table()
    headers, body = request(item("YT2301100003", SCANS), key="another-key")

    # When a push signed with another key, one with no signature and one whose body was changed arrive
    outcomes = [
        pusher.take(headers, body),
        pusher.take({}, body),
        pusher.take(request(item("YT2301100003", SCANS))[0], body.replace(b"Out for", b"Lost on")),
    ]

    # Then each is refused as forged, with a log line; the table was neither read nor written
    assert [(o["outcome"], o["reason"]) for o in outcomes] == [("refused", "forged")] * 3
    assert (shipments.reads, shipments.writes) == (0, 0) and table() == before
    assert [r.reason for r in caplog.records if r.getMessage() == "push refused: nothing stored"] == [
        "forged"
    ] * 3


def test_a_replay_is_refused_and_the_parcel_updated_once(world):
    # Given a push taken in
    pusher, registrar, shipments, _clock = world
    key = register(registrar, "YT2301100004")
    push = request(item("YT2301100004", SCANS))
    first = pusher.take(*push)
    version = stored(key)["version"]

    # When 17TRACK delivers the same request again
    again = pusher.take(*push)

    # Then it is refused as replayed, and the parcel was written once
    assert first["outcome"] == "updated" and (again["outcome"], again["reason"]) == ("refused", REPLAYED)
    assert shipments.writes == 1 and stored(key)["version"] == version


def test_an_older_push_is_stale_and_writes_nothing(world):
    # Given a parcel that holds the out-for-delivery scan
    pusher, registrar, shipments, _clock = world
    key = register(registrar, "YT2301100005")
    pusher.take(*request(item("YT2301100005", SCANS)))
    before = table()

    # When a push whose newest scan is the arrival (delivered out of order) comes in
    outcome = pusher.take(*request(item("YT2301100005", SCANS[:3])))

    # Then it is refused as stale, nothing written
    assert (outcome["outcome"], outcome["reason"]) == ("refused", "stale") and "older" in outcome["detail"]
    assert table() == before and shipments.writes == 1
    assert ShipmentRepository().get(key).status is TrackingStatus.OUT_FOR_DELIVERY


def test_a_push_from_the_future_beyond_the_skew_is_stale(world):
    pusher, registrar, _shipments, _clock = world
    register(registrar, "YT2301100006")
    ahead = [*SCANS[:2], scan(NOW + 2 * H, "InTransit_Arrival", "Arrived")]
    outcome = pusher.take(*request(item("YT2301100006", ahead)))
    assert (outcome["outcome"], outcome["reason"]) == ("refused", "stale") and "ahead" in outcome["detail"]


def test_a_number_crossdock_does_not_track_is_refused(world):
    pusher, _registrar, shipments, _clock = world
    outcome = pusher.take(*request(item("YT2399999999", SCANS)))
    assert (outcome["outcome"], outcome["reason"]) == ("refused", "unknown_parcel") and shipments.writes == 0


def test_without_a_tag_the_parcel_is_found_by_its_numbers_shape(world):
    # Given a Yanwen parcel (registered with 17TRACK before tags were sent)
    pusher, registrar, _shipments, _clock = world
    key = register(registrar, "UH183800007YP", carrier="Yanwen")

    # When its push carries no tag
    outcome = pusher.take(*request(item("UH183800007YP", SCANS, tag=None)))

    # Then the Yanwen parcel is updated
    assert outcome["outcome"] == "updated" and outcome["parcel"] == key == "yanwen#UH183800007YP"


def test_pushes_without_scans_stops_other_events_and_final_parcels_write_nothing(world):
    # Given a delivered parcel and an active one
    pusher, registrar, shipments, _clock = world
    register(registrar, "YT2301100008")
    delivered = [*SCANS, scan(NOW - 1 * H, "Delivered_Other", "Delivered", "LOS ANGELES, CA")]
    pusher.take(*request(item("YT2301100008", delivered)))
    register(registrar, "YT2301100009")
    empty = item("YT2301100009", SCANS)
    empty["track_info"] = {"latest_status": {"status": "NotFound"}, "latest_event": None}
    before = table()

    # When a later push for the delivered one, a push without scans, a stop and an unknown event arrive
    later = [*delivered, scan(NOW - 0.5 * H, "Delivered_Other", "Signed by neighbour")]
    outcomes = [
        pusher.take(*request(item("YT2301100008", later))),
        pusher.take(*request(empty)),
        pusher.take(*request({"number": "YT2301100009", "tag": "yunexpress"}, event="TRACKING_STOPPED")),
        pusher.take(*request({"number": "YT2301100009"}, event="TRACKING_SOMETHING_NEW")),
    ]

    # Then nothing is written; each is answered for what it is
    assert [(o["outcome"], o.get("reason")) for o in outcomes] == [
        ("ignored", "final"),
        ("ignored", "no_scans"),
        ("stopped", None),
        ("ignored", "not_tracking"),
    ]
    assert table() == before and shipments.writes == 1


def test_a_malformed_but_signed_body_is_refused_as_malformed(world):
    pusher, _registrar, shipments, _clock = world
    body = b'{"event": "TRACKING_UPDATED", "data": {"number": "YT1"}}'
    outcome = pusher.take({"sign": signature(body, KEY)}, body)
    assert (outcome["outcome"], outcome["reason"]) == ("refused", "malformed") and shipments.reads == 0


# -- cadence -------------------------------------------------------------------------------------------
def parcel(status: TrackingStatus, pushed_at: datetime | None = None) -> Parcel:
    return Parcel("YT1", "yunexpress", NOW - 60 * H, NOW - 60 * H, status=status, pushed_at=pushed_at)


@pytest.mark.parametrize(
    ("status", "normal"),
    [
        (TrackingStatus.IN_TRANSIT, 4 * H),
        (TrackingStatus.OUT_FOR_DELIVERY, 1 * H),
        (TrackingStatus.PENDING, 3 * H),
    ],
)
def test_a_pushed_parcel_is_polled_every_6_hours_and_normally_once_pushes_stop(status, normal):
    policy = TrackingPolicy()
    assert policy.next_check(parcel(status), NOW) == NOW + normal
    assert policy.next_check(parcel(status, pushed_at=NOW), NOW) == NOW + 6 * H
    # 20 h after the last push: the next poll comes when the push stops being trusted (24 h)
    assert policy.next_check(parcel(status, pushed_at=NOW - 20 * H), NOW) == NOW + max(normal, 4 * H)
    # a day without a push: back to the normal cadence
    assert policy.next_check(parcel(status, pushed_at=NOW - 25 * H), NOW) == NOW + normal


def test_a_status_slower_than_the_push_cadence_keeps_its_own():
    policy = TrackingPolicy()
    assert policy.next_check(parcel(TrackingStatus.INFO_RECEIVED, pushed_at=NOW), NOW) == NOW + 6 * H
    slow = replace(policy, check_every={TrackingStatus.IN_TRANSIT: 12 * H})
    assert slow.next_check(parcel(TrackingStatus.IN_TRANSIT, pushed_at=NOW), NOW) == NOW + 12 * H


def test_following_up_beats_the_push_cadence():
    followed = replace(parcel(TrackingStatus.IN_TRANSIT, pushed_at=NOW), follow_up_since=NOW - H)
    assert TrackingPolicy().next_check(followed, NOW) == NOW + timedelta(minutes=30)


class Tasks:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    def enqueue(self, tasks, *, delay_s=0):  # type: ignore[no-untyped-def]
        self.sent += tasks
        return len(tasks)


def test_the_planner_plans_a_pushed_parcel_later_than_an_unpushed_one(world):
    # Given two in-transit parcels at the same state, one of them kept fresh by a push
    pusher, registrar, _shipments, clock = world
    pushed, unpushed = register(registrar, "YT2301100010"), register(registrar, "YT2301100011")
    in_transit = SCANS[:3]
    pusher.take(*request(item("YT2301100010", in_transit)))
    same = replace(ShipmentRepository().get(pushed), tracking_number="YT2301100011", pushed_at=None)
    repo = ShipmentRepository()
    repo.get(unpushed)  # its version, for the save's check
    repo.save(
        replace(same, next_check_at=TrackingPolicy().next_check(same, NOW)), status_line="", checked_at=NOW
    )

    # When the planner runs 5 hours later, then 7 hours later
    tasks = Tasks()
    planner = TrackingPlanner(ShipmentRepository(), tasks, Alerts(), pusher.policy, DEFAULT_CHAINS, clock)
    clock.now = NOW + 5 * H
    at_five = planner.plan()
    clock.now = NOW + 7 * H
    at_seven = planner.plan()

    # Then the unpushed parcel is polled at 5 h (its 4 h cadence), the pushed one only at 7 h (6 h;
    # the unpushed one is planned again then, its task's lease having run out without a worker)
    assert at_five.planned == 1 and tasks.sent[0]["parcels"] == [unpushed]
    assert pushed in tasks.sent[1]["parcels"] and at_seven.planned == 2


# -- freshness, as a rule --------------------------------------------------------------------------------
minutes = st.integers(min_value=-3000, max_value=3000)


@given(known=st.one_of(st.none(), minutes), latest=minutes, seconds=st.integers(0, 59))
def test_a_push_is_stale_exactly_when_older_than_the_parcel_to_the_minute_or_beyond_the_skew(
    known: int | None, latest: int, seconds: int
):
    policy = TrackingPolicy()
    base = NOW.replace(second=0)
    at = base + timedelta(minutes=latest, seconds=seconds)
    events = () if known is None else (_event(base + timedelta(minutes=known)),)
    held = replace(parcel(TrackingStatus.IN_TRANSIT), events=events)
    push = TrackPush("17track", "YT1", "", Found((_event(at),)), "InTransit")
    why = stale_because(held, push, now=NOW, future_skew=policy.push_future_skew)
    older = known is not None and latest < known
    ahead = at > NOW + policy.push_future_skew
    assert (why is not None) == (older or ahead)


def _event(at: datetime) -> TrackingEvent:
    return TrackingEvent(at, "scan", "", "InTransit", TrackingStatus.IN_TRANSIT, "17track")
