"""17TRACK source ↔ the local 17TRACK over HTTP: registration, the world's scans in UTC, each silent
failure shape, calls of 40, auth, quota and throttling."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from crossdock.carriers.seventeen_track.source import REGISTERED_NOW, SeventeenTrackSource
from crossdock.carriers.seventeen_track.spec import SPEC
from crossdock.core.errors import AuthError
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.core.ratelimit import Rate
from crossdock.tracking.ports import ParcelQuery, SourceContext
from crossdock.tracking.rules.parcel import Found, Missing
from crossdock.tracking.rules.status import TrackingStatus
from crossdock_local.sandboxes.base import FaultProfile
from crossdock_local.sandboxes.parcels import (
    EMPTY,
    ENVELOPE,
    NOT_FOUND,
    STALE,
    ParcelWorld,
    Scan,
    WorldParcel,
    journey,
)
from crossdock_local.sandboxes.seventeen_track.server import SeventeenTrackSandbox

SCALE = 100.0  # 300 requests/s: fast tests, same shape
NOW = datetime.now(UTC).replace(microsecond=0)
ATTEMPTS = 3


@pytest.fixture
def world() -> ParcelWorld:
    rng = random.Random(17)
    parcels = ParcelWorld(clock=lambda: NOW)
    for n in range(100):
        carrier = ("4px", "yanwen", "usps")[n % 3]
        destination = ("US", "DE", "JP")[n % 3]
        scans = journey(NOW - timedelta(days=30), rng, destination=destination)
        parcels.add(WorldParcel(f"LX{n:09d}CN", carrier, scans, destination=destination))
    return parcels


@pytest.fixture
def sandbox(world: ParcelWorld) -> Iterator[SeventeenTrackSandbox]:
    server = SeventeenTrackSandbox(world, rate_scale=SCALE)
    server.start()
    yield server
    server.stop()


def connect(
    sandbox: SeventeenTrackSandbox,
    *,
    api_key: str | None = None,
    rates: dict[str, Rate] | None = None,
    attempts: int = ATTEMPTS,
) -> tuple[SeventeenTrackSource, ChannelHttp]:
    retry = RetryPolicy(max_attempts=attempts, base_delay_s=0.005, max_delay_s=0.02)
    http = ChannelHttp(SPEC.name, rates or SPEC.rates, rate_scale=SCALE, retry=retry, timeout=(1.0, 2.0))
    credentials = {"api_key": api_key or sandbox.api_key}
    source = SPEC.build(SourceContext(credentials, http, endpoints=sandbox.endpoints))
    assert isinstance(source, SeventeenTrackSource)
    return source, http


def asked(world: ParcelWorld, count: int = 100) -> list[ParcelQuery]:
    return [ParcelQuery(p.number, p.carrier) for p in list(world.parcels.values())[:count]]


def registered(sandbox: SeventeenTrackSandbox, queries: list[ParcelQuery]) -> list[ParcelQuery]:
    sandbox.mark_registered(q.tracking_number for q in queries)
    return queries


def test_registered_parcels_answer_every_scan_once_in_utc_with_mapped_statuses(
    sandbox: SeventeenTrackSandbox, world: ParcelWorld
) -> None:
    # Given registered parcels whose journeys are over (two providers list the hand-over scan)
    queries = registered(sandbox, asked(world, 6))
    source, _ = connect(sandbox)
    # When
    answers = source.fetch(queries)
    # Then each answer is the world's journey: same instants, same meaning, no duplicate
    for query in queries:
        answer = answers[query.tracking_number]
        scans = world.visible(query.tracking_number) or []
        assert isinstance(answer, Found) and answer.raw_status == "Delivered_Other"
        assert [e.at for e in answer.events] == [s.at for s in scans]
        assert all(e.at.tzinfo is not None and e.at.utcoffset() == timedelta(0) for e in answer.events)
        assert [e.status for e in answer.events] == [s.stage for s in scans]
        assert [e.description for e in answer.events] == [s.description for s in scans]


def test_an_unregistered_number_is_registered_by_the_fetch_and_answers_next_time(
    sandbox: SeventeenTrackSandbox, world: ParcelWorld
) -> None:
    # Given a number 17TRACK was never told about
    queries = asked(world, 1)
    number = queries[0].tracking_number
    source, _ = connect(sandbox)
    # When
    first = source.fetch(queries)
    second = source.fetch(queries)
    # Then
    assert first[number] == Missing("rejected", REGISTERED_NOW)
    assert number in sandbox.registered and sandbox.tags[number] == queries[0].carrier
    assert isinstance(second[number], Found)
    assert sandbox.stats["calls:register"] == 1 and sandbox.stats["numbers:register"] == 1


def test_register_answers_none_for_new_and_already_registered_numbers(
    sandbox: SeventeenTrackSandbox, world: ParcelWorld
) -> None:
    # Given
    queries = asked(world, 45)
    source, _ = connect(sandbox)
    # When
    first = source.register(queries)
    again = source.register(queries[:3])
    # Then
    assert set(first.values()) == {None} and set(again.values()) == {None} and len(first) == 45
    assert sandbox.registered == {q.tracking_number for q in queries}
    assert sandbox.stats["calls:register"] == 3 and sandbox.stats["numbers:register"] == 48


def test_registrations_past_the_quota_are_refused_with_the_quota_code(world: ParcelWorld) -> None:
    # Given an account with one registration left
    with SeventeenTrackSandbox(world, rate_scale=SCALE, quota=1) as server:
        assert isinstance(server, SeventeenTrackSandbox)
        source, _ = connect(server)
        # When
        outcome = source.register(asked(world, 2))
    # Then
    assert list(outcome.values()) == [None, "-18019908 The quota is exhausted."]


@pytest.mark.parametrize(("mode", "reason"), [(EMPTY, "empty"), (NOT_FOUND, "not_found")])
def test_a_silent_number_is_missing_with_its_reason(
    sandbox: SeventeenTrackSandbox, world: ParcelWorld, mode: str, reason: str
) -> None:
    # Given one registered number in the mode, its neighbours healthy
    queries = registered(sandbox, asked(world, 3))
    world.set_answer("17track", queries[1].tracking_number, mode)
    source, _ = connect(sandbox)
    # When
    answers = source.fetch(queries)
    # Then
    answer = answers[queries[1].tracking_number]
    assert isinstance(answer, Missing) and answer.reason == reason
    assert isinstance(answers[queries[0].tracking_number], Found) and isinstance(
        answers[queries[2].tracking_number], Found
    )


def test_numbers_the_world_does_not_know_or_has_not_scanned_yet_are_not_found(
    sandbox: SeventeenTrackSandbox, world: ParcelWorld
) -> None:
    # Given a registered unknown number and a parcel whose first scan is still to come
    scan = Scan(
        NOW + timedelta(hours=2), TrackingStatus.INFO_RECEIVED, "Shipment information received", "SHENZHEN"
    )
    world.add(WorldParcel("LX999999999CN", "4px", [scan]))
    queries = registered(sandbox, [ParcelQuery("XX000000000US", "usps"), ParcelQuery("LX999999999CN", "4px")])
    source, _ = connect(sandbox)
    # When
    answers = source.fetch(queries)
    # Then
    assert answers == {
        "XX000000000US": Missing("not_found", "NotFound_Other"),
        "LX999999999CN": Missing("not_found", "NotFound_Other"),
    }


def test_a_stale_copy_lacks_the_newest_scans(sandbox: SeventeenTrackSandbox, world: ParcelWorld) -> None:
    # Given
    queries = registered(sandbox, asked(world, 1))
    number = queries[0].tracking_number
    world.set_answer("17track", number, STALE)
    source, _ = connect(sandbox)
    # When
    answer = source.fetch(queries)[number]
    # Then
    scans = world.visible(number) or []
    assert isinstance(answer, Found)
    assert [e.at for e in answer.events] == [s.at for s in scans[: -world.stale_drop]]


def test_a_failure_envelope_fails_the_call_after_every_retry(
    sandbox: SeventeenTrackSandbox, world: ParcelWorld
) -> None:
    # Given an outage answering -18010003
    queries = registered(sandbox, asked(world, 5))
    world.set_outage("17track", ENVELOPE)
    source, http = connect(sandbox)
    # When
    answers = source.fetch(queries)
    # Then
    assert {a.reason for a in answers.values() if isinstance(a, Missing)} == {"failed"} and len(answers) == 5
    assert sandbox.stats["calls:gettrackinfo"] == ATTEMPTS == http.stats.calls["gettrackinfo"]


def test_one_failing_call_leaves_the_other_calls_answers(
    sandbox: SeventeenTrackSandbox, world: ParcelWorld
) -> None:
    # Given one number of the second call of 40 makes 17TRACK fail that call
    queries = registered(sandbox, asked(world, 90))
    world.set_answer("17track", queries[50].tracking_number, ENVELOPE)
    source, _ = connect(sandbox)
    # When
    answers = source.fetch(queries)
    # Then
    reasons = [
        a.reason if isinstance(a, Missing) else "found" for a in (answers[q.tracking_number] for q in queries)
    ]
    assert reasons == ["found"] * 40 + ["failed"] * 40 + ["found"] * 10


def test_95_numbers_cost_three_calls_of_at_most_40(
    sandbox: SeventeenTrackSandbox, world: ParcelWorld
) -> None:
    # Given
    queries = registered(sandbox, asked(world, 95))
    source, _ = connect(sandbox)
    # When
    answers = source.fetch(queries)
    # Then
    assert len(answers) == 95 and all(isinstance(a, Found) for a in answers.values())
    assert sandbox.stats["calls:gettrackinfo"] == SPEC.minimum_calls(95) == 3
    assert sandbox.stats["numbers:gettrackinfo"] == 95


def test_more_than_40_numbers_are_refused_with_the_documented_code(sandbox: SeventeenTrackSandbox) -> None:
    # Given
    body = [{"number": f"LX{n:09d}CN"} for n in range(41)]
    # When
    reply = requests.post(
        f"{sandbox.url}/track/v2.2/gettrackinfo", json=body, headers={"17token": sandbox.api_key}, timeout=2
    )
    # Then
    assert reply.status_code == 200 and reply.json()["code"] == -18010014


@pytest.mark.parametrize("disable", [False, True])
def test_a_bad_or_disabled_key_raises_auth_error(
    sandbox: SeventeenTrackSandbox, world: ParcelWorld, disable: bool
) -> None:
    # Given
    if disable:
        sandbox.disabled.add(sandbox.api_key)
    source, http = connect(sandbox, api_key=None if disable else "WRONGKEY")
    # When / Then
    with pytest.raises(AuthError):
        source.fetch(asked(world, 2))
    assert http.stats.calls["gettrackinfo"] == 1


@pytest.mark.parametrize(("fault", "reason"), [("silent_empty", "empty"), ("error_envelope", "failed")])
def test_fault_profile_answers_in_17tracks_shape(world: ParcelWorld, fault: str, reason: str) -> None:
    # Given every call meets the fault
    with SeventeenTrackSandbox(world, rate_scale=SCALE, faults=FaultProfile(**{fault: 1.0})) as server:
        assert isinstance(server, SeventeenTrackSandbox)
        queries = registered(server, asked(world, 3))
        source, _ = connect(server)
        # When
        answers = source.fetch(queries)
    # Then
    assert {a.reason for a in answers.values() if isinstance(a, Missing)} == {reason} and len(answers) == 3


def test_throttled_calls_are_retried_until_every_number_is_answered(world: ParcelWorld) -> None:
    # Given a client that does not pace (1000/s) against 17TRACK's 3/s × 5, burst 3
    with SeventeenTrackSandbox(world, rate_scale=5.0) as server:
        assert isinstance(server, SeventeenTrackSandbox)
        queries = registered(server, asked(world, 24))
        source, http = connect(server, rates={op: Rate(1000.0, 1000.0) for op in SPEC.rates}, attempts=30)
        # When twelve small calls go out back to back
        rounds = [source.fetch(queries[n : n + 2]) for n in range(0, 24, 2)]
    # Then 429s happened and were retried, and every number got its scans
    assert server.stats["faults:throttled"] > 0
    assert http.stats.faults["throttled"] == server.stats["faults:throttled"]
    assert all(len(r) == 2 and all(isinstance(a, Found) for a in r.values()) for r in rounds)


def test_a_return_scan_is_a_return_event(sandbox: SeventeenTrackSandbox, world: ParcelWorld) -> None:
    # Given a parcel on its way back to the sender
    start = NOW - timedelta(days=3)
    scans = [
        Scan(start, TrackingStatus.INFO_RECEIVED, "Shipment information received", "SHENZHEN"),
        Scan(
            start + timedelta(days=1),
            TrackingStatus.EXCEPTION,
            "Returned to sender",
            "SHENZHEN",
            is_return=True,
        ),
    ]
    world.add(WorldParcel("LX888888888CN", "yanwen", scans))
    queries = registered(sandbox, [ParcelQuery("LX888888888CN", "yanwen")])
    source, _ = connect(sandbox)
    # When
    answer = source.fetch(queries)["LX888888888CN"]
    # Then
    assert isinstance(answer, Found) and answer.raw_status == "Exception_Returning"
    assert answer.events[-1].is_return and answer.events[-1].status is TrackingStatus.EXCEPTION
