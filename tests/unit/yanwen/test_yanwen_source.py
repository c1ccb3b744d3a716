"""The Yanwen source: batches of 30, one answer per number, a failed call costs only its own numbers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from crossdock.carriers.yanwen.source import YanwenSource
from crossdock.carriers.yanwen.spec import SPEC
from crossdock.core.errors import AuthError, CallDeferred
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.core.ratelimit import Rate
from crossdock.tracking.ports import ParcelQuery, SourceContext
from crossdock.tracking.rules.parcel import Found, Missing

API = "http://yanwen.example.test"
URL = f"{API}/api/tracking"
MERCHANT = "YW00123456"


def queries(count: int, prefix: str = "UH") -> list[ParcelQuery]:
    return [ParcelQuery(f"{prefix}{i:09d}YP", "yanwen") for i in range(count)]


def source(attempts: int = 3, budget: float | None = None) -> tuple[YanwenSource, ChannelHttp]:
    retry = RetryPolicy(max_attempts=attempts, base_delay_s=0.0, max_delay_s=0.0)
    http = ChannelHttp(
        "yanwen",
        {op: Rate(1000, 1000) for op in SPEC.rates},
        retry=retry,
        sleep=lambda _s: None,
        budget=(lambda: budget) if budget is not None else None,
    )
    ctx = SourceContext({"authorization": MERCHANT}, http, endpoints={"api": API})
    return YanwenSource(ctx), http


def asked(request: requests.PreparedRequest) -> list[str]:
    return parse_qs(urlsplit(request.url or "").query)["nums"][0].split(",")


def known(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
    """Every number asked is known, with one scan in Berlin time."""
    items = [
        {
            "tracking_number": n,
            "waybill_number": n,
            "tracking_status": "LH20",
            "checkpoints": [{"time_stamp": "2025-03-01T10:00:00", "time_zone": "+01", "tracking_status": "LH20",
                             "message": "Departure", "location": "Frankfurt"}],
        }
        for n in asked(request)
    ]  # fmt: skip
    return 200, {}, json.dumps({"code": 0, "message": "success", "result": items})


@pytest.fixture
def wire() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_the_spec_describes_the_documented_batch_credentials_and_endpoint() -> None:
    assert (SPEC.name, SPEC.display, SPEC.max_batch) == ("yanwen", "Yanwen", 30)
    assert SPEC.credential_fields == ("authorization",)
    assert SPEC.endpoints == {"api": "http://api.track.yw56.com.cn"}
    assert SPEC.rates == {"tracking": Rate(5, 5)}
    assert [SPEC.minimum_calls(n) for n in (0, 1, 30, 31, 95, 10_000)] == [0, 1, 1, 2, 4, 334]


def test_a_source_without_a_merchant_number_is_a_configuration_error() -> None:
    http = ChannelHttp("yanwen", SPEC.rates)
    with pytest.raises(ValueError, match="authorization"):
        YanwenSource(SourceContext({"authorization": " "}, http))


def test_95_numbers_are_asked_in_four_calls_of_at_most_30_and_all_answered(
    wire: responses.RequestsMock,
) -> None:
    # Given
    wire.add_callback(responses.GET, URL, callback=known)
    yanwen, http = source()

    # When
    got = yanwen.fetch(queries(95))

    # Then
    sizes = [len(asked(call.request)) for call in wire.calls]
    assert sizes == [30, 30, 30, 5]
    assert http.stats.calls["tracking"] == 4
    assert all(call.request.headers["Authorization"] == MERCHANT for call in wire.calls)
    assert set(got) == {q.tracking_number for q in queries(95)}
    first = got["UH000000000YP"]
    assert isinstance(first, Found)
    assert first.events[0].at == datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_a_number_asked_twice_is_sent_once_and_blank_numbers_are_not_sent(
    wire: responses.RequestsMock,
) -> None:
    # Given
    wire.add_callback(responses.GET, URL, callback=known)
    yanwen, _ = source()
    batch = [*queries(2), *queries(2), ParcelQuery("  ", "yanwen"), ParcelQuery("A,B", "yanwen")]

    # When
    got = yanwen.fetch(batch)

    # Then
    assert [asked(call.request) for call in wire.calls] == [["UH000000000YP", "UH000000001YP"]]
    assert got["  "] == got["A,B"] == Missing("rejected", "not a number Yanwen can be asked about")
    assert len(got) == 4


def test_a_call_that_keeps_failing_marks_its_own_numbers_failed_and_keeps_the_others(
    wire: responses.RequestsMock,
) -> None:
    # Given: the second batch always answers code 1
    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        if "UH000000030YP" in asked(request):
            return 200, {}, json.dumps({"code": 1, "message": "System busy", "result": None})
        return known(request)

    wire.add_callback(responses.GET, URL, callback=answer)
    yanwen, http = source(attempts=3)

    # When
    got = yanwen.fetch(queries(65))

    # Then: retried, then only the 30 numbers of that call are failed
    failed = {n for n, a in got.items() if isinstance(a, Missing)}
    assert failed == {q.tracking_number for q in queries(65)[30:60]}
    assert {getattr(got[n], "reason", None) for n in failed} == {"failed"}
    sample = got["UH000000030YP"]
    assert isinstance(sample, Missing) and "code 1: System busy" in sample.detail
    assert http.stats.calls["tracking"] == 2 + 3
    assert len(got) == 65


def test_a_refused_merchant_number_stops_the_whole_fetch(wire: responses.RequestsMock) -> None:
    # Given
    body = {"code": 1, "message": "Invalid Authorization: unknown merchant number", "result": None}
    wire.add(responses.GET, URL, json=body)
    yanwen, http = source()

    # When / Then: not retried, not turned into per-number answers
    with pytest.raises(AuthError):
        yanwen.fetch(queries(40))
    assert http.stats.calls["tracking"] == 1


def test_a_rejected_request_marks_its_numbers_failed(wire: responses.RequestsMock) -> None:
    # Given
    wire.add(responses.GET, URL, status=400, json={"code": 1, "message": "bad request"})
    yanwen, _ = source()

    # When
    got = yanwen.fetch(queries(3))

    # Then
    assert {a.reason for a in got.values() if isinstance(a, Missing)} == {"failed"}
    assert len(got) == 3


def test_running_out_of_time_is_not_a_per_number_failure(wire: responses.RequestsMock) -> None:
    # Given: a 429 asking to wait longer than the run has left
    wire.add(
        responses.GET, URL, status=429, headers={"Retry-After": "120"}, json={"code": 1, "message": "slow"}
    )
    yanwen, _ = source(budget=5.0)

    # When / Then
    with pytest.raises(CallDeferred):
        yanwen.fetch(queries(3))


def test_register_answers_nothing_without_calling(wire: responses.RequestsMock) -> None:
    # Given
    yanwen, http = source()

    # When / Then
    assert yanwen.register(queries(5)) == {}
    assert yanwen.needs_registration is False
    assert http.stats.total_calls == 0 and not wire.calls
