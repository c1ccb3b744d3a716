"""4PX adapter ↔ 4PX sandbox over HTTP: every number answered from the world's scans, each silent
failure shape, one call per number, auth failures, the gateway's own checks, and throttling."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from crossdock.carriers.fourpx.source import FourPxSource
from crossdock.carriers.fourpx.spec import METHOD, SPEC
from crossdock.carriers.fourpx.wire import FourPxCredentials, body_text, query
from crossdock.core.errors import AuthError
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.core.ratelimit import Rate
from crossdock.tracking.ports import ParcelQuery, SourceContext
from crossdock.tracking.rules.parcel import Answer, Found, Missing
from crossdock.tracking.rules.status import TrackingStatus
from crossdock_local.sandboxes.base import FaultProfile
from crossdock_local.sandboxes.fourpx.server import FourPxSandbox
from crossdock_local.sandboxes.parcels import (
    EMPTY,
    ENVELOPE,
    NOT_FOUND,
    STALE,
    ParcelWorld,
    WorldParcel,
    journey,
)

SCALE = 40.0  # the client's pace: 200 calls/s
SERVER_SCALE = 1000.0  # the functional tests' server never throttles; the throttling tests set their own
ATTEMPTS = 4


def numbers(count: int) -> list[str]:
    return [f"4PX{3001518625000 + i}CN" for i in range(count)]


@pytest.fixture
def world() -> ParcelWorld:
    rng = random.Random(4)
    start = datetime.now(UTC) - timedelta(days=20)
    parcels = ParcelWorld()
    for index, number in enumerate(numbers(95)):
        destination = ("US", "DE", "GB", "JP", "AU")[index % 5]
        scans = journey(start, rng, destination=destination, stops_at=3 + index % 6)
        parcels.add(WorldParcel(number, "4px", scans, destination=destination))
    return parcels


@contextmanager
def serve(world: ParcelWorld, **kw: Any) -> Iterator[FourPxSandbox]:
    sandbox = FourPxSandbox(world, **{"rate_scale": SERVER_SCALE, **kw})
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def sandbox(world: ParcelWorld) -> Iterator[FourPxSandbox]:
    with serve(world) as running:
        yield running


def connect(
    sandbox: FourPxSandbox, *, rates: dict[str, Rate] | None = None, scale: float = SCALE, **kw: Any
) -> tuple[FourPxSource, ChannelHttp]:
    retry = kw.pop("retry", RetryPolicy(max_attempts=ATTEMPTS, base_delay_s=0.005, max_delay_s=0.02))
    http = ChannelHttp(SPEC.name, rates or SPEC.rates, rate_scale=scale, retry=retry, timeout=(1.0, 2.0))
    credentials = {**sandbox.credentials, **kw.pop("credentials", {})}
    return FourPxSource(SourceContext(credentials, http, sandbox.endpoints, **kw)), http


def ask(source: FourPxSource, wanted: list[str]) -> dict[str, Answer]:
    answers = source.fetch([ParcelQuery(n, "4px") for n in wanted])
    assert set(answers) == set(wanted)  # every number asked is answered
    return answers


def reasons(answers: dict[str, Answer]) -> set[str]:
    return {a.reason if isinstance(a, Missing) else "found" for a in answers.values()}


def test_every_number_is_answered_with_the_worlds_scans_in_utc(
    sandbox: FourPxSandbox, world: ParcelWorld
) -> None:
    # Given
    source, http = connect(sandbox)
    wanted = numbers(95)

    # When
    answers = ask(source, wanted)

    # Then
    for number in wanted:
        answer, scans = answers[number], world.visible(number) or []
        assert isinstance(answer, Found)
        events = sorted(answer.events, key=lambda e: e.at)
        assert [e.at for e in events] == [s.at for s in scans]  # China time read back as the true instant
        assert [e.status for e in events] == [s.stage for s in scans]
        assert [e.description for e in events] == [s.description for s in scans]
        assert answer.raw_status == events[-1].raw_status
    assert (
        http.stats.calls[METHOD]
        == sandbox.stats[f"calls:{METHOD}"]
        == sandbox.stats[f"numbers:{METHOD}"]
        == 95
    )


def test_a_delivered_parcel_reads_delivered_from_its_newest_scan(
    sandbox: FourPxSandbox, world: ParcelWorld
) -> None:
    # Given
    world.add(
        WorldParcel(
            "4PX9990000001CN", "4px", journey(datetime.now(UTC) - timedelta(days=30), random.Random(1))
        )
    )
    source, _ = connect(sandbox)

    # When
    answer = ask(source, ["4PX9990000001CN"])["4PX9990000001CN"]

    # Then
    assert isinstance(answer, Found) and answer.raw_status == "OK"
    assert max(answer.events, key=lambda e: e.at).status is TrackingStatus.DELIVERED


@pytest.mark.parametrize(("mode", "reason"), [(EMPTY, "empty"), (NOT_FOUND, "not_found")])
def test_an_outage_answers_every_number_with_its_silent_shape(
    sandbox: FourPxSandbox, world: ParcelWorld, mode: str, reason: str
) -> None:
    # Given
    world.set_outage("4px", mode)
    source, http = connect(sandbox)

    # When
    answers = ask(source, numbers(6))

    # Then
    assert reasons(answers) == {reason}
    assert http.stats.calls[METHOD] == 6  # a 200 answer about the number is not retried


def test_a_failure_envelope_is_retried_then_failed(sandbox: FourPxSandbox, world: ParcelWorld) -> None:
    # Given
    world.set_outage("4px", ENVELOPE)
    source, _ = connect(sandbox)

    # When
    answers = ask(source, numbers(3))

    # Then
    assert reasons(answers) == {"failed"}
    assert all("5000" in a.detail for a in answers.values() if isinstance(a, Missing))
    assert sandbox.stats[f"calls:{METHOD}"] == 3 * ATTEMPTS


def test_one_number_in_trouble_leaves_the_others_answered(sandbox: FourPxSandbox, world: ParcelWorld) -> None:
    # Given
    first, second, third = numbers(3)
    world.set_answer("4px", second, ENVELOPE)
    world.set_answer("4px", third, NOT_FOUND)
    source, _ = connect(sandbox)

    # When
    answers = ask(source, [first, second, third])

    # Then
    assert isinstance(answers[first], Found)
    failed, unknown = answers[second], answers[third]
    assert isinstance(failed, Missing) and failed.reason == "failed" and "5000" in failed.detail
    assert isinstance(unknown, Missing) and unknown.reason == "not_found"


def test_a_stale_copy_lacks_the_newest_scans(sandbox: FourPxSandbox, world: ParcelWorld) -> None:
    # Given
    number = numbers(6)[5]  # 8 scans
    fresh = world.visible(number) or []
    world.set_answer("4px", number, STALE)
    source, _ = connect(sandbox)

    # When
    answer = ask(source, [number])[number]

    # Then
    assert isinstance(answer, Found)
    assert max(e.at for e in answer.events) == fresh[-1 - world.stale_drop].at < fresh[-1].at


def test_unknown_unscanned_and_malformed_numbers(sandbox: FourPxSandbox, world: ParcelWorld) -> None:
    # Given
    future = journey(datetime.now(UTC) + timedelta(days=1), random.Random(2))
    world.add(WorldParcel("4PX9990000002CN", "4px", future))
    source, _ = connect(sandbox)

    # When
    answers = ask(source, ["4PX0000000000XX", "4PX9990000002CN", "4PX 1!"])

    # Then
    assert [a.reason for a in answers.values() if isinstance(a, Missing)] == [
        "not_found",
        "not_found",
        "rejected",
    ]


@pytest.mark.parametrize(("fault", "reason"), [("silent_empty", "empty"), ("error_envelope", "failed")])
def test_fault_profiles_render_in_the_4px_envelope(world: ParcelWorld, fault: str, reason: str) -> None:
    # Given
    profile = FaultProfile(name=fault)
    setattr(profile, fault, 1.0)
    with serve(world, faults=profile) as sandbox:
        source, _ = connect(sandbox)

        # When
        answers = ask(source, numbers(2))

        # Then
        assert reasons(answers) == {reason}


@pytest.mark.parametrize(
    "credentials", [{"app_secret": "wrong"}, {"app_key": "fpx-unknown"}, {"access_token": "not-issued"}]
)
def test_bad_credentials_raise_auth_error(sandbox: FourPxSandbox, credentials: dict[str, str]) -> None:
    # Given
    source, http = connect(sandbox, credentials=credentials)

    # When / Then
    with pytest.raises(AuthError):
        source.fetch([ParcelQuery(n, "4px") for n in numbers(3)])
    assert http.stats.calls[METHOD] == 1  # never retried


def test_an_issued_access_token_is_sent_and_checked(world: ParcelWorld) -> None:
    # Given
    creds = {"app_key": "fpx-provider", "app_secret": "s3cret", "access_token": "tok-123"}
    with serve(world, credentials=creds) as sandbox:
        source, _ = connect(sandbox)
        anonymous, _ = connect(sandbox, credentials={"access_token": ""})

        # When
        answers = ask(source, numbers(1))

        # Then
        assert reasons(answers) == {"found"}
        with pytest.raises(AuthError):
            anonymous.fetch([ParcelQuery(numbers(1)[0], "4px")])


def test_a_skewed_clock_is_rejected_once_not_retried(sandbox: FourPxSandbox) -> None:
    # Given
    source, http = connect(sandbox, now=lambda: datetime.now(UTC) - timedelta(minutes=11))

    # When
    answers = ask(source, numbers(2))

    # Then
    assert reasons(answers) == {"failed"}
    assert all("1003" in a.detail for a in answers.values() if isinstance(a, Missing))
    assert http.stats.calls[METHOD] == 2


def raw_call(sandbox: FourPxSandbox, body: str, **changes: str) -> dict[str, Any]:
    creds = FourPxCredentials.from_secret(sandbox.credentials)
    stamp = str(int(datetime.now(UTC).timestamp() * 1000))
    params = {**dict(query(creds, stamp, body)), **changes}
    url = sandbox.endpoints["api"] + "/router/api/service"
    response = requests.post(url, params=params, data=body.encode(), timeout=2)
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def error_code(answer: dict[str, Any]) -> str:
    assert answer["result"] == "0"
    return str(answer["errors"][0]["errorCode"])


@pytest.mark.parametrize(
    ("body", "changes", "code"),
    [
        ('{"deliveryOrderNo":"4PX3001518625000CN,4PX3001518625001CN"}', {}, "1006"),
        ('{"deliveryOrderNo":["4PX3001518625000CN"]}', {}, "1006"),
        ("{}", {}, "1006"),
        (body_text("4PX3001518625000CN"), {"method": "tr.order.create"}, "1005"),
        (body_text("4PX3001518625000CN"), {"v": "1.0"}, "1009"),
        (body_text("4PX3001518625000CN"), {"timestamp": "1735783872000"}, "1003"),
        (body_text("4PX3001518625000CN"), {"sign": ""}, "1006"),
        (body_text("4PX3001518625000CN"), {"sign": "0" * 32}, "1002"),
    ],
)
def test_the_gateway_checks_the_request_like_4px(
    sandbox: FourPxSandbox, body: str, changes: dict[str, str], code: str
) -> None:
    # When / Then
    assert error_code(raw_call(sandbox, body, **changes)) == code


def test_a_body_changed_after_signing_fails_the_signature(sandbox: FourPxSandbox) -> None:
    # Given
    signed = body_text("4PX3001518625000CN")
    creds = FourPxCredentials.from_secret(sandbox.credentials)
    stamp = str(int(datetime.now(UTC).timestamp() * 1000))
    url = sandbox.endpoints["api"] + "/router/api/service"
    sent = signed.replace(":", ": ")  # same JSON, other bytes

    # When
    answer = requests.post(url, params=query(creds, stamp, signed), data=sent.encode(), timeout=2).json()

    # Then
    assert error_code(answer) == "1002"


def test_calls_beyond_the_servers_rate_are_throttled_and_retried(world: ParcelWorld) -> None:
    # Given a client that ignores the documented rate
    with serve(world, rate_scale=4.0) as sandbox:
        retry = RetryPolicy(max_attempts=12, base_delay_s=0.02, max_delay_s=0.1)
        source, http = connect(sandbox, rates={METHOD: Rate(1000, 1000)}, scale=1.0, retry=retry)

        # When
        answers = ask(source, numbers(15))

        # Then
        assert reasons(answers) == {"found"}
        assert sandbox.stats["faults:throttled"] > 0
        assert http.stats.faults["throttled"] == sandbox.stats["faults:throttled"]


def test_a_client_paced_at_the_assumed_rate_waits_for_its_bucket_and_retries_any_throttle(
    world: ParcelWorld,
) -> None:
    # Given the server and the client at the same (unscaled) 5/s, burst 5
    with serve(world, rate_scale=1.0) as sandbox:
        source, http = connect(sandbox, scale=1.0)

        # When
        answers = ask(source, numbers(8))

        # Then (network jitter may still cost the odd throttle: it is retried, never an answer)
        assert reasons(answers) == {"found"}
        assert http.stats.waited_s > 0
        assert http.stats.retries == http.stats.faults["throttled"] == sandbox.stats["faults:throttled"]
        assert sandbox.stats[f"numbers:{METHOD}"] == 8
