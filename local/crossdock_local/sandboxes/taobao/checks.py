"""The TOP gateway's own checks, as the Taobao sandbox applies them before any API logic.

Order: method (21/22), app key (28/29), timestamp GMT+8 ±10 min (30/31), v=2.0 and format=json
(41), signature md5/hmac/hmac-sha256 (25), session present (26). The signature is computed here
independently of the adapter's signing module, so a shared mistake cannot pass unnoticed.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import datetime

from crossdock_local.sandboxes.taobao.render import parse_gmt8

SIGN_METHODS = ("md5", "hmac", "hmac-sha256")
TIMESTAMP_TOLERANCE_S = 600


class TopFault(Exception):
    """An `error_response` the sandbox answers with."""

    def __init__(self, code: int, msg: str, sub_code: str = "", sub_msg: str = "") -> None:
        super().__init__(msg)
        self.body: dict[str, object] = {"code": code, "msg": msg}
        if sub_code:
            self.body.update(sub_code=sub_code, sub_msg=sub_msg)


def invalid(name: str, why: str) -> TopFault:
    return TopFault(41, "Invalid Arguments", f"isv.invalid-parameter:{name}", why)


def missing(name: str) -> TopFault:
    return TopFault(40, f"Missing Required Arguments:{name}", f"isv.missing-parameter:{name}")


def top_sign(params: dict[str, str], secret: str, method: str) -> str:
    text = "".join(k + params[k] for k in sorted(params) if k != "sign" and k and params[k]).encode()
    key = secret.encode()
    if method == "md5":
        return hashlib.md5(key + text + key).hexdigest().upper()  # noqa: S324 - TOP's protocol
    return hmac.new(key, text, hashlib.md5 if method == "hmac" else hashlib.sha256).hexdigest().upper()


def check_gateway(
    p: dict[str, str], *, methods: tuple[str, ...], app_key: str, secret: str, now: datetime
) -> str:
    """Raise the TopFault TOP would answer, or return the request's session."""
    if not p.get("method"):
        raise TopFault(21, "Missing Method")
    if p["method"] not in methods:
        raise TopFault(22, "Invalid Method")
    if not p.get("app_key"):
        raise TopFault(28, "Missing App Key")
    if p["app_key"] != app_key:
        raise TopFault(29, "Invalid App Key")
    if not p.get("timestamp"):
        raise TopFault(30, "Missing Timestamp")
    try:
        skew = abs((parse_gmt8(p["timestamp"]) - now).total_seconds())
    except ValueError:
        skew = math.inf
    if skew > TIMESTAMP_TOLERANCE_S:
        raise TopFault(
            31, "Invalid Timestamp", "isv.invalid-timestamp", "timestamp must be GMT+8 now ±10 min"
        )
    if p.get("v") != "2.0":
        raise invalid("v", "v must be 2.0")
    if p.get("format") != "json":
        raise invalid("format", "this gateway renders json only")
    method = p.get("sign_method", "")
    if method not in SIGN_METHODS or not p.get("sign"):
        raise TopFault(25, "Invalid Signature", "isv.invalid-signature", "sign or sign_method missing")
    if not hmac.compare_digest(p["sign"], top_sign(p, secret, method)):
        raise TopFault(25, "Invalid Signature", "isv.invalid-signature", "sign does not match")
    if not p.get("session"):
        raise TopFault(26, "Missing Session")
    return p["session"]


def months_back(now: datetime, months: int) -> datetime:
    """`now` minus calendar months, clamped to the month's last day (May 31 − 3 months = Feb 28)."""
    month, year = now.month - months, now.year
    while month < 1:
        month, year = month + 12, year - 1
    day = now.day
    while True:
        try:
            return now.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1  # ends by day 28, which every month has
