"""1688 open platform on the wire: the signed `param2` call and its error shapes (api-contracts §5).

`{gateway}/openapi/param2/1/{namespace}/{api}/{appKey}`, GET or POST form. `_aop_signature` is the
upper-case hex HMAC-SHA1 (key = app secret) of the URL path from `param2` on (no leading slash) plus
every other parameter written `key+value`, those strings sorted ascending and concatenated — the
official SDK sorts the joined strings, not the keys. `access_token` and `_aop_timestamp` (ms) are
signed like any other parameter.

Errors, mapped here once:
- Gateway errors: HTTP 400 with `{"error_code": "gw.…", "error_message", "exception"}` (seen in a 200
  too, so any status is read). `gw.APIACLDecline`, `gw.AppKeyNotFound`, `gw.NoUsageLeftError` are in
  the contract; `gw.SignatureInvalid`, `gw.SignatureMissing`, `gw.AppKeyMissing`, `gw.APIUnsupported`,
  `gw.ParamMissing`, `gw.QosAppFrequencyLimit` are PARTIAL (third-party clients); `gw.InvalidAccessToken`,
  `gw.AccessTokenExpired` and `gw.TimestampInvalid` are UNCONFIRMED, our names. Any `gw.Qos…` code
  is read as throttling. HTTP 401 (the gateway's "Request need user authenticated") is an AuthError.
- Business errors: a 200 whose body says `success: false` or carries a non-empty `errMsg`
  (`errorMsg`, `errorMessage`): RequestRejectedError (unknown offer, not the caller's offer…), unless
  its words say the platform is busy or failed inside, which is retried.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from crossdock.core.errors import (
    AuthError,
    ChannelError,
    InvalidResponseError,
    RequestRejectedError,
    ThrottledError,
)
from crossdock.core.http import json_body, raise_for_status, retry_after_seconds

if TYPE_CHECKING:
    import requests

CHANNEL = "1688"
DEFAULT_GATEWAY = "https://gw.open.1688.com"
PROTOCOL = "param2/1"
NAMESPACE = "com.alibaba.product"
API = "alibaba.product.get"
WEBSITE = "1688"
CHINA = timezone(timedelta(hours=8))

AUTH_CODES = frozenset(
    {
        "gw.SignatureInvalid",  # PARTIAL
        "gw.SignatureMissing",  # PARTIAL: also what a wrong algorithm earns
        "gw.AppKeyNotFound",
        "gw.AppKeyMissing",  # PARTIAL
        "gw.InvalidAccessToken",  # UNCONFIRMED
        "gw.AccessTokenExpired",  # UNCONFIRMED
    }
)
QUOTA_CODES = frozenset({"gw.NoUsageLeftError"})  # "SLA bill has no usage left"
THROTTLE_CODES = frozenset({"gw.QosAppFrequencyLimit"})  # PARTIAL; any "gw.Qos…" reads the same
# gw.APIACLDecline, gw.APIUnsupported, gw.ParamMissing, gw.TimestampInvalid and any other code:
# our request or our app's permissions — RequestRejectedError.
TRANSIENT_WORDS = re.compile(r"busy|繁忙|稍后|timeout|timed out|超时|system error|系统错误|internal", re.I)


class QuotaExhausted(RequestRejectedError):
    """The app's SLA bill for this API is used up (`gw.NoUsageLeftError`): no call succeeds until
    the quota is renewed, so the caller moves to another supplier instead of retrying. The source
    names the app (`app_key`) and the API whose quota it is."""

    kind = "quota"
    app_key = ""
    api = API

    def resets_at(self, now: datetime) -> datetime:
        """When the quota should be back: 1688 renews an app's API usage daily; we assume at 00:00
        China time (UNCONFIRMED: the hour is not documented)."""
        return quota_resets_at(now)


def quota_resets_at(now: datetime) -> datetime:
    """The next 00:00 China time (UTC+8) after `now`."""
    china = now.astimezone(CHINA)
    return (china.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)).astimezone(
        now.tzinfo
    )


@dataclass(frozen=True)
class Credentials:
    app_key: str
    app_secret: str
    access_token: str

    @classmethod
    def from_secret(cls, secret: Mapping[str, Any]) -> Credentials:
        missing = [name for name in ("app_key", "app_secret", "access_token") if not secret.get(name)]
        if missing:
            raise ValueError(f"1688 credentials lack {', '.join(missing)}")
        return cls(str(secret["app_key"]), str(secret["app_secret"]), str(secret["access_token"]))


def url_path(app_key: str, namespace: str = NAMESPACE, api: str = API) -> str:
    """The signed path: `param2/1/{namespace}/{api}/{appKey}`, no leading slash."""
    return f"{PROTOCOL}/{namespace}/{api}/{app_key}"


def api_url(gateway: str, path: str) -> str:
    base = gateway.rstrip("/")
    return f"{base}/{path}" if base.endswith("/openapi") else f"{base}/openapi/{path}"


def sign(path: str, params: Mapping[str, str], secret: str) -> str:
    pieces = sorted(f"{key}{value}" for key, value in params.items() if key != "_aop_signature")
    text = (path + "".join(pieces)).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), text, hashlib.sha1).hexdigest().upper()


def signed_params(
    creds: Credentials, path: str, business: Mapping[str, str], stamp_ms: int
) -> dict[str, str]:
    """Business parameters plus `access_token`, `_aop_timestamp` and the signature over them all."""
    params = {**business, "access_token": creds.access_token, "_aop_timestamp": str(stamp_ms)}
    params["_aop_signature"] = sign(path, params, creds.app_secret)
    return params


def gateway_error(code: str, message: str, status: int, retry_after: float | None = None) -> ChannelError:
    text = f"{code} {message}".strip()
    if code in AUTH_CODES:
        return AuthError(CHANNEL, text, code=code, status=status)
    if code in QUOTA_CODES:
        return QuotaExhausted(CHANNEL, text, code=code, status=status)
    if code in THROTTLE_CODES or code.startswith("gw.Qos"):
        return ThrottledError(CHANNEL, text, retry_after=retry_after, code=code, status=status)
    return RequestRejectedError(CHANNEL, text, code=code, status=status)


def business_error(body: Mapping[str, Any]) -> ChannelError | None:
    """A 200 that says the call failed, or None when it does not."""
    message = next((str(body[k]) for k in ("errMsg", "errorMsg", "errorMessage") if body.get(k)), "")
    code = next((str(body[k]) for k in ("errCode", "errorCode") if body.get(k) not in (None, "")), "")
    if not message and body.get("success") not in (False, "false"):
        return None
    text = f"{code} {message}".strip() or "success false without a message"
    if TRANSIENT_WORDS.search(text):
        return InvalidResponseError(CHANNEL, text, code=code or None, status=200)
    return RequestRejectedError(CHANNEL, text, code=code or None, status=200)


def read_result(response: requests.Response) -> dict[str, Any]:
    """The call's result object, or the typed fault its status and body describe."""
    status = response.status_code
    if status >= 500 or status in (401, 403, 429):
        raise_for_status(CHANNEL, response)
    try:
        body = response.json()
    except ValueError:
        raise_for_status(CHANNEL, response)  # a 4xx without a JSON body
        body = json_body(CHANNEL, response)  # a 200 with HTML or a truncated body: retried
    if isinstance(body, dict) and body.get("error_code"):
        message = str(body.get("error_message") or body.get("exception") or "")
        raise gateway_error(str(body["error_code"]), message, status, retry_after_seconds(response))
    raise_for_status(CHANNEL, response)
    if not isinstance(body, dict):
        raise InvalidResponseError(CHANNEL, f"answer is not an object: {str(body)[:200]}", status=status)
    fault = business_error(body)
    if fault is not None:
        raise fault
    return body
