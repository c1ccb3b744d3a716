"""LWA token exchange: the form it posts, caching for expires_in − 30 s, and its error mapping."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
from crossdock.channels.amazon.channel import SPEC
from crossdock.channels.amazon.lwa import TOKEN_URL, LwaTokens, parse_token_response
from crossdock.core.errors import (
    AuthError,
    InvalidResponseError,
    RequestRejectedError,
    RetriesExhaustedError,
    RetryableError,
)
from crossdock.core.http import ChannelHttp, RetryPolicy

CREDENTIALS = {
    "client_id": "amzn1.application-oa2-client.abc",
    "client_secret": "s3cret",
    "refresh_token": "Atzr|r1",
}


def reply(status: int, body: Any) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    response.headers["Content-Type"] = "application/json"
    return response


class FakeLwa(requests.Session):
    """Answers POSTs from a script of replies and records what was posted."""

    def __init__(self, *replies: requests.Response) -> None:
        super().__init__()
        self.replies = list(replies)
        self.posted: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []

    def post(self, url: str | bytes, data: Any = None, json: Any = None, **kw: Any) -> requests.Response:  # type: ignore[override]
        sent = requests.Request("POST", str(url), data=data, json=json, headers=kw.get("headers")).prepare()
        self.posted.append((str(url), parse_qs(str(sent.body)), dict(sent.headers)))
        return self.replies.pop(0)


def token_reply(token: str = "Atza|t1", expires_in: int = 3600) -> requests.Response:
    return reply(200, {"access_token": token, "token_type": "bearer", "expires_in": expires_in})


def lwa(session: FakeLwa, clock: Callable[[], float] = lambda: 0.0, attempts: int = 3) -> LwaTokens:
    http = ChannelHttp(
        SPEC.name, SPEC.rates, session=session, sleep=lambda _: None, retry=RetryPolicy(max_attempts=attempts)
    )
    return LwaTokens(http, CREDENTIALS, token_url=TOKEN_URL, clock=clock)


def test_exchange_posts_the_refresh_token_grant_as_a_form() -> None:
    # Given
    session = FakeLwa(token_reply())
    # When
    token = lwa(session).access_token()
    # Then
    url, form, headers = session.posted[0]
    assert token == "Atza|t1"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert url == "https://api.amazon.com/auth/o2/token"
    assert form == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["Atzr|r1"],
        "client_id": ["amzn1.application-oa2-client.abc"],
        "client_secret": ["s3cret"],
    }


def test_token_is_cached_until_thirty_seconds_before_it_expires() -> None:
    # Given
    now = [1000.0]
    session = FakeLwa(token_reply("Atza|first"), token_reply("Atza|second"))
    tokens = lwa(session, clock=lambda: now[0])
    tokens.access_token()
    # When
    now[0] += 3569.0
    still_cached = tokens.access_token()
    now[0] += 1.0
    renewed = tokens.access_token()
    # Then
    assert still_cached == "Atza|first"
    assert renewed == "Atza|second"
    assert len(session.posted) == 2


@pytest.mark.parametrize(
    ("status", "error"), [(400, "invalid_grant"), (401, "invalid_client"), (400, "unauthorized_client")]
)
def test_grant_and_client_errors_are_auth_errors_and_never_retried(status: int, error: str) -> None:
    # Given
    session = FakeLwa(reply(status, {"error": error, "error_description": "nope"}))
    # When
    with pytest.raises(AuthError) as caught:
        lwa(session).access_token()
    # Then
    assert caught.value.code == error
    assert len(session.posted) == 1


@pytest.mark.parametrize("error", ["server_error", "temporarily_unavailable"])
def test_transient_lwa_errors_are_retried(error: str) -> None:
    # Given
    session = FakeLwa(reply(503 if error != "server_error" else 500, {"error": error}), token_reply())
    # When
    token = lwa(session).access_token()
    # Then
    assert token == "Atza|t1"
    assert len(session.posted) == 2


def test_a_200_without_an_access_token_is_an_invalid_response() -> None:
    # Given
    session = FakeLwa(reply(200, {"token_type": "bearer"}), reply(200, {}))
    # When
    with pytest.raises(RetriesExhaustedError) as caught:
        lwa(session, attempts=2).access_token()
    # Then
    assert isinstance(caught.value.last, InvalidResponseError)


def test_other_error_shapes_fall_back_to_the_http_status() -> None:
    # Given / When / Then
    with pytest.raises(RequestRejectedError):
        parse_token_response("amazon", reply(400, {"error": "invalid_request"}))
    with pytest.raises(RetryableError):
        parse_token_response("amazon", reply(502, "<html>Bad Gateway</html>"))
    with pytest.raises(AuthError):
        parse_token_response("amazon", reply(403, {"message": "Forbidden"}))


def test_a_secret_without_every_credential_is_an_auth_error_before_any_call() -> None:
    # Given
    session = FakeLwa()
    http = ChannelHttp(SPEC.name, SPEC.rates, session=session)
    # When
    with pytest.raises(AuthError, match="client_secret"):
        LwaTokens(http, {"client_id": "x", "refresh_token": "y"})
    # Then
    assert session.posted == []
