"""TOP answers → typed errors, mapped once in the adapter; retries decided on the type."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import responses
from crossdock.channels.taobao.channel import LIST_METHOD, SPEC, parse_trade_page
from crossdock.channels.taobao.wire import TopCredentials, TopGateway, top_envelope
from crossdock.core.errors import (
    AuthError,
    ChannelError,
    InvalidResponseError,
    RequestRejectedError,
    RetriesExhaustedError,
    RetryableError,
    ThrottledError,
)
from crossdock.core.http import ChannelHttp, RetryPolicy

URL = "https://gw.example.test/router/rest"
ENVELOPE = "trades_sold_increment_get_response"


def answer(body: Any, status: int = 200, content_type: str = "application/json") -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
    response.headers["Content-Type"] = content_type
    return response


def error(code: int, msg: str = "", sub_code: str = "", sub_msg: str = "") -> dict[str, Any]:
    return {"error_response": {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg}}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (error(7, "App Call Limited", "accesscontrol.limited-by-api-access-count"), ThrottledError),
        (error(8, "App Call Exceeds Limited Frequency"), ThrottledError),
        (error(15, "Remote service error", "accesscontrol.limited-by-app-access-count"), ThrottledError),
        (error(10, "Service Currently Unavailable"), RetryableError),
        (error(15, "Remote service error", "isp.remote-service-error"), RetryableError),
        (error(25, "Invalid Signature"), AuthError),
        (error(26, "Missing Session"), AuthError),
        (error(27, "Invalid session", "session-expired"), AuthError),
        (error(28, "Missing App Key"), AuthError),
        (error(29, "Invalid App Key"), AuthError),
        (error(40, "Missing Required Arguments:fields"), RequestRejectedError),
        (error(41, "Invalid Arguments", "isv.invalid-parameter:end_modified"), RequestRejectedError),
        (error(15, "Remote service error", "isv.trade-not-exist"), RequestRejectedError),
        (error(15, "Remote service error"), InvalidResponseError),
        (error(99, "Something new"), InvalidResponseError),
        ({"error_response": "broken"}, InvalidResponseError),
        ({"some_other_response": {"total_results": 3}}, InvalidResponseError),
        ([], InvalidResponseError),
    ],
)
def test_error_envelopes_map_to_one_typed_fault(body: Any, expected: type[ChannelError]) -> None:
    # Given a 200 answer carrying the body
    response = answer(body)
    # When / Then: exactly that type (a RetryableError must not be a ThrottledError and so on)
    with pytest.raises(ChannelError) as caught:
        top_envelope("taobao", response, ENVELOPE)
    assert type(caught.value) is expected


def test_ban_length_becomes_retry_after() -> None:
    # Given TOP's throttle answer
    body = error(
        7,
        "App Call Limited",
        "accesscontrol.limited-by-api-access-count",
        "This ban will last 42 more seconds",
    )
    # When
    with pytest.raises(ThrottledError) as caught:
        top_envelope("taobao", answer(body), ENVELOPE)
    # Then
    assert caught.value.retry_after == 42.0
    assert caught.value.code == "7:accesscontrol.limited-by-api-access-count"


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (answer("<html><body>502 Bad Gateway</body></html>", 502, "text/html"), RetryableError),
        (
            answer("<!DOCTYPE html><html><body>maintenance</body></html>", 200, "text/html"),
            InvalidResponseError,
        ),
        (answer('{"trades_sold_increment_get_response": {"total_res', 200), InvalidResponseError),
    ],
)
def test_http_level_failures_are_typed(response: requests.Response, expected: type[ChannelError]) -> None:
    # When / Then
    with pytest.raises(ChannelError) as caught:
        top_envelope("taobao", response, ENVELOPE)
    assert type(caught.value) is expected


@pytest.mark.parametrize(
    "data",
    [
        {"request_id": "x"},  # no total_results (use_has_next shape)
        {"total_results": "12"},
        {"total_results": 120},  # page 1 of 120 trades with no trades key: a silent empty
        {"total_results": 3, "trades": {"trade": {"tid": 1}}},
    ],
)
def test_pages_without_the_promised_data_are_invalid(data: dict[str, Any]) -> None:
    # When / Then
    with pytest.raises(InvalidResponseError):
        parse_trade_page(answer({ENVELOPE: data}), 1)


def test_an_empty_page_past_the_total_is_a_real_end() -> None:
    # Given page 3 when the window now holds 199 trades (two pages)
    response = answer({ENVELOPE: {"total_results": 199, "request_id": "r"}})
    # When
    page = parse_trade_page(response, 3)
    # Then
    assert page.trades == []
    assert page.total == 199


def gateway(sleeps: list[float]) -> TopGateway:
    http = ChannelHttp("taobao", SPEC.rates, sleep=sleeps.append, retry=RetryPolicy(max_attempts=3))
    creds = TopCredentials("key", "secret", "6100session")
    return TopGateway(http, URL, creds, lambda: datetime(2025, 3, 1, tzinfo=UTC))


@responses.activate
def test_auth_errors_are_not_retried() -> None:
    # Given a revoked session
    responses.post(URL, json=error(27, "Invalid session", "session-expired"))
    sleeps: list[float] = []
    top = gateway(sleeps)
    # When / Then
    with pytest.raises(AuthError):
        top.call(LIST_METHOD, {}, lambda r: top_envelope("taobao", r, ENVELOPE))
    assert len(responses.calls) == 1
    assert top.http.stats.retries == 0


@responses.activate
def test_a_ban_is_waited_out_then_the_call_succeeds() -> None:
    # Given one throttle answer, then data
    responses.post(
        URL, json=error(7, "App Call Limited", "accesscontrol.x", "This ban will last 3 more seconds")
    )
    responses.post(URL, json={ENVELOPE: {"total_results": 0}})
    sleeps: list[float] = []
    top = gateway(sleeps)
    # When
    data = top.call(LIST_METHOD, {}, lambda r: top_envelope("taobao", r, ENVELOPE))
    # Then
    assert data == {"total_results": 0}
    assert max(sleeps) >= 3.0
    assert top.http.stats.faults["throttled"] == 1


@responses.activate
def test_persistent_remote_errors_exhaust_retries() -> None:
    # Given TOP failing every time
    responses.post(URL, json=error(15, "Remote service error", "isp.remote-service-error"))
    top = gateway([])
    # When / Then
    with pytest.raises(RetriesExhaustedError) as caught:
        top.call(LIST_METHOD, {}, lambda r: top_envelope("taobao", r, ENVELOPE))
    assert type(caught.value.last) is RetryableError
    assert len(responses.calls) == 3


def test_credentials_need_key_secret_session_and_a_known_sign_method() -> None:
    # When / Then
    with pytest.raises(ValueError, match="session"):
        TopCredentials.from_secret({"app_key": "k", "app_secret": "s"})
    with pytest.raises(ValueError, match="sign_method"):
        TopCredentials.from_secret({"app_key": "k", "app_secret": "s", "session": "x", "sign_method": "sha1"})
    assert (
        TopCredentials.from_secret({"app_key": "k", "app_secret": "s", "session": "x"}).sign_method == "md5"
    )
