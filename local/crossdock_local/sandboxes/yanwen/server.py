"""A local Yanwen tracking API (`GET /api/tracking?nums=A,B,C`) serving a ParcelWorld.

Checks as the real one is understood to make them: the raw `Authorization` header must be a known
merchant number, `nums` must hold 1..30 comma-separated numbers. Every answer is the `{code, message,
result, requestTime, elapsedMilliseconds}` envelope; code 1 is a failure. UNCONFIRMED choices: a refused
Authorization is HTTP 200 code 1 "Invalid Authorization: unknown merchant number"; throttling (Yanwen
publishes no limit; 5/s burst 5 per merchant, × rate_scale) is HTTP 429 with Retry-After; checkpoints
are listed newest first; a number Yanwen knows but has not scanned yet answers NOTFOUND.

World modes: NOT_FOUND (and unknown numbers) → a NOTFOUND item; EMPTY → an item whose checkpoints are
empty though its status says otherwise (no item at all if nothing is visible); STALE → the world drops
the newest scans; ENVELOPE on any number asked → code 1 for the whole call. Faults: `silent_empty` →
code 0 with an empty result, `error_envelope` → code 1.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from datetime import timedelta, timezone
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

OPERATION = "tracking"
MAX_NUMBERS = 30
RATES = {OPERATION: Rate(5, 5)}  # UNCONFIRMED: Yanwen publishes no limit
CHINA = timezone(timedelta(hours=8))
STAGE_CODES = {  # the inverse of the adapter's table (IN_TRANSIT is refined by the scan's words)
    Stage.PENDING: "OR10",
    Stage.INFO_RECEIVED: "OR10",
    Stage.IN_TRANSIT: "LH20",
    Stage.OUT_FOR_DELIVERY: "LM25",
    Stage.AVAILABLE_FOR_PICKUP: "LM30",
    Stage.DELIVERY_FAILED: "LM50",
    Stage.DELIVERED: "LM40",
    Stage.EXCEPTION: "LM90",
    Stage.EXPIRED: "LM90",  # Yanwen has no expiry status
}
IN_TRANSIT_WORDS = (("picked up", "PU10"), ("accepted", "PU10"), ("arrived at destination", "LM10"),
                    ("customs clearance completed", "IC60"), ("customs", "IC50"), ("last-mile", "LM20"))  # fmt: skip
LAST_MILE = frozenset({"LM20", "LM25", "LM30", "LM40", "LM50", "LM54"})


def code_for(scan: Scan) -> str:
    if scan.is_return:
        return "LM54"
    if scan.stage is Stage.IN_TRANSIT:
        text = scan.description.casefold()
        return next((code for words, code in IN_TRANSIT_WORDS if words in text), "LH20")
    if scan.stage is Stage.EXCEPTION and "customs" in scan.description.casefold():
        return "IC51"
    return STAGE_CODES[scan.stage]


def zone_text(offset_h: float) -> str:
    """+8 → "+08", -5 → "-05", 5.5 → "+05:30" (Yanwen's `time_zone`)."""
    minutes = round(offset_h * 60)
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    return f"{sign}{minutes // 60:02d}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def checkpoint(scan: Scan) -> dict[str, Any]:
    code = code_for(scan)
    return {
        "time_stamp": scan.local_time().strftime("%Y-%m-%dT%H:%M:%S"),
        "time_zone": zone_text(scan.utc_offset_h),
        "tracking_status": code,
        "message": scan.description,
        "location": scan.location,
        "is_last_mile_checkpoint": 1 if code in LAST_MILE else 0,
        "extraProperties": None,
    }


class YanwenSandbox(TrackingSandbox):
    name = "yanwen"
    rates = RATES

    def __init__(
        self,
        world: ParcelWorld,
        credentials: Mapping[str, Any] | None = None,
        *,
        faults: FaultProfile | None = None,
        rate_scale: float = 1.0,
    ) -> None:
        """`credentials` {authorization} is the merchant number it accepts (a new one if None)."""
        merchant = str((credentials or {}).get("authorization") or f"YW{secrets.randbelow(10**8):08d}")
        self.merchants = {merchant}
        super().__init__(world, {"authorization": merchant}, faults=faults, rate_scale=rate_scale)

    def routes(self) -> list[Route]:
        return [route("GET", r"/api/tracking", OPERATION, self._tracking)]

    def caller(self, request: Request) -> str:
        return request.headers.get("authorization", "")

    def throttled(self, request: Request, route: Route, wait_s: float) -> Reply:
        body = self._envelope(1, "Too many requests, please slow down", None, time.monotonic())
        return Reply(429, body, {"Retry-After": f"{max(wait_s, 0.001):.3f}"})

    def render_fault(self, kind: str, request: Request, route: Route) -> Reply:
        if kind == "silent_empty":
            return Reply(200, self._envelope(0, "success", [], time.monotonic()))
        return Reply(200, self._envelope(1, "System busy, please try again later", None, time.monotonic()))

    # -- the API ----------------------------------------------------------------------------------
    def _tracking(self, request: Request, match: object) -> Reply:
        started = time.monotonic()
        if self.caller(request) not in self.merchants:
            return Reply(
                200, self._envelope(1, "Invalid Authorization: unknown merchant number", None, started)
            )
        numbers = [n.strip() for n in request.query.get("nums", "").split(",") if n.strip()]
        if not numbers:
            return Reply(200, self._envelope(1, "nums is required", None, started))
        if len(numbers) > MAX_NUMBERS:
            message = f"At most {MAX_NUMBERS} tracking numbers per query, got {len(numbers)}"
            return Reply(200, self._envelope(1, message, None, started))
        with self._lock:
            self.stats[f"numbers:{OPERATION}"] += len(numbers)
        numbers = list(dict.fromkeys(numbers))
        if any(self.world.mode(self.name, n) == ENVELOPE for n in numbers):
            return Reply(200, self._envelope(1, "System busy, please try again later", None, started))
        items = [item for item in (self._item(n) for n in numbers) if item is not None]
        return Reply(200, self._envelope(0, "success", items, started))

    def _item(self, number: str) -> dict[str, Any] | None:
        mode = self.world.mode(self.name, number)
        scans = self.world.visible(number, source=self.name)
        if mode == NOT_FOUND or not scans:
            if mode == EMPTY and scans is not None:
                return None  # known, nothing visible: the number is left out
            return self._shape(number, "NOTFOUND", [], "")
        newest_first = sorted(scans, key=lambda s: s.at, reverse=True)
        status = code_for(newest_first[0])
        parcel = self.world.parcel(number)
        destination = parcel.destination if parcel else ""
        if mode == EMPTY:
            return self._shape(number, status, [], destination)
        return self._shape(number, status, [checkpoint(s) for s in newest_first], destination)

    @staticmethod
    def _shape(
        number: str, status: str, checkpoints: list[dict[str, Any]], destination: str
    ) -> dict[str, Any]:
        found = status != "NOTFOUND"
        return {
            "tracking_number": number,
            "waybill_number": number if found else "",
            "exchange_number": "",
            "checkpoints": checkpoints,
            "tracking_status": status,
            "tracking_status_waybill": {"level1": "", "level2": "", "level3": status} if found else None,
            "last_mile_tracking_expected": found,
            "origin_country": "CN" if found else "",
            "destination_country": destination,
        }

    def _envelope(
        self, code: int, message: str, result: list[dict[str, Any]] | None, started: float
    ) -> dict[str, Any]:
        return {
            "code": code,
            "message": message,
            "result": result,
            "requestTime": self.world.clock().astimezone(CHINA).isoformat(timespec="milliseconds"),
            "elapsedMilliseconds": {"total": round((time.monotonic() - started) * 1000)},
        }
