"""4PX open platform (FOP) on the wire: the signed call of `tr.order.tracking.get` and its answers.

`POST {api}/router/api/service?app_key&format=json&method&timestamp&v&sign[&access_token][&language]`
with the JSON body `{"deliveryOrderNo": "<one number>"}` (api-contracts §6.1). The signature is
`md5("app_key"+key + "format"+format + "method"+method + "timestamp"+ms + "v"+v + <body> + secret)`
in lowercase hex; the body signed is the very string sent, so it is built once per attempt and
encoded as is. `access_token` (OAuth, third-party software providers only) is sent but not signed.

The envelope is `{"result": "1"|"0", "msg", "errors": [...], "data": {...}}`. The error codes below
are UNCONFIRMED (4PX's error dictionary was not retrieved): they are our assumption, kept in one
table here and mirrored by the sandbox. Error items are read as `errorCode`/`errorMsg`, and the
PHP SDK's `error`/`errors` and `code`/`msg` spellings are accepted too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crossdock.carriers.fourpx.spec import CHANNEL, METHOD
from crossdock.core.errors import (
    AuthError,
    ChannelError,
    InvalidResponseError,
    RequestRejectedError,
    ThrottledError,
)
from crossdock.core.http import json_body, raise_for_status
from crossdock.tracking.rules.parcel import Missing

if TYPE_CHECKING:
    import requests

PATH = "/router/api/service"
VERSION = "1.0.0"  # the 4PX guide's value; SDKs also send "1.0" (PARTIAL)
FORMAT = "json"
LANGUAGE = "en"
HEADERS = {"Content-Type": "application/json;charset=utf-8", "Accept": "application/json"}

# Error codes — UNCONFIRMED, our assumption (see the module docstring).
AUTH_CODES = frozenset({"1001", "1002", "1004", "1008"})  # app_key, sign, access_token, no permission
REJECT_CODES = frozenset({"1003", "1005", "1006", "1009"})  # timestamp, method, parameters, version
THROTTLE_CODES = frozenset({"1010"})  # call frequency exceeded
NOT_FOUND_CODES = frozenset({"2001"})  # no tracking information for this number
NUMBER_CODES = frozenset({"2002"})  # the number is malformed or not a 4PX/service-provider number
# Anything else ("5000" system busy included) is a failure envelope: retried, then "failed".


@dataclass(frozen=True)
class FourPxCredentials:
    """`app_key` and `app_secret` of our FOP app; `access_token` only for OAuth-authorised providers."""

    app_key: str
    app_secret: str
    access_token: str = ""

    @classmethod
    def from_secret(cls, secret: Mapping[str, Any]) -> FourPxCredentials:
        missing = [name for name in ("app_key", "app_secret") if not secret.get(name)]
        if missing:
            raise ValueError(f"4px credentials lack {', '.join(missing)}")
        token = str(secret.get("access_token") or "")
        return cls(str(secret["app_key"]), str(secret["app_secret"]), token)


def body_text(number: str) -> str:
    """The JSON body for one number, compact: the exact string that is signed and sent."""
    return json.dumps({"deliveryOrderNo": number}, ensure_ascii=False, separators=(",", ":"))


def sign(app_key: str, app_secret: str, timestamp: str, body: str, *, method: str = METHOD) -> str:
    text = f"app_key{app_key}format{FORMAT}method{method}timestamp{timestamp}v{VERSION}{body}{app_secret}"
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 - 4PX's protocol, not our choice


def query(creds: FourPxCredentials, timestamp: str, body: str) -> list[tuple[str, str]]:
    """The query string, in the documented order; `sign` covers all but access_token and language."""
    params = [
        ("app_key", creds.app_key),
        ("format", FORMAT),
        ("method", METHOD),
        ("timestamp", timestamp),
        ("v", VERSION),
        ("sign", sign(creds.app_key, creds.app_secret, timestamp, body)),
    ]
    if creds.access_token:
        params.append(("access_token", creds.access_token))
    params.append(("language", LANGUAGE))
    return params


def errors_of(envelope: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(code, message) of every error item, whichever spelling the answer uses."""
    raw = envelope.get("errors", envelope.get("error"))
    items = raw if isinstance(raw, list) else [raw] if raw else []
    found: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, Mapping):
            code = _first(item, "errorCode", "error_code", "code")
            text = _first(item, "errorMsg", "error_msg", "msg", "message")
            found.append((code, text))
        else:
            found.append(("", str(item)))
    return found


def _first(item: Mapping[str, Any], *names: str) -> str:
    for name in names:
        if item.get(name) not in (None, ""):
            return str(item[name])
    return ""


def read_envelope(response: requests.Response) -> dict[str, Any] | Missing:
    """The `data` object of a success; Missing for a per-number error; else the typed fault."""
    raise_for_status(CHANNEL, response)
    body = json_body(CHANNEL, response)
    if not isinstance(body, dict) or str(body.get("result", "")) not in ("0", "1"):
        raise InvalidResponseError(CHANNEL, f"answer without a result flag: {str(body)[:200]}", status=200)
    if str(body["result"]) == "1":
        data = body.get("data")
        return data if isinstance(data, dict) else Missing("empty", "result 1 without data")
    errors = errors_of(body) or [("", str(body.get("msg") or ""))]
    for code, text in errors:
        detail = f"{code} {text}".strip()
        if code in NOT_FOUND_CODES:
            return Missing("not_found", detail)
        if code in NUMBER_CODES:
            return Missing("rejected", detail)
    raise envelope_error(errors, str(body.get("msg") or ""))


def envelope_error(errors: list[tuple[str, str]], msg: str) -> ChannelError:
    """A `result: "0"` that is not about the number: auth, our request, throttling or 4PX itself."""
    text = f"result 0 {msg}: " + "; ".join(f"{c} {t}".strip() for c, t in errors)
    kinds: tuple[tuple[frozenset[str], type[ChannelError]], ...] = (
        (AUTH_CODES, AuthError),
        (THROTTLE_CODES, ThrottledError),
        (REJECT_CODES, RequestRejectedError),
    )
    for codes, kind in kinds:
        hit = next((code for code, _ in errors if code in codes), None)
        if hit is not None:
            return kind(CHANNEL, text, code=hit, status=200)
    return InvalidResponseError(CHANNEL, text, code=errors[0][0] or None, status=200)
