"""Login with Amazon (LWA): a seller's refresh token → a one-hour SP-API access token.

`POST https://api.amazon.com/auth/o2/token` with a form body `grant_type=refresh_token,
refresh_token, client_id, client_secret` → `{"access_token": "Atza|…", "token_type": "bearer",
"expires_in": 3600}`. Grantless operations (the Notifications API's destinations and
subscription deletion) take an application token instead: `grant_type=client_credentials, scope,
client_id, client_secret` ("scope and refresh_token are mutually exclusive", SP-API developer guide
"Step 1. Request a Login with Amazon access token"). The token is cached for `expires_in − 30 s`, as the official Python helper does.
Errors come as `{"error": "invalid_grant", "error_description": …}`: a revoked or wrong grant or client
is an AuthError (a person must re-authorize, never retried), `server_error` and
`temporarily_unavailable` are retried. The exchange paces through its own "token" bucket.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

from crossdock.core.errors import (
    AuthError,
    InvalidResponseError,
    RequestRejectedError,
    RetryableError,
    ThrottledError,
)
from crossdock.core.http import ChannelHttp, json_body, raise_for_status, retry_after_seconds

TOKEN_URL = "https://api.amazon.com/auth/o2/token"
CREDENTIAL_FIELDS = ("client_id", "client_secret", "refresh_token")
NOTIFICATIONS_SCOPE = "sellingpartnerapi::notifications"  # the grantless scope of the Notifications API
EXPIRY_MARGIN_S = 30.0
DEFAULT_EXPIRES_IN_S = 3600.0  # "expires one hour after it is issued"

# LWA error codes (the SDK's enum) → what a caller can do about them.
AUTH_CODES = frozenset({"invalid_grant", "invalid_client", "unauthorized_client", "access_denied"})
RETRYABLE_CODES = frozenset({"server_error", "temporarily_unavailable"})
REJECTED_CODES = frozenset({"invalid_request", "invalid_scope", "unsupported_grant_type"})


def parse_token_response(channel: str, response: requests.Response) -> tuple[str, float]:
    """The access token and its lifetime in seconds, or the typed fault LWA answered."""
    body: Any = None
    if response.status_code >= 400:
        try:
            body = response.json()
        except ValueError:
            raise_for_status(channel, response)
        code = body.get("error") if isinstance(body, dict) else None
        text = f"LWA {response.status_code} {code}: {body.get('error_description', '') if code else body}"
        if code in AUTH_CODES:
            raise AuthError(channel, text, code=code, status=response.status_code)
        if code in RETRYABLE_CODES:
            raise RetryableError(channel, text, code=code, status=response.status_code)
        if code in REJECTED_CODES:
            raise RequestRejectedError(channel, text, code=code, status=response.status_code)
        if response.status_code == 429:
            raise ThrottledError(channel, text, retry_after=retry_after_seconds(response), status=429)
        raise_for_status(channel, response)
    body = json_body(channel, response)
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise InvalidResponseError(channel, "LWA answered 200 without an access_token", status=200)
    try:
        expires_in = float(body.get("expires_in", DEFAULT_EXPIRES_IN_S))
    except (TypeError, ValueError):
        raise InvalidResponseError(channel, f"LWA expires_in is {body.get('expires_in')!r}") from None
    return token, expires_in


class LwaTokens:
    """One seller's access token (or, with `scope`, the application's grantless token for that
    scope), exchanged on demand and cached in this object."""

    def __init__(
        self,
        http: ChannelHttp,
        credentials: Mapping[str, Any],
        *,
        token_url: str = TOKEN_URL,
        clock: Callable[[], float] = time.monotonic,
        scope: str | None = None,
    ) -> None:
        needed = CREDENTIAL_FIELDS if scope is None else ("client_id", "client_secret")
        missing = [name for name in needed if not credentials.get(name)]
        if missing:
            raise AuthError(http.channel, f"the shop's secret lacks {', '.join(missing)}")
        grant = (
            {"grant_type": "refresh_token", "refresh_token": str(credentials["refresh_token"])}
            if scope is None
            else {"grant_type": "client_credentials", "scope": scope}
        )
        self._form = {
            **grant,
            "client_id": str(credentials["client_id"]),
            "client_secret": str(credentials["client_secret"]),
        }
        self._http = http
        self._url = token_url
        self._clock = clock
        self._token: str | None = None
        self._valid_until = 0.0

    @property
    def cached(self) -> bool:
        """Whether a token that is still within its lifetime is held."""
        return self._token is not None and self._clock() < self._valid_until

    def access_token(self) -> str:
        if self._token is not None and self.cached:
            return self._token
        token, expires_in = self._http.call("token", self._send, self._parse)
        self._token = token
        self._valid_until = self._clock() + max(0.0, expires_in - EXPIRY_MARGIN_S)
        return token

    def invalidate(self) -> None:
        """Forget the token (SP-API said it is expired or revoked)."""
        self._token = None
        self._valid_until = 0.0

    def _send(self, session: requests.Session, timeout: tuple[float, float]) -> requests.Response:
        return session.post(
            self._url, data=self._form, headers={"Accept": "application/json"}, timeout=timeout
        )

    def _parse(self, response: requests.Response) -> tuple[str, float]:
        return parse_token_response(self._http.channel, response)
