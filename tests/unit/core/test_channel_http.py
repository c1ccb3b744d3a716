"""The shared call loop: retries with backoff, Retry-After, typed faults, pacing."""

from __future__ import annotations

import random

import pytest
import requests
from crossdock.core.errors import AuthError, RetriesExhaustedError, ThrottledError
from crossdock.core.http import PACING_MARGIN, ChannelHttp, RetryPolicy, json_body, raise_for_status
from crossdock.core.ratelimit import Rate, TokenBucket


def response(status: int, body: str = "{}", headers: dict | None = None) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = body.encode()
    r.headers.update(headers or {})
    return r


def client(sleeps: list[float]) -> ChannelHttp:
    return ChannelHttp(
        "test",
        {"op": Rate(1000, 1000)},
        sleep=sleeps.append,
        rng=random.Random(1),
        retry=RetryPolicy(max_attempts=4, base_delay_s=0.5),
    )


def parse(r: requests.Response) -> dict:
    raise_for_status("test", r)
    return json_body("test", r)


def test_retries_server_errors_then_succeeds():
    # Given two 503s then a 200
    answers = iter([response(503), response(503), response(200, '{"ok": 1}')])
    sleeps: list[float] = []
    http = client(sleeps)
    # When called
    result = http.call("op", lambda s, t: next(answers), parse)
    # Then it retried twice with jittered backoff
    assert result == {"ok": 1}
    assert http.stats.calls["op"] == 3 and http.stats.retries == 2 and http.stats.faults["server"] == 2
    assert 0 <= sleeps[0] <= 0.5 and 0 <= sleeps[1] <= 1.0


def test_honours_retry_after():
    answers = iter([response(429, "{}", {"Retry-After": "7"}), response(200, "{}")])
    sleeps: list[float] = []
    client(sleeps).call("op", lambda s, t: next(answers), parse)
    assert max(sleeps) >= 7


def test_html_200_is_a_fault_not_data():
    answers = iter([response(200, "<html><body>maintenance</body></html>")] * 4)
    with pytest.raises(RetriesExhaustedError) as info:
        client([]).call("op", lambda s, t: next(answers), parse)
    assert info.value.last.kind == "invalid_response"


def test_auth_is_never_retried():
    calls = []

    def send(s, t):
        calls.append(1)
        return response(401, '{"error": "invalid_grant"}')

    with pytest.raises(AuthError):
        client([]).call("op", send, parse)
    assert len(calls) == 1


def test_connection_reset_is_retryable():
    attempts = iter([requests.ConnectionError("reset by peer"), None])

    def send(s, t):
        exc = next(attempts)
        if exc:
            raise exc
        return response(200, "{}")

    http = client([])
    http.call("op", send, parse)
    assert http.stats.faults["connection"] == 1


def test_bucket_paces_calls_and_follows_server_rate():
    # Given a bucket of burst 2 at 1 call/s
    now = [0.0]
    bucket = TokenBucket(Rate(1, 2), clock=lambda: now[0])
    # Then two calls are free and the third waits a second
    assert bucket.reserve() == 0 and bucket.reserve() == 0
    assert bucket.reserve() == pytest.approx(1.0)
    # When the server announces a faster rate, waits shrink
    now[0] = 1.0
    bucket.set_rate(10)
    assert bucket.reserve() == pytest.approx(0.1)


def test_throttle_type_carries_retry_after():
    with pytest.raises(ThrottledError) as info:
        raise_for_status("test", response(429, "{}", {"Retry-After": "2.5"}))
    assert info.value.retry_after == 2.5


def test_wait_past_the_budget_is_deferred_not_slept():
    # Given a bucket that allows one call per 100 s and 30 s of budget left
    from crossdock.core.errors import CallDeferred

    sleeps: list[float] = []
    http = ChannelHttp("test", {"op": Rate(0.01, 1)}, sleep=sleeps.append, budget=lambda: 30.0)
    http.call("op", lambda s, t: response(200, "{}"), parse)
    # When the next call would have to wait ~100 s
    with pytest.raises(CallDeferred) as info:
        http.call("op", lambda s, t: response(200, "{}"), parse)
    # Then nothing slept and the tokens were given back
    assert sleeps == [] and info.value.wait_s == pytest.approx(100 / PACING_MARGIN, rel=0.01)
    assert http.bucket("op").tokens == pytest.approx(0, abs=0.01)


def test_bucket_state_refills_by_the_time_between_runs():
    now = [1000.0]
    first = ChannelHttp("test", {"op": Rate(1, 10)}, clock=lambda: now[0])
    for _ in range(10):
        first.bucket("op").reserve()
    state = first.bucket_state()
    now[0] += 4
    second = ChannelHttp("test", {"op": Rate(1, 10)}, clock=lambda: now[0], bucket_state=state)
    assert second.bucket("op").tokens == pytest.approx(4 * PACING_MARGIN)


def test_throttle_wait_is_not_paid_twice():
    # Given a throttled call told to retry after 2 s, at 1 token/s
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    answers = iter([response(429, "{}", {"Retry-After": "2"}), response(200, "{}")])
    http = ChannelHttp(
        "test",
        {"op": Rate(1, 1)},
        sleep=sleep,
        clock=lambda: now[0],
        rng=random.Random(1),
        retry=RetryPolicy(base_delay_s=0.1),
    )
    # When retried
    http.call("op", lambda s, t: next(answers), parse)
    # Then it waited the 2 s once, not 2 s plus another token's worth
    assert sum(sleeps) == pytest.approx(2.0, abs=0.1)
