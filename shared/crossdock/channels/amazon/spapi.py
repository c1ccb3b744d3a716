"""The SP-API plumbing the stock and FBA modules share: host, LWA token, headers, one JSON call.

Every call carries `x-amz-access-token` (LWA, see lwa.py), `x-amz-date` and a user agent; a 403
on a cached token refreshes it once, a fresh token's 403 is final (AuthError). Answers are judged in
`sp_api_json`: `x-amzn-RateLimit-Limit` sets the pacing, the error envelope becomes its typed fault
(responses.py), and a success must be a JSON object.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import requests

from crossdock.channels.amazon.lwa import TOKEN_URL, LwaTokens
from crossdock.channels.amazon.normalize import CHANNEL
from crossdock.channels.amazon.responses import observe_rate_limit, raise_for_sp_api_error
from crossdock.core.errors import AuthError, InvalidResponseError, RequestRejectedError
from crossdock.core.http import ChannelHttp, json_body

if TYPE_CHECKING:
    from crossdock.channels.spec import ShopContext

T = TypeVar("T")
REGIONS = ("na", "eu", "fe")
USER_AGENT = "crossdock/0.1 (Language=Python; Platform=AWS Lambda)"
Send = Callable[[requests.Session, tuple[float, float]], requests.Response]


def sp_api_json(
    http: ChannelHttp, operation: str, response: requests.Response, *, statuses: Sequence[int] = (200,)
) -> dict[str, Any]:
    """One SP-API answer → its JSON object, or the typed fault (never an empty success)."""
    observe_rate_limit(http, operation, response)
    raise_for_sp_api_error(http, operation, response)
    body = json_body(CHANNEL, response)
    if response.status_code not in statuses or not isinstance(body, dict) or body.get("errors"):
        raise InvalidResponseError(
            CHANNEL, f"{operation} HTTP {response.status_code} without a result: {response.text[:200]}"
        )
    return body


def setting_list(settings: Mapping[str, Any], name: str) -> list[str]:
    value = settings.get(name) or ()
    return [value] if isinstance(value, str) else [str(item) for item in value]


class SpApi:
    """One seller's SP-API access. Shop settings: `marketplace_ids` (required), `region` (na/eu/fe,
    default na: the host unless an "api" endpoint override is set), `seller_id` (the merchant token,
    required by the Listings and Feeds calls)."""

    def __init__(self, ctx: ShopContext, *, scope: str | None = None) -> None:
        """`scope`: call with the application's grantless token for that scope (lwa.py)."""
        self.ctx = ctx
        self.http = ctx.http
        region = str(ctx.settings.get("region", "na")).lower()
        if region not in REGIONS:
            raise RequestRejectedError(CHANNEL, f"region {region!r} is not one of {REGIONS}")
        self.api = ctx.endpoint("api", f"https://sellingpartnerapi-{region}.amazon.com")
        self.marketplace_ids = setting_list(ctx.settings, "marketplace_ids")
        if not self.marketplace_ids:
            raise RequestRejectedError(CHANNEL, "the shop needs marketplace_ids in its settings")
        self.seller_id = str(ctx.settings.get("seller_id") or "")
        self.lwa = LwaTokens(
            ctx.http, ctx.credentials, token_url=ctx.endpoint("token", TOKEN_URL), scope=scope
        )

    def require_seller_id(self) -> str:
        if not self.seller_id:
            raise RequestRejectedError(
                CHANNEL, "the shop needs its seller_id (merchant token) in its settings"
            )
        return self.seller_id

    def call(
        self,
        operation: str,
        method: str,
        path: str,
        parse: Callable[[requests.Response], T],
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> T:
        """One paced call with retries; a 403 on a cached token refreshes it once."""
        while True:
            had_token = self.lwa.cached
            try:
                send = self._sender(method, path, params, body, self.lwa.access_token())
                return self.http.call(operation, send, parse)
            except AuthError:
                self.lwa.invalidate()
                if not had_token:
                    raise

    def _sender(
        self, method: str, path: str, params: Mapping[str, str] | None, body: Any, access_token: str
    ) -> Send:
        headers = self._headers(access_token)
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["content-type"] = "application/json"

        def send(session: requests.Session, timeout: tuple[float, float]) -> requests.Response:
            return session.request(
                method, self.api + path, params=params, data=data, headers=headers, timeout=timeout
            )

        return send

    def _headers(self, access_token: str) -> dict[str, str]:
        now = self.ctx.now() if self.ctx.now else datetime.now(UTC)
        return {
            "x-amz-access-token": access_token,
            "x-amz-date": now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"),
            "user-agent": USER_AGENT,
            "accept": "application/json",
        }
