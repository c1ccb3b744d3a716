"""The 17TRACK source against canned HTTP answers: calls of 40, the 17token header, every number
answered, "not registered" numbers registered on the spot, and a failed call costing only its own
numbers."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
import requests
import responses
from crossdock.carriers.seventeen_track.source import REGISTERED_NOW, SeventeenTrackSource
from crossdock.carriers.seventeen_track.spec import SPEC
from crossdock.core.errors import AuthError
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.tracking.ports import ParcelQuery, SourceContext
from crossdock.tracking.rules.parcel import Found, Missing

API = "https://api.17track.example"
TRACK_URL = f"{API}/track/v2.2/gettrackinfo"
REGISTER_URL = f"{API}/track/v2.2/register"
KEY = "0123456789ABCDEF"


def source(**endpoints: str) -> tuple[SeventeenTrackSource, ChannelHttp]:
    retry = RetryPolicy(max_attempts=3, base_delay_s=0.0, max_delay_s=0.0)
    http = ChannelHttp(
        SPEC.name, SPEC.rates, rate_scale=1000.0, retry=retry, sleep=lambda s: None, rng=random.Random(1)
    )
    ctx = SourceContext({"api_key": KEY}, http, endpoints={"api": API, **endpoints})
    built = SPEC.build(ctx)
    assert isinstance(built, SeventeenTrackSource)
    return built, http


def queries(count: int, prefix: str = "RR") -> list[ParcelQuery]:
    return [ParcelQuery(f"{prefix}{n:09d}CN", "china-post") for n in range(count)]


def scan_item(number: str) -> dict[str, Any]:
    scan = {
        "time_iso": "2025-05-02T14:34:00-04:00",
        "time_utc": "2025-05-02T18:34:00Z",
        "description": "Arrived at facility",
        "location": "LOS ANGELES, CA",
        "stage": "Arrival",
        "sub_status": "InTransit_Arrival",
    }
    info = {
        "latest_status": {"status": "InTransit", "sub_status": "InTransit_Arrival"},
        "latest_event": scan,
        "tracking": {"providers": [{"provider": {"key": 21051, "name": "USPS"}, "events": [scan]}]},
    }
    return {"number": number, "carrier": 21051, "track_info": info}


def ok(
    accepted: list[dict[str, Any]], rejected: list[dict[str, Any]] | None = None
) -> tuple[int, dict[str, str], str]:
    body = {"code": 0, "data": {"accepted": accepted, "rejected": rejected or []}}
    return 200, {}, json.dumps(body)


def numbers_of(request: requests.PreparedRequest) -> list[str]:
    body = request.body
    return [item["number"] for item in json.loads(body or b"[]")]


@responses.activate
def test_95_numbers_go_out_in_three_calls_of_at_most_40_with_the_key_header() -> None:
    # Given 17TRACK knows every number
    seen: list[list[str]] = []

    def track(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        assert request.headers["17token"] == KEY
        assert request.headers["Content-Type"] == "application/json"
        seen.append(numbers_of(request))
        return ok([scan_item(n) for n in seen[-1]])

    responses.add_callback(responses.POST, TRACK_URL, callback=track)
    adapter, http = source()
    # When
    answers = adapter.fetch(queries(95))
    # Then
    assert [len(batch) for batch in seen] == [40, 40, 15]
    assert http.stats.calls["gettrackinfo"] == 3 == SPEC.minimum_calls(95)
    assert len(answers) == 95 and all(isinstance(a, Found) for a in answers.values())


@responses.activate
def test_numbers_left_out_are_empty_and_other_rejections_keep_their_code() -> None:
    # Given an answer that accepts one number, rejects one, and says nothing of the third
    asked = queries(3)
    rejected = [
        {"number": asked[1].tracking_number, "error": {"code": -18019903, "message": "Carrier not detected."}}
    ]
    responses.add(
        responses.POST,
        TRACK_URL,
        json={"code": 0, "data": {"accepted": [scan_item(asked[0].tracking_number)], "rejected": rejected}},
    )
    adapter, _ = source()
    # When
    answers = adapter.fetch(asked)
    # Then
    assert isinstance(answers[asked[0].tracking_number], Found)
    assert answers[asked[1].tracking_number] == Missing("rejected", "-18019903 Carrier not detected.")
    assert answers[asked[2].tracking_number] == Missing("empty", "left out of the answer")


@responses.activate
def test_not_registered_numbers_are_registered_in_one_batched_call() -> None:
    # Given 17TRACK knows none of 45 numbers
    registered: list[list[dict[str, Any]]] = []

    def track(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        refused = [
            {"number": n, "error": {"code": -18019902, "message": "Register first."}}
            for n in numbers_of(request)
        ]
        return ok([], refused)

    def register(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        items = json.loads(request.body or b"[]")
        registered.append(items)
        return ok([{"origin": 1, "number": item["number"], "carrier": 3011} for item in items])

    responses.add_callback(responses.POST, TRACK_URL, callback=track)
    responses.add_callback(responses.POST, REGISTER_URL, callback=register)
    adapter, _ = source()
    # When
    answers = adapter.fetch(queries(45))
    # Then every number is registered (40 + 5), auto-detected, tagged with our carrier code
    assert [len(batch) for batch in registered] == [40, 5]
    assert registered[0][0] == {"number": "RR000000000CN", "auto_detection": True, "tag": "china-post"}
    assert set(answers.values()) == {Missing("rejected", REGISTERED_NOW)}


@responses.activate
def test_a_refused_registration_is_reported_in_the_answer() -> None:
    # Given
    asked = queries(1)
    number = asked[0].tracking_number
    responses.add(
        responses.POST,
        TRACK_URL,
        json={
            "code": 0,
            "data": {
                "accepted": [],
                "rejected": [{"number": number, "error": {"code": -18019902, "message": "x"}}],
            },
        },
    )
    responses.add(
        responses.POST,
        REGISTER_URL,
        json={
            "code": 0,
            "data": {
                "accepted": [],
                "rejected": [{"number": number, "error": {"code": -18019908, "message": "Quota exhausted."}}],
            },
        },
    )
    adapter, _ = source()
    # When
    answers = adapter.fetch(asked)
    # Then
    assert answers[number] == Missing(
        "rejected", "not registered; registration refused: -18019908 Quota exhausted."
    )


@responses.activate
def test_a_failed_call_fails_only_its_own_numbers() -> None:
    # Given the second call meets a spent quota (refused at once), the others succeed
    calls: list[int] = []

    def track(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        calls.append(1)
        if len(calls) == 2:
            return (
                200,
                {},
                json.dumps(
                    {"code": -18019907, "data": {"errors": [{"code": -18019907, "message": "Daily limit."}]}}
                ),
            )
        return ok([scan_item(n) for n in numbers_of(request)])

    responses.add_callback(responses.POST, TRACK_URL, callback=track)
    adapter, _ = source()
    asked = queries(100)
    # When
    answers = adapter.fetch(asked)
    # Then
    failed = [q.tracking_number for q in asked[40:80]]
    assert all(isinstance(answers[n], Missing) and answers[n].reason == "failed" for n in failed)
    assert all(isinstance(answers[q.tracking_number], Found) for q in asked[:40] + asked[80:])


@responses.activate
def test_an_internal_error_envelope_is_retried_then_failed() -> None:
    # Given 17TRACK answers -18010003 every time
    responses.add(
        responses.POST,
        TRACK_URL,
        json={
            "code": -18010003,
            "data": {"errors": [{"code": -18010003, "message": "Internal service error."}]},
        },
    )
    adapter, http = source()
    # When
    answers = adapter.fetch(queries(2))
    # Then
    assert http.stats.calls["gettrackinfo"] == 3  # every attempt of the retry policy
    assert {a.reason for a in answers.values() if isinstance(a, Missing)} == {"failed"} and len(answers) == 2


@responses.activate
def test_a_bad_key_raises_auth_error_instead_of_answering() -> None:
    # Given
    responses.add(
        responses.POST,
        TRACK_URL,
        status=401,
        json={
            "code": -18010002,
            "data": {"errors": [{"code": -18010002, "message": "Invalid security key."}]},
        },
    )
    adapter, http = source()
    # When / Then
    with pytest.raises(AuthError):
        adapter.fetch(queries(3))
    assert http.stats.calls["gettrackinfo"] == 1


@responses.activate
def test_register_in_batches_of_40_with_already_registered_as_success() -> None:
    # Given the first number of each batch is registered already
    def register(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        numbers = numbers_of(request)
        again = [{"number": numbers[0], "error": {"code": -18019901, "message": "Already registered."}}]
        return ok([{"number": n, "carrier": 3011} for n in numbers[1:]], again)

    responses.add_callback(responses.POST, REGISTER_URL, callback=register)
    adapter, http = source()
    # When
    outcome = adapter.register(queries(81) + queries(1))  # a duplicate is sent once
    # Then
    assert http.stats.calls["register"] == 3 and len(outcome) == 81 and set(outcome.values()) == {None}


@responses.activate
def test_a_registration_call_that_fails_gives_its_reason_per_number() -> None:
    # Given
    responses.add(responses.POST, REGISTER_URL, status=503, body="<html>busy</html>")
    adapter, _ = source()
    # When
    outcome = adapter.register(queries(2))
    # Then
    assert all(reason is not None and reason.startswith("failed: ") for reason in outcome.values())


def test_register_and_gettrackinfo_share_one_bucket_per_key() -> None:
    # Given / When
    adapter, http = source()
    # Then
    assert http.bucket("register") is http.bucket("gettrackinfo")
    assert adapter.needs_registration and adapter.max_batch == 40


def test_the_api_key_is_required() -> None:
    # Given
    http = ChannelHttp(SPEC.name, SPEC.rates)
    # When / Then
    with pytest.raises(ValueError, match="api_key"):
        SeventeenTrackSource(SourceContext({}, http))


def test_the_spec_documents_name_credentials_and_minimum_calls() -> None:
    # Given / When / Then
    assert (SPEC.name, SPEC.display, SPEC.credential_fields) == ("17track", "17TRACK", ("api_key",))
    assert [SPEC.minimum_calls(n) for n in (0, 1, 40, 41, 10_000)] == [0, 1, 1, 2, 250]
    assert SPEC.endpoints["api"] == "https://api.17track.net"
