"""A local 4PX open platform (`POST /router/api/service`) serving `tr.order.tracking.get` from a ParcelWorld.

Gateway checks, in order (every answer is HTTP 200 with the FOP envelope; codes UNCONFIRMED, the
same assumed table as the adapter's `fourpx_wire`): required parameters (1006), app_key (1001),
method (1005), v = 1.0.0 (1009), format = json (1006), timestamp in ms within ±10 min of our
clock (1003), sign = lowercase md5 over the fixed-order parameters + raw body + secret (1002), the
access_token the app was given, if any (1004), then a body of exactly one `deliveryOrderNo` (1006).
Throttling per app key at the assumed 5/s burst 5 × `rate_scale` answers 1010.

Per number: unknown, or no scan yet → 2001 (not found); a malformed number → 2002; the world's
modes EMPTY → result "1" with an empty trackingList, NOT_FOUND → 2001, ENVELOPE → 5000 (system
error); STALE is applied by `world.visible`. Scans are listed newest first, `occurDatetime` in
China time (UTC+8) whatever the scan's location, `businessLinkCode` from `code_for`.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from crossdock_local.sandboxes.base import (
    FaultProfile,
    Reply,
    Request,
    Route,
    route,
)
from crossdock_local.sandboxes.buckets import Rate
from crossdock_local.sandboxes.parcels import EMPTY, ENVELOPE, NOT_FOUND, ParcelWorld, Scan, Stage
from crossdock_local.sandboxes.tracking_base import TrackingSandbox

NAME = "4px"
METHOD = "tr.order.tracking.get"
VERSION = "1.0.0"
RATES = {METHOD: Rate(5, 5)}  # UNCONFIRMED: 4PX publishes none
FRESHNESS = timedelta(minutes=10)
CHINA = timezone(timedelta(hours=8))
NUMBER = re.compile(r"[A-Za-z0-9-]{6,40}")
SIGNED = ("app_key", "format", "method", "timestamp", "v")

S = Stage
# The inverse of the adapter's STATUS_CODES (UNCONFIRMED codes). 4PX has no expiry scan: EX stands in.
STAGE_CODES = {
    S.PENDING: "OR",
    S.INFO_RECEIVED: "OR",
    S.IN_TRANSIT: "DA",
    S.EXCEPTION: "EX",
    S.OUT_FOR_DELIVERY: "OD",
    S.AVAILABLE_FOR_PICKUP: "AP",
    S.DELIVERY_FAILED: "DF",
    S.DELIVERED: "OK",
    S.EXPIRED: "EX",
}
TRANSIT_WORDS = (
    ("customs clearance completed", "CCE"),
    ("customs", "CC"),
    ("picked up", "PU"),
    ("arrived", "AA"),
)


def code_for(scan: Scan) -> str:
    """The businessLinkCode of a scan: the stage, refined by its words where 4PX has finer codes."""
    text = scan.description.casefold()
    if scan.is_return:
        return "RT"
    if scan.stage is S.IN_TRANSIT:
        return next((code for words, code in TRANSIT_WORDS if words in text), "DA")
    if scan.stage is S.EXCEPTION and "customs" in text:
        return "HC"
    return STAGE_CODES[scan.stage]


def fop_sign(params: Mapping[str, str], body: str, secret: str) -> str:
    text = "".join(f"{name}{params.get(name, '')}" for name in SIGNED) + body + secret
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 - 4PX's protocol


class FopFault(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code, self.message = code, message

    def reply(self) -> Reply:
        error = {"errorCode": self.code, "errorMsg": self.message}
        return Reply(200, {"result": "0", "msg": "fail", "errors": [error], "data": None})


def success(number: str, tracking: list[dict[str, str]]) -> Reply:
    data = {"deliveryOrderNo": number, "trackingList": tracking}
    return Reply(200, {"result": "1", "msg": "success", "errors": [], "data": data})


def not_found() -> FopFault:
    return FopFault("2001", "No tracking information found for this order number")


def system_error() -> FopFault:
    return FopFault("5000", "System busy, please try again later")


class FourPxSandbox(TrackingSandbox):
    name = NAME
    rates = RATES

    def __init__(
        self,
        world: ParcelWorld,
        credentials: Mapping[str, str] | None = None,
        *,
        faults: FaultProfile | None = None,
        rate_scale: float = 1.0,
    ) -> None:
        """`credentials` {app_key, app_secret[, access_token]} are the app it accepts (new ones if None)."""
        creds = dict(
            credentials or {"app_key": f"fpx{secrets.token_hex(8)}", "app_secret": secrets.token_hex(16)}
        )
        self.apps = {creds["app_key"]: creds["app_secret"]}
        self.tokens = {creds["app_key"]: creds.get("access_token", "")}
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        super().__init__(world, creds, faults=faults, rate_scale=rate_scale)

    def routes(self) -> list[Route]:
        return [route("POST", r"/router/api/service", METHOD, self._serve)]

    def caller(self, request: Request) -> str:
        return request.query.get("app_key", "")

    def throttled(self, request: Request, route: Route, wait_s: float) -> Reply:
        return FopFault("1010", "Call frequency exceeded, please try again later").reply()

    def render_fault(self, kind: str, request: Request, route: Route) -> Reply:
        if kind == "error_envelope":
            return system_error().reply()
        return success(_asked(request), [])

    # -- the call -------------------------------------------------------------------------------------
    def _serve(self, request: Request, match: Any) -> Reply:
        try:
            number = self._verify(request)
            with self._lock:
                self.stats[f"numbers:{METHOD}"] += 1
            return self._track(number)
        except FopFault as fault:
            return fault.reply()

    def _verify(self, request: Request) -> str:
        q = request.query
        missing = [name for name in (*SIGNED, "sign") if not q.get(name)]
        if missing:
            raise FopFault("1006", f"Missing required parameter: {', '.join(missing)}")
        secret = self.apps.get(q["app_key"])
        if secret is None:
            raise FopFault("1001", "Invalid app_key")
        if q["method"] != METHOD:
            raise FopFault("1005", f"Unknown method {q['method']}")
        if q["v"] != VERSION:
            raise FopFault("1009", f"Unsupported version {q['v']}")
        if q["format"] != "json":
            raise FopFault("1006", f"Unsupported format {q['format']}")
        now_ms = self.clock().timestamp() * 1000
        if (
            not q["timestamp"].isdigit()
            or abs(now_ms - int(q["timestamp"])) > FRESHNESS.total_seconds() * 1000
        ):
            raise FopFault("1003", "Timestamp expired or invalid")
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise FopFault("1006", "Request body is not UTF-8") from None
        if q["sign"] != fop_sign(q, body, secret):
            raise FopFault("1002", "Invalid signature")
        if q.get("access_token", "") != self.tokens.get(q["app_key"], ""):
            raise FopFault("1004", "Invalid or expired access_token")
        return _one_number(body)

    def _track(self, number: str) -> Reply:
        if not NUMBER.fullmatch(number):
            raise FopFault("2002", f"Invalid deliveryOrderNo {number[:60]}")
        mode = self.world.mode(NAME, number)
        if mode == ENVELOPE:
            raise system_error()
        if mode == NOT_FOUND:
            raise not_found()
        scans = self.world.visible(number, source=NAME)
        if mode == EMPTY:
            return success(number, [])
        if not scans:  # 4PX knows a number from its first scan (order information received) on
            raise not_found()
        parcel = self.world.parcel(number)
        country = parcel.destination if parcel else ""
        return success(number, [self._render(scan, country) for scan in reversed(scans)])

    @staticmethod
    def _render(scan: Scan, country: str) -> dict[str, str]:
        return {
            "businessLinkCode": code_for(scan),
            "occurDatetime": scan.at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
            "occurLocation": scan.location,
            "trackingContent": scan.description,
            "destinationCountry": country,
        }


def _one_number(body: str) -> str:
    try:
        payload = json.loads(body)
    except ValueError:
        raise FopFault("1006", "Request body is not valid JSON") from None
    number = payload.get("deliveryOrderNo") if isinstance(payload, dict) else None
    if isinstance(number, list) or (isinstance(number, str) and "," in number):
        raise FopFault("1006", "Only one deliveryOrderNo per call")
    if not isinstance(number, str) or not number.strip():
        raise FopFault("1006", "Missing required parameter: deliveryOrderNo")
    return number.strip()


def _asked(request: Request) -> str:
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        return ""
    return str(payload.get("deliveryOrderNo") or "") if isinstance(payload, dict) else ""
