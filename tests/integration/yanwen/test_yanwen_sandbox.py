"""Adapter ↔ Yanwen sandbox over HTTP: scans in UTC, batching at 30, every silent-failure shape, envelope
failures, auth, throttling, and every number answered."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from crossdock.carriers.yanwen.source import YanwenSource
from crossdock.carriers.yanwen.spec import SPEC
from crossdock.core.errors import AuthError
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.core.ratelimit import Rate
from crossdock.tracking.ports import ParcelQuery, SourceContext
from crossdock.tracking.rules.parcel import Answer, Found, Missing
from crossdock_local.sandboxes.base import FaultProfile, ServerRateLimiter
from crossdock_local.sandboxes.parcels import (
    EMPTY,
    ENVELOPE,
    NOT_FOUND,
    STALE,
    ParcelWorld,
    WorldParcel,
    journey,
)
from crossdock_local.sandboxes.yanwen.server import RATES, YanwenSandbox

SCALE = 50.0
DESTINATIONS = ("US", "DE", "GB", "JP", "AU")


def number(i: int) -> str:
    return f"UH{183870000 + i:09d}YP"


def world_of(count: int, *, seed: int = 4) -> ParcelWorld:
    """`count` parcels handed over weeks ago: every journey complete, in many time zones."""
    world, rng = ParcelWorld(), random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=40)
    for i in range(count):
        destination = DESTINATIONS[i % len(DESTINATIONS)]
        scans = journey(start, rng, destination=destination)
        world.add(WorldParcel(number(i), "yanwen", scans, destination))
    return world


def queries(count: int) -> list[ParcelQuery]:
    return [ParcelQuery(number(i), "yanwen") for i in range(count)]


@pytest.fixture
def world() -> ParcelWorld:
    return world_of(95)


def serve(world: ParcelWorld, faults: FaultProfile | None = None) -> YanwenSandbox:
    sandbox = YanwenSandbox(world, faults=faults, rate_scale=SCALE)
    sandbox.start()
    return sandbox


@pytest.fixture
def sandbox(world: ParcelWorld) -> Iterator[YanwenSandbox]:
    running = serve(world)
    yield running
    running.stop()


def connect(
    sandbox: YanwenSandbox,
    *,
    attempts: int = 4,
    rates: dict[str, Rate] | None = None,
    authorization: str | None = None,
) -> tuple[YanwenSource, ChannelHttp]:
    retry = RetryPolicy(max_attempts=attempts, base_delay_s=0.005, max_delay_s=0.02)
    http = ChannelHttp(SPEC.name, rates or SPEC.rates, rate_scale=SCALE, retry=retry, timeout=(1.0, 1.0))
    credentials = {"authorization": authorization or sandbox.credentials["authorization"]}
    ctx = SourceContext(credentials, http, endpoints=sandbox.endpoints)
    return YanwenSource(ctx), http


def found(answer: Answer) -> Found:
    assert isinstance(answer, Found), answer
    return answer


def test_every_parcel_comes_back_with_its_scans_in_utc_and_their_meaning(
    sandbox: YanwenSandbox, world: ParcelWorld
) -> None:
    # Given
    sandbox.keep_log = True
    source, _ = connect(sandbox)

    # When
    got = source.fetch(queries(95))

    # Then: every scan, at its UTC instant, with the unified status the world gave it
    assert set(got) == {q.tracking_number for q in queries(95)}
    for i in range(95):
        scans = world.visible(number(i)) or []
        events = sorted(found(got[number(i)]).events, key=lambda e: e.at)
        assert [(e.at, e.description, e.location, e.status) for e in events] == [
            (s.at, s.description, s.location, s.stage) for s in scans
        ]
        assert found(got[number(i)]).raw_status == "LM40"
    # and on the wire: the raw merchant number, comma-separated numbers
    request = sandbox.log[0]
    assert request.headers["authorization"] == sandbox.credentials["authorization"]
    assert request.query["nums"].split(",") == [number(i) for i in range(30)]


def test_95_numbers_cost_four_calls_of_at_most_thirty(sandbox: YanwenSandbox) -> None:
    # Given
    source, http = connect(sandbox)

    # When
    got = source.fetch(queries(95))

    # Then
    assert sandbox.stats["calls:tracking"] == SPEC.minimum_calls(95) == 4
    assert sandbox.stats["numbers:tracking"] == 95
    assert http.stats.calls["tracking"] == 4
    assert len(got) == 95


def test_each_silent_failure_shape_is_told_apart(sandbox: YanwenSandbox, world: ParcelWorld) -> None:
    # Given: one number per shape, and two the world cannot show yet
    world.set_answer("yanwen", number(0), EMPTY)
    world.set_answer("yanwen", number(1), NOT_FOUND)
    world.set_answer("yanwen", number(2), STALE)
    future = journey(datetime.now(UTC) + timedelta(days=1), random.Random(1))
    world.add(WorldParcel("UH999000001YP", "yanwen", future))
    world.add(WorldParcel("UH999000002YP", "yanwen", future))
    world.set_answer("yanwen", "UH999000002YP", EMPTY)
    asked = [*queries(4), ParcelQuery("UH999000001YP", "yanwen"), ParcelQuery("UH999000002YP", "yanwen")]
    asked.append(ParcelQuery("LX000000000CN", "yanwen"))
    source, _ = connect(sandbox)

    # When
    got = source.fetch(asked)

    # Then
    assert got[number(0)] == Missing("empty", "tracking_status LM40 without checkpoints")
    assert got[number(1)] == Missing("not_found", "NOTFOUND")
    stale, full = found(got[number(2)]), world.visible(number(2)) or []
    assert len(stale.events) == len(full) - world.stale_drop
    assert max(e.at for e in stale.events) < full[-1].at  # the newest scans are missing
    assert isinstance(got[number(3)], Found)
    assert got["UH999000001YP"] == Missing("not_found", "NOTFOUND")  # not scanned yet
    assert got["UH999000002YP"] == Missing("empty", "not in the result")
    assert got["LX000000000CN"] == Missing("not_found", "NOTFOUND")  # unknown to Yanwen


def test_an_empty_outage_leaves_every_number_empty_never_found(
    sandbox: YanwenSandbox, world: ParcelWorld
) -> None:
    # Given
    world.set_outage("yanwen", EMPTY)
    source, _ = connect(sandbox)

    # When
    got = source.fetch(queries(40))

    # Then
    assert len(got) == 40
    assert {a.reason for a in got.values() if isinstance(a, Missing)} == {"empty"}
    assert all(isinstance(a, Missing) for a in got.values())


def test_a_failure_envelope_fails_only_its_own_call_after_the_retries(
    sandbox: YanwenSandbox, world: ParcelWorld
) -> None:
    # Given: a number of the second batch always brings code 1
    world.set_answer("yanwen", number(45), ENVELOPE)
    source, http = connect(sandbox, attempts=3)

    # When
    got = source.fetch(queries(95))

    # Then
    failed = {n for n, a in got.items() if isinstance(a, Missing)}
    assert failed == {number(i) for i in range(30, 60)}
    assert {getattr(got[n], "reason", None) for n in failed} == {"failed"}
    assert sandbox.stats["calls:tracking"] == 3 + 3
    assert http.stats.faults["invalid_response"] == 3
    assert len(got) == 95


@pytest.mark.parametrize(
    ("faults", "reason"),
    [(FaultProfile(silent_empty=1.0), "empty"), (FaultProfile(error_envelope=1.0), "failed")],
)
def test_a_source_that_always_answers_without_data_is_never_read_as_found(
    world: ParcelWorld, faults: FaultProfile, reason: str
) -> None:
    # Given
    sandbox = serve(world, faults)
    try:
        source, _ = connect(sandbox, attempts=3)

        # When
        got = source.fetch(queries(35))
    finally:
        sandbox.stop()

    # Then
    assert len(got) == 35
    assert {getattr(a, "reason", "found") for a in got.values()} == {reason}


def test_a_source_with_every_kind_of_fault_still_answers_every_number(world: ParcelWorld) -> None:
    # Given: 5xx, resets, HTML, code 1 now and then (no silent empties: those are answers, judged elsewhere)
    faults = FaultProfile(server_error=0.1, reset=0.05, html=0.05, error_envelope=0.1, seed=3)
    sandbox = serve(world, faults)
    try:
        source, http = connect(sandbox, attempts=10)

        # When
        got = source.fetch(queries(95))
    finally:
        sandbox.stop()

    # Then
    assert all(isinstance(a, Found) for a in got.values())
    assert len(got) == 95
    assert http.stats.retries > 0


def test_a_wrong_merchant_number_is_an_auth_error_without_retries(sandbox: YanwenSandbox) -> None:
    # Given
    source, http = connect(sandbox, authorization="YW99999999")

    # When / Then
    with pytest.raises(AuthError, match="Authorization"):
        source.fetch(queries(5))
    assert sandbox.stats["calls:tracking"] == 1
    assert http.stats.faults["auth"] == 1


def test_the_sandbox_refuses_more_than_thirty_numbers_and_a_missing_authorization(
    sandbox: YanwenSandbox,
) -> None:
    # Given
    url = f"{sandbox.url}/api/tracking"
    auth = {"Authorization": sandbox.credentials["authorization"]}

    # When
    too_many = requests.get(
        url, params={"nums": ",".join(number(i) for i in range(31))}, headers=auth, timeout=2
    )
    anonymous = requests.get(url, params={"nums": number(0)}, timeout=2)

    # Then
    assert too_many.status_code == 200
    assert too_many.json()["code"] == 1 and "30" in too_many.json()["message"]
    assert anonymous.json()["code"] == 1 and "Authorization" in anonymous.json()["message"]


def test_throttling_answers_429_and_the_adapter_recovers(sandbox: YanwenSandbox) -> None:
    # Given: a client that ignores the pace; the sandbox allows 2 at once then 20/s
    sandbox.limiter = ServerRateLimiter({"tracking": Rate(20, 2)}, scale=1)
    source, http = connect(sandbox, attempts=8, rates={"tracking": Rate(10_000, 10_000)})

    # When
    got = source.fetch(queries(95) + [ParcelQuery(f"UH{i:09d}XX", "yanwen") for i in range(150)])

    # Then
    assert len(got) == 245
    assert all(not isinstance(a, Missing) or a.reason == "not_found" for a in got.values())
    assert sandbox.stats["faults:throttled"] > 0
    assert http.stats.faults["throttled"] == sandbox.stats["faults:throttled"]
    assert http.stats.waited_s > 0


def test_a_client_pacing_under_the_server_bucket_is_never_throttled(world: ParcelWorld) -> None:
    # Given: the sandbox enforces the assumed 5/s burst 5 (×4); the client paces at ×3.6, a 10 % margin
    sandbox = YanwenSandbox(world, rate_scale=4)
    sandbox.start()
    try:
        http = ChannelHttp(SPEC.name, SPEC.rates, rate_scale=3.6)
        source = YanwenSource(SourceContext(sandbox.credentials, http, endpoints=sandbox.endpoints))
        many = queries(95) + [ParcelQuery(f"UH{i:09d}XX", "yanwen") for i in range(175)]

        # When
        got = source.fetch(many)
    finally:
        sandbox.stop()

    # Then
    assert len(got) == 270
    assert http.stats.calls["tracking"] == 9 > SPEC.rates["tracking"].burst
    assert sandbox.stats["faults:throttled"] == 0
    assert SPEC.rates == RATES
