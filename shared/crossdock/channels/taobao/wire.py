"""The TOP gateway: one signed form POST per API call, and the one place TOP answers become typed errors.

Every call is `POST <router>` with `application/x-www-form-urlencoded;charset=utf-8` carrying the
common parameters (method, app_key, session, timestamp, v=2.0, sign_method, format=json, sign) and
the business ones. All of them go in the body, so the seller's session never lands in access logs.
The form is signed again on every attempt: a retry after a long ban still carries a fresh timestamp
(TOP allows ±10 min).

TOP answers HTTP 200 even on errors, with `{"error_response": {code, msg, sub_code, sub_msg}}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

import requests

from crossdock.channels.taobao.signing import DEFAULT_SIGN_METHOD, SIGN_METHODS, sign, top_time
from crossdock.core.errors import (
    AuthError,
    ChannelError,
    InvalidResponseError,
    RequestRejectedError,
    RetryableError,
    ThrottledError,
)
from crossdock.core.http import ChannelHttp, json_body, raise_for_status

T = TypeVar("T")

CHANNEL = "taobao"
DEFAULT_ROUTER = "https://eco.taobao.com/router/rest"

FORM_HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded;charset=utf-8",
    "Accept": "application/json",
}
THROTTLE_CODES = frozenset({7, 8})  # App Call Limited / App Call Exceeds Limited Frequency
AUTH_CODES = frozenset({11, 12, 25, 26, 27, 28, 29})  # permissions, signature, session, app key
RETRY_CODES = frozenset({10})  # Service Currently Unavailable
REJECT_CODES = frozenset({9, 21, 22, 30, 31, 40, 41})  # HTTP action, method, timestamp, arguments
BAN = re.compile(r"ban will last (\d+(?:\.\d+)?)", re.IGNORECASE)


@dataclass(frozen=True)
class TopCredentials:
    """The shop's secret: our app's key and secret, and the seller's session (access token)."""

    app_key: str
    app_secret: str
    session: str
    sign_method: str = DEFAULT_SIGN_METHOD

    @classmethod
    def from_secret(cls, secret: Mapping[str, Any]) -> TopCredentials:
        missing = [name for name in ("app_key", "app_secret", "session") if not secret.get(name)]
        if missing:
            raise ValueError(f"taobao credentials lack {', '.join(missing)}")
        method = str(secret.get("sign_method") or DEFAULT_SIGN_METHOD)
        if method not in SIGN_METHODS:
            raise ValueError(f"taobao sign_method {method!r} is not one of {', '.join(SIGN_METHODS)}")
        return cls(str(secret["app_key"]), str(secret["app_secret"]), str(secret["session"]), method)


class TopGateway:
    """Signs, sends and types the answers of TOP API calls for one shop."""

    def __init__(
        self, http: ChannelHttp, url: str, credentials: TopCredentials, clock: Callable[[], datetime]
    ) -> None:
        self.http = http
        self.url = url
        self.credentials = credentials
        self._clock = clock

    def signed_form(self, method: str, params: Mapping[str, str]) -> dict[str, str]:
        creds = self.credentials
        form = {
            **params,
            "method": method,
            "app_key": creds.app_key,
            "session": creds.session,
            "timestamp": top_time(self._clock()),
            "v": "2.0",
            "sign_method": creds.sign_method,
            "format": "json",
        }
        form["sign"] = sign(form, creds.app_secret, creds.sign_method)
        return form

    def call(self, method: str, params: Mapping[str, str], parse: Callable[[requests.Response], T]) -> T:
        """One API call through the shop's paced, retrying client; the operation is the TOP method."""

        def send(session: requests.Session, timeout: tuple[float, float]) -> requests.Response:
            body = urlencode(self.signed_form(method, params)).encode("ascii")
            return session.post(self.url, data=body, headers=FORM_HEADERS, timeout=timeout)

        return self.http.call(method, send, parse)


def top_envelope(channel: str, response: requests.Response, envelope: str) -> dict[str, Any]:
    """The `<method>_response` object of a successful answer, or the typed error."""
    raise_for_status(channel, response)
    body = json_body(channel, response)
    if not isinstance(body, dict):
        raise InvalidResponseError(channel, "answer is not a JSON object", status=response.status_code)
    if "error_response" in body:
        raise top_error(channel, body["error_response"])
    data = body.get(envelope)
    if not isinstance(data, dict):
        keys = ", ".join(sorted(body)) or "nothing"
        raise InvalidResponseError(channel, f"200 without {envelope} (got {keys})", status=200)
    return data


def top_error(channel: str, error: Any) -> ChannelError:
    """Map an `error_response` to the typed fault (see the codes above and api-contracts §4.8)."""
    if not isinstance(error, dict):
        return InvalidResponseError(channel, f"malformed error_response {error!r:.200}", status=200)
    try:
        code = int(error.get("code", -1))
    except (TypeError, ValueError):
        code = -1
    sub_code = str(error.get("sub_code") or "")
    sub_msg = str(error.get("sub_msg") or "")
    text = f"TOP error {code} {error.get('msg', '')} {sub_code} {sub_msg}".strip()
    tag = f"{code}:{sub_code}" if sub_code else str(code)
    if code in THROTTLE_CODES or sub_code.startswith("accesscontrol."):
        ban = BAN.search(sub_msg) or BAN.search(str(error.get("msg") or ""))
        retry_after = float(ban.group(1)) if ban else None
        return ThrottledError(channel, text, retry_after=retry_after, code=tag, status=200)
    if code in AUTH_CODES:
        return AuthError(channel, text, code=tag, status=200)
    if code in RETRY_CODES or sub_code.startswith("isp."):
        return RetryableError(channel, text, code=tag, status=200)
    if code in REJECT_CODES or sub_code.startswith("isv."):
        return RequestRejectedError(channel, text, code=tag, status=200)
    return InvalidResponseError(channel, f"unrecognised {text}", code=tag, status=200)
