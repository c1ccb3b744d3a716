"""A local 17TRACK Tracking API v2.2: `POST /track/v2.2/register` and `/track/v2.2/gettrackinfo`,
relaying the ParcelWorld's scans of any carrier (api-contracts §6.3).

Checks, in 17TRACK's shapes: the `17token` header (HTTP 401 with `-18010002` invalid key or
`-18010004` disabled), at most 40 numbers (`-18010014`), registration before tracking (rejected
`-18019902`; registering twice: rejected `-18019901`), an optional registration quota (rejected
`-18019908`). A body that is not a JSON array of `{"number": ...}` gets HTTP 400 (its shape is
UNCONFIRMED). Rate: 3 requests/s, burst 3, per key across both operations, × `rate_scale`; beyond
it HTTP 429 without Retry-After (the contract documents the status only).

Scans are visible as soon as the number is registered (the real service polls the carrier first).
A parcel is shown by two providers when it left its origin's zone: the origin carrier up to and
including the first scan abroad, and a last-mile carrier from it on, so the hand-over scan is listed
twice as it is on 17TRACK. World modes: EMPTY → accepted, latest status InfoReceived, providers
without events (sync "Failure"); NOT_FOUND and unknown numbers → latest status NotFound, no events;
ENVELOPE → the whole call fails with `-18010003`.

For the bench: `registered` (the numbers registered), `stats["numbers:<operation>"]` (numbers asked).

Webhook (`webhook.py`): the dashboard's WebHook URL is `webhook_url` (or `POST /sandbox/webhook`);
`webhook.push_updates()` (or `webhook.start(every_s)`) pushes `TRACKING_UPDATED` with the `sign`
header for every registered number that has a new scan, with faults forged, replay, stale and drop.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import UTC
from typing import Any

from crossdock_local.sandboxes.base import (
    FaultProfile,
    Reply,
    Request,
    Route,
    route,
)
from crossdock_local.sandboxes.buckets import Rate
from crossdock_local.sandboxes.parcels import (
    EMPTY,
    ENVELOPE,
    NOT_FOUND,
    ParcelWorld,
    Scan,
    Stage,
    WorldParcel,
)
from crossdock_local.sandboxes.seventeen_track.webhook import Webhook
from crossdock_local.sandboxes.tracking_base import TrackingSandbox

NAME = "17track"
SETTINGS, SETTINGS_PATH = "webhook-settings", "/sandbox/webhook"  # the dashboard's WebHook field
PREFIX = "/track/v2.2"
MAX_NUMBERS = 40
RATES = {"api": Rate(3.0, 3.0)}  # PARTIAL in the contract; one bucket per key
BAD_KEY, DISABLED, INTERNAL, TOO_MANY = -18010002, -18010004, -18010003, -18010014
ALREADY, NOT_REGISTERED, NO_QUOTA = -18019901, -18019902, -18019908
# 17TRACK carrier keys, illustrative (not checked against 17TRACK's carrier list).
CARRIERS = {"4px": (190094, "4PX"), "yanwen": (190012, "Yanwen"), "china-post": (3011, "China Post")}
LAST_MILE = {
    "US": (21051, "USPS"),
    "DE": (7041, "DHL Paket"),
    "GB": (11031, "Royal Mail"),
    "JP": (10021, "Japan Post"),
}
S = Stage
# Scan stage → (sub_status, milestone stage): the inverse of the adapter's table.
NATIVE: dict[Stage, tuple[str, str | None]] = {
    S.PENDING: ("InfoReceived", "InfoReceived"),
    S.INFO_RECEIVED: ("InfoReceived", "InfoReceived"),
    S.IN_TRANSIT: ("InTransit_Other", None),
    S.OUT_FOR_DELIVERY: ("OutForDelivery_Other", "OutForDelivery"),
    S.DELIVERY_FAILED: ("DeliveryFailure_Other", None),
    S.AVAILABLE_FOR_PICKUP: ("AvailableForPickup_Other", "AvailableForPickup"),
    S.DELIVERED: ("Delivered_Other", "Delivered"),
    S.EXCEPTION: ("Exception_Other", None),
    S.EXPIRED: ("Expired_Other", None),
}
IN_TRANSIT_WORDS = (
    ("picked up", "InTransit_PickedUp", "PickedUp"),
    ("departed", "InTransit_Departure", "Departure"),
    ("arrived", "InTransit_Arrival", "Arrival"),
    ("customs", "InTransit_CustomsReleased", None),
)


def codes(scan: Scan) -> tuple[str, str | None]:
    """The scan's 17TRACK sub-status and milestone."""
    if scan.is_return:
        return (
            ("Exception_Returned", "Returned")
            if scan.stage is S.DELIVERED
            else ("Exception_Returning", "Returning")
        )
    if scan.stage is S.IN_TRANSIT:
        text = scan.description.casefold()
        return next(
            ((sub, stage) for word, sub, stage in IN_TRANSIT_WORDS if word in text), NATIVE[S.IN_TRANSIT]
        )
    return NATIVE[scan.stage]


def render_event(scan: Scan) -> dict[str, Any]:
    local = scan.local_time()
    sub, stage = codes(scan)
    zone = local.isoformat(timespec="seconds")[19:]
    return {
        "time_iso": local.isoformat(timespec="seconds"),
        "time_utc": scan.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "time_raw": {
            "date": local.strftime("%Y-%m-%d"),
            "time": local.strftime("%H:%M:%S"),
            "timezone": zone,
        },
        "description": scan.description,
        "location": scan.location,
        "stage": stage,
        "sub_status": sub,
    }


def _provider(key: int, name: str, scans: list[Scan], sync: str = "Success") -> dict[str, Any]:
    events = [render_event(s) for s in reversed(scans)]  # newest first
    return {"provider": {"key": key, "name": name}, "latest_sync_status": sync, "events": events}


def envelope_error(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "data": {"errors": [{"code": code, "message": message}]}}


class SeventeenTrackSandbox(TrackingSandbox):
    name = NAME
    rates = RATES

    def __init__(
        self,
        world: ParcelWorld,
        credentials: Mapping[str, str] | None = None,
        *,
        faults: FaultProfile | None = None,
        rate_scale: float = 1.0,
        quota: int | None = None,
    ) -> None:
        """`credentials` {api_key} is the key it accepts (a new one if None); `quota`: registrations
        left (None: unlimited)."""
        self.api_key = str((credentials or {}).get("api_key") or secrets.token_hex(16).upper())
        self.disabled: set[str] = set()
        self.quota = quota
        self.registered: set[str] = set()
        self.tags: dict[str, str] = {}  # number → the tag it was registered with
        self.webhook = Webhook(self)  # the dashboard's WebHook setting and what 17TRACK pushes to it
        super().__init__(world, {"api_key": self.api_key}, faults=faults, rate_scale=rate_scale)

    @property
    def webhook_url(self) -> str | None:
        return self.webhook.url

    @webhook_url.setter
    def webhook_url(self, url: str | None) -> None:
        self.webhook.url = url

    def mark_registered(self, numbers: Iterable[str]) -> None:
        """Register numbers without a call (a bench that starts from a registered backlog)."""
        with self._lock:
            self.registered.update(numbers)

    # -- serving --------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [
            route("POST", f"{PREFIX}/register", "register", self._register),
            route("POST", f"{PREFIX}/gettrackinfo", "gettrackinfo", self._track),
            route("POST", SETTINGS_PATH, SETTINGS, self._set_webhook),
        ]

    def caller(self, request: Request) -> str:
        return request.headers.get("17token", "")

    def bucket(self, route: Route) -> str:
        return SETTINGS if route.operation == SETTINGS else "api"  # one bucket per key for the API

    def stop(self) -> None:
        self.webhook.stop()
        super().stop()

    def _set_webhook(self, request: Request, match: object) -> Reply:
        """The dashboard's WebHook field (not an API 17TRACK documents: the sandbox's stand-in)."""
        try:
            body = request.json()
        except ValueError:
            body = None
        url = body.get("url") if isinstance(body, dict) else None
        if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
            return Reply(400, {"error": "url must be an http(s) URL or null"})
        self.webhook.url = url
        return Reply(200, {"url": url})

    def throttled(self, request: Request, route: Route, wait_s: float) -> Reply:
        return Reply(429, "Too Many Requests", {"Content-Type": "text/plain; charset=utf-8"})

    def render_fault(self, kind: str, request: Request, route: Route) -> Reply:
        if kind == "error_envelope":
            return Reply(200, envelope_error(INTERNAL, "Internal service error."))
        return Reply(200, {"code": 0, "data": {"accepted": [], "rejected": []}})

    def _numbers(self, request: Request, operation: str) -> list[dict[str, Any]] | Reply:
        """The body's items, or the reply that refuses the call."""
        key = self.caller(request)
        if key != self.api_key:
            return Reply(401, envelope_error(BAD_KEY, "Invalid security key."))
        if key in self.disabled:
            return Reply(401, envelope_error(DISABLED, "The account is disabled."))
        try:
            items = request.json()
        except ValueError:
            items = None
        if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("number") for i in items):
            return Reply(400, envelope_error(400, "The body must be a JSON array of objects with a number."))
        if len(items) > MAX_NUMBERS:
            return Reply(
                200, envelope_error(TOO_MANY, f"The number of tracking numbers exceeds {MAX_NUMBERS}.")
            )
        with self._lock:
            self.stats[f"numbers:{operation}"] += len(items)
        return items

    def _register(self, request: Request, match: object) -> Reply:
        items = self._numbers(request, "register")
        if isinstance(items, Reply):
            return items
        accepted: list[dict[str, Any]] = []
        rejected: list[dict[str, Any]] = []
        with self._lock:
            for item in items:
                number = str(item["number"])
                if number in self.registered:
                    rejected.append(
                        _rejected(number, ALREADY, f"The tracking number '{number}' is already registered.")
                    )
                elif self.quota is not None and self.quota <= 0:
                    rejected.append(_rejected(number, NO_QUOTA, "The quota is exhausted."))
                else:
                    self.registered.add(number)
                    self.quota = None if self.quota is None else self.quota - 1
                    self.tags[number] = str(item.get("tag") or "")
                    key = self._carrier(number)[0]
                    accepted.append({"origin": 1, "number": number, "carrier": key, "tag": self.tags[number]})
        return Reply(200, {"code": 0, "data": {"accepted": accepted, "rejected": rejected}})

    def _track(self, request: Request, match: object) -> Reply:
        items = self._numbers(request, "gettrackinfo")
        if isinstance(items, Reply):
            return items
        numbers = [str(item["number"]) for item in items]
        if any(self.world.mode(NAME, n) == ENVELOPE for n in numbers):
            return Reply(200, envelope_error(INTERNAL, "Internal service error."))
        accepted: list[dict[str, Any]] = []
        rejected: list[dict[str, Any]] = []
        for number in numbers:
            if number not in self.registered:
                message = f"The tracking number '{number}' does not register, please register first."
                rejected.append(_rejected(number, NOT_REGISTERED, message))
                continue
            key, name = self._carrier(number)
            item = {"number": number, "carrier": key, "param": None, "tag": self.tags.get(number, "")}
            accepted.append({**item, "track_info": self._track_info(number, key, name)})
        return Reply(200, {"code": 0, "data": {"accepted": accepted, "rejected": rejected}})

    def _track_info(self, number: str, key: int, name: str) -> dict[str, Any]:
        scans = self.world.visible(number, source=NAME)
        mode = self.world.mode(NAME, number)
        if mode == NOT_FOUND or not scans:
            return _info("NotFound", "NotFound_Other", None, [_provider(key, name, [])])
        if mode == EMPTY:
            return _info("InfoReceived", "InfoReceived", None, [_provider(key, name, [], sync="Failure")])
        return self.track_info_of(number, key, name, scans)

    def track_info_of(self, number: str, key: int, name: str, scans: list[Scan]) -> dict[str, Any]:
        """`track_info` as it stands after `scans` (oldest first, at least one): what gettrackinfo
        answers and what the webhook pushes."""
        parcel = self.world.parcel(number)
        home = scans[0].utc_offset_h
        abroad = next((i for i, s in enumerate(scans) if s.utc_offset_h != home), None)
        if abroad is None or parcel is None:
            providers = [_provider(key, name, scans)]
        else:
            mile_key, mile_name = LAST_MILE.get(parcel.destination, LAST_MILE["US"])
            providers = [
                _provider(mile_key, mile_name, scans[abroad:]),
                _provider(key, name, scans[: abroad + 1]),
            ]
        sub = codes(scans[-1])[0]
        info = _info(sub.split("_", 1)[0], sub, render_event(scans[-1]), providers)
        info["time_metrics"] = {"days_of_transit": (scans[-1].at - scans[0].at).days}
        return info

    def carrier_of(self, number: str) -> tuple[int, str]:
        """17TRACK's carrier key and name for a number."""
        return self._carrier(number)

    def _carrier(self, number: str) -> tuple[int, str]:
        parcel: WorldParcel | None = self.world.parcel(number)
        return CARRIERS.get(parcel.carrier, (0, parcel.carrier)) if parcel else (0, "")


def _rejected(number: str, code: int, message: str) -> dict[str, Any]:
    return {"number": number, "error": {"code": code, "message": message}}


def _info(
    status: str, sub: str, latest: dict[str, Any] | None, providers: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "latest_status": {"status": status, "sub_status": sub, "sub_status_descr": None},
        "latest_event": latest,
        "tracking": {"providers_hash": 0, "providers": providers},
    }
