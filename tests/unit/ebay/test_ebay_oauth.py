"""eBay OAuth refresh: the form and Basic header it posts, caching for expires_in − 30 s, error mapping,
and the single refresh on a 401 with a cached token."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs

import pytest
import requests
import responses
from crossdock.channels.ebay.channel import SPEC
from crossdock.channels.ebay.oauth import FULFILLMENT_READONLY_SCOPE, EbayTokens
from crossdock.core.errors import (
    AuthError,
    InvalidResponseError,
    RequestRejectedError,
    RetriesExhaustedError,
)
from crossdock.core.http import ChannelHttp, RetryPolicy

IDENTITY = "https://identity.example.test"
TOKEN_URL = IDENTITY + "/identity/v1/oauth2/token"
API_URL = "https://api.example.test/sell/fulfillment/v1/order"
CREDENTIALS = {
    "client_id": "App-crossdock-PRD-1",
    "client_secret": "PRD-s3cret",
    "refresh_token": "v^1.1#i^1#r^1#t^A",
}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def tokens(clock: Clock | None = None, attempts: int = 3) -> tuple[EbayTokens, ChannelHttp]:
    http = ChannelHttp(SPEC.name, SPEC.rates, sleep=lambda _: None, retry=RetryPolicy(max_attempts=attempts))
    return EbayTokens(http, identity_url=IDENTITY, credentials=CREDENTIALS, clock=clock or Clock()), http


def token_body(token: str = "v^1.1#i^1#p^3#t^X", expires_in: int = 7200) -> dict[str, object]:
    return {"access_token": token, "expires_in": expires_in, "token_type": "User Access Token"}


def send_get(session: requests.Session, timeout: tuple[float, float], token: str) -> requests.Response:
    return session.get(API_URL, headers={"Authorization": f"Bearer {token}"}, timeout=timeout)


def status_of(response: requests.Response) -> int:
    if response.status_code == 401:
        raise AuthError("ebay", "HTTP 401", status=401, code="1001")
    if response.status_code == 403:
        raise AuthError("ebay", "HTTP 403", status=403, code="1100")
    return response.status_code


@responses.activate
def test_refresh_posts_basic_auth_and_the_refresh_token_grant_form() -> None:
    # Given
    responses.post(TOKEN_URL, json=token_body())
    source, _ = tokens()

    # When
    token, fresh = source.current()

    # Then
    assert (token, fresh) == ("v^1.1#i^1#p^3#t^X", True)
    sent = responses.calls[0].request
    expected = base64.b64encode(b"App-crossdock-PRD-1:PRD-s3cret").decode()
    assert sent.headers["Authorization"] == f"Basic {expected}"
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(str(sent.body)) == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["v^1.1#i^1#r^1#t^A"],
        "scope": [FULFILLMENT_READONLY_SCOPE],
    }


@responses.activate
def test_token_is_reused_until_thirty_seconds_before_it_expires() -> None:
    # Given
    responses.post(TOKEN_URL, json=token_body("first"))
    responses.post(TOKEN_URL, json=token_body("second"))
    clock = Clock()
    source, _ = tokens(clock)
    source.current()

    # When
    clock.now += 7200 - 30 - 0.001
    still = source.current()
    clock.now += 0.002
    renewed = source.current()

    # Then
    assert still == ("first", False)
    assert renewed == ("second", True)
    assert len(responses.calls) == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, "invalid_grant"), (401, "invalid_client"), (400, "invalid_scope")],
)
@responses.activate
def test_refused_grants_are_auth_errors_and_never_retried(status: int, error: str) -> None:
    # Given
    responses.post(TOKEN_URL, status=status, json={"error": error, "error_description": "no"})
    source, http = tokens()

    # When
    with pytest.raises(AuthError) as raised:
        source.current()

    # Then
    assert raised.value.code == error
    assert http.stats.calls["refreshToken"] == 1


@responses.activate
def test_a_malformed_token_request_is_rejected_not_retried() -> None:
    # Given
    responses.post(TOKEN_URL, status=400, json={"error": "invalid_request", "error_description": "malformed"})
    source, http = tokens()

    # When / Then
    with pytest.raises(RequestRejectedError):
        source.current()
    assert http.stats.calls["refreshToken"] == 1


@responses.activate
def test_server_errors_are_retried_and_a_tokenless_200_is_invalid() -> None:
    # Given
    responses.post(TOKEN_URL, status=503, body="<html>down</html>")
    responses.post(TOKEN_URL, json=token_body("after-retry"))
    source, _ = tokens()

    # When
    token, _ = source.current()

    # Then
    assert token == "after-retry"

    # Given
    responses.replace(responses.POST, TOKEN_URL, json={"token_type": "User Access Token"})
    broken, _ = tokens(attempts=2)

    # When / Then
    with pytest.raises(RetriesExhaustedError) as raised:
        broken.current()
    assert isinstance(raised.value.last, InvalidResponseError)


@responses.activate
def test_a_401_with_a_cached_token_refreshes_once_and_retries() -> None:
    # Given
    responses.post(TOKEN_URL, json=token_body("old"))
    responses.post(TOKEN_URL, json=token_body("new"))
    responses.get(API_URL, status=401, json={"errors": [{"errorId": 1001}]})
    responses.get(API_URL, status=200, json={})
    source, _ = tokens()
    source.current()

    # When
    status = source.call("getOrders", send_get, status_of)

    # Then
    assert status == 200
    bearers = [c.request.headers.get("Authorization") for c in responses.calls if c.request.method == "GET"]
    assert bearers == ["Bearer old", "Bearer new"]


@pytest.mark.parametrize("status", [401, 403])
@responses.activate
def test_auth_failures_right_after_a_refresh_or_403_are_final(status: int) -> None:
    # Given
    responses.post(TOKEN_URL, json=token_body())
    responses.get(API_URL, status=status, json={"errors": [{"errorId": 1001}]})
    source, http = tokens()

    # When
    with pytest.raises(AuthError):
        source.call("getOrders", send_get, status_of)

    # Then
    assert http.stats.calls == {"refreshToken": 1, "getOrders": 1}
