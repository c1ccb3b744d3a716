"""TOP request signing and TOP's clock (pure).

Signature (TOP "API调用方法详解", official SDK `signTopRequest`): drop `sign` and empty keys/values,
sort the rest by name (ASCII), concatenate `name1value1name2value2…` with raw UTF-8 values, then
`md5` = MD5(secret + s + secret), `hmac` = HMAC-MD5(secret, s), `hmac-sha256` = HMAC-SHA256(secret, s),
hex-encoded in upper case.

Every TOP time (`timestamp`, `start_modified`, `modified`, …) is `yyyy-MM-dd HH:mm:ss` in GMT+8
(China has no DST), whatever time zone the Lambda host runs in.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from crossdock.core.times import utc

SIGN_METHODS = ("md5", "hmac", "hmac-sha256")
DEFAULT_SIGN_METHOD = "md5"  # every TOP app accepts it; `sign_method` in the shop's secret overrides
GMT8 = timezone(timedelta(hours=8), "GMT+8")
TOP_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def signing_string(params: Mapping[str, str]) -> str:
    """`name1value1name2value2…` over the signed parameters, sorted by name."""
    return "".join(f"{key}{params[key]}" for key in sorted(params) if key and key != "sign" and params[key])


def sign(params: Mapping[str, str], secret: str, method: str) -> str:
    """The `sign` parameter for `params` (which must already hold `sign_method`)."""
    text = signing_string(params).encode("utf-8")
    key = secret.encode("utf-8")
    if method == "md5":
        digest = hashlib.md5(key + text + key).hexdigest()  # noqa: S324 - TOP's protocol, not our choice
    elif method == "hmac":
        digest = hmac.new(key, text, hashlib.md5).hexdigest()
    elif method == "hmac-sha256":
        digest = hmac.new(key, text, hashlib.sha256).hexdigest()
    else:
        raise ValueError(f"unknown TOP sign_method {method!r}; use one of {', '.join(SIGN_METHODS)}")
    return digest.upper()


def top_time(value: datetime) -> str:
    """A UTC-aware datetime as TOP writes it: GMT+8, whole seconds (truncated)."""
    return utc(value).astimezone(GMT8).strftime(TOP_TIME_FORMAT)


def parse_top_time(text: str) -> datetime:
    """A TOP `yyyy-MM-dd HH:mm:ss` (GMT+8) as an aware UTC datetime."""
    return utc(datetime.strptime(text, TOP_TIME_FORMAT).replace(tzinfo=GMT8))
