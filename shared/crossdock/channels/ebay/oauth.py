"""eBay OAuth: refresh a User access token and keep it while it is valid.

`POST {identity}/identity/v1/oauth2/token` with `Authorization: Basic base64(client_id:client_secret)`
and the form `grant_type=refresh_token&refresh_token=…&scope=…` (scopes space-separated, a subset of
those the seller granted). The access token lives `expires_in` seconds (~2 h); it is reused until
30 s before that. `invalid_grant` (refresh token revoked or expired), `invalid_client` (wrong app
keys) and `invalid_scope` (scope never granted) need a person to re-authorize: AuthError, never
retried. A 401 on an API call with a cached token refreshes once (the seller may have re-consented,
or eBay rotated the token early); a 401 right after a refresh is final.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import requests

from crossdock.core.errors import AuthError, InvalidResponseError, RequestRejectedError
from crossdock.core.http import ChannelHttp, json_body, raise_for_status

T = TypeVar("T")

TOKEN_PATH = "/identity/v1/oauth2/token"
TOKEN_OPERATION = "refreshToken"
# Least privilege: reading orders needs only the read-only fulfillment scope (the model's getOrders
# and getShippingFulfillments accept either sell.fulfillment or sell.fulfillment.readonly).
FULFILLMENT_READONLY_SCOPE = "https://api.ebay.com/oauth/api_scope/sell.fulfillment.readonly"
EXPIRY_MARGIN_S = 30.0
AUTH_ERRORS = frozenset({"invalid_grant", "invalid_client", "invalid_scope", "unauthorized_client"})

Send = Callable[[requests.Session, tuple[float, float], str], requests.Response]


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: float  # on the token cache's clock


def basic_authorization(client_id: str, client_secret: str) -> str:
    pair = f"{client_id}:{client_secret}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def parse_token(channel: str, response: requests.Response) -> tuple[str, float]:
    """(access token, lifetime in seconds), or the typed fault of an OAuth error answer."""
    if response.status_code >= 400:
        error = _oauth_error(response)
        if error in AUTH_ERRORS:
            raise AuthError(
                channel, f"token refresh refused: {error}", code=error, status=response.status_code
            )
        if error is not None and response.status_code == 400:
            raise RequestRejectedError(channel, f"token request rejected: {error}", code=error, status=400)
        raise_for_status(channel, response)
    body = json_body(channel, response)
    token = body.get("access_token") if isinstance(body, dict) else None
    lifetime = body.get("expires_in") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token or not isinstance(lifetime, int | float):
        raise InvalidResponseError(channel, "token answer without access_token/expires_in", status=200)
    return token, float(lifetime)


def _oauth_error(response: requests.Response) -> str | None:
    try:
        body: Any = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) else None


class EbayTokens:
    """One seller's access token, refreshed on demand and cached in this object."""

    def __init__(
        self,
        http: ChannelHttp,
        *,
        identity_url: str,
        credentials: Mapping[str, Any],
        scope: str = FULFILLMENT_READONLY_SCOPE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._url = identity_url.rstrip("/") + TOKEN_PATH
        self._authorization = basic_authorization(credentials["client_id"], credentials["client_secret"])
        self._refresh_token = str(credentials["refresh_token"])
        self._scope = scope
        self._clock = clock
        self._token: AccessToken | None = None

    def current(self) -> tuple[str, bool]:
        """The access token, and whether it was obtained just now."""
        if self._token is not None and self._clock() < self._token.expires_at:
            return self._token.value, False
        value, lifetime = self._http.call(TOKEN_OPERATION, self._send, self._parse)
        self._token = AccessToken(value, self._clock() + lifetime - EXPIRY_MARGIN_S)
        return value, True

    def invalidate(self) -> None:
        self._token = None

    def call(self, operation: str, send: Send, parse: Callable[[requests.Response], T]) -> T:
        """An API call with the bearer token; one refresh if a cached token is refused (401)."""
        token, fresh = self.current()
        try:
            return self._http.call(operation, lambda session, timeout: send(session, timeout, token), parse)
        except AuthError as exc:
            if fresh or exc.status != 401:
                raise
        self.invalidate()
        token, _ = self.current()
        return self._http.call(operation, lambda session, timeout: send(session, timeout, token), parse)

    def _send(self, session: requests.Session, timeout: tuple[float, float]) -> requests.Response:
        return session.post(
            self._url,
            headers={"Authorization": self._authorization, "Accept": "application/json"},
            data={"grant_type": "refresh_token", "refresh_token": self._refresh_token, "scope": self._scope},
            timeout=timeout,
        )

    def _parse(self, response: requests.Response) -> tuple[str, float]:
        return parse_token(self._http.channel, response)
