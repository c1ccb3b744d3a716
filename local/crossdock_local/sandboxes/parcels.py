"""The truth about parcels that every tracking sandbox (4PX, Yanwen, 17TRACK) serves from.

A parcel has a journey of scans; a scan becomes visible once the world's clock passes its time.
Each sandbox renders the visible scans in its own wire format and status codes. Faults that are
specific to tracking (the "200 OK but empty" outage, per-number NOTFOUND, a stale cached copy)
are set here per source, so tests and the demo can stage them.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class Stage(StrEnum):
    """What a scan means, in plain terms each sandbox maps to its own codes (4PX businessLinkCode,
    Yanwen checkpoint codes, 17TRACK sub-status and milestone stage). The values are the words
    crossdock's unified statuses use, so a test can compare a scan's stage with what a client read."""

    PENDING = "pending"
    INFO_RECEIVED = "info_received"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERY_FAILED = "delivery_failed"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    EXPIRED = "expired"


# Answer modes a source can be put in, for all numbers (outage) or one number.
EMPTY = "empty"  # 200 with a success envelope and no data for the number
NOT_FOUND = "not_found"  # the source's per-number NOTFOUND / rejected shape
STALE = "stale"  # a cached copy: the newest scans missing
ENVELOPE = "envelope"  # 200 with a failure envelope (4PX result "0", Yanwen code 1, 17TRACK code ≠ 0)
MODES = (EMPTY, NOT_FOUND, STALE, ENVELOPE)


@dataclass(frozen=True)
class Scan:
    at: datetime  # UTC
    stage: Stage  # what the scan means (each sandbox maps it to its codes)
    description: str
    location: str
    utc_offset_h: int = 8  # the zone of the scan's location: sources show local times
    is_return: bool = False

    def __post_init__(self) -> None:
        # A stage may be given as any string of the same value (a test writes crossdock's status).
        object.__setattr__(self, "stage", Stage(self.stage))

    def local_time(self) -> datetime:
        return self.at.astimezone(_zone(self.utc_offset_h))


def _zone(hours: int):  # type: ignore[no-untyped-def]
    from datetime import timezone

    return timezone(timedelta(hours=hours))


@dataclass
class WorldParcel:
    number: str
    carrier: str  # "4px", "yanwen", or another carrier's slug
    scans: list[Scan]
    destination: str = "US"


@dataclass
class ParcelWorld:
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    parcels: dict[str, WorldParcel] = field(default_factory=dict)
    outages: dict[str, str] = field(default_factory=dict)  # source → mode for every number
    overrides: dict[tuple[str, str], str] = field(default_factory=dict)  # (source, number) → mode
    stale_drop: int = 2  # how many of the newest scans a stale copy lacks

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def add(self, parcel: WorldParcel) -> None:
        with self._lock:
            self.parcels[parcel.number] = parcel

    def set_outage(self, source: str, mode: str | None) -> None:
        """Every number asked of `source` gets `mode` (None ends the outage)."""
        if mode is not None and mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; known: {MODES}")
        with self._lock:
            if mode is None:
                self.outages.pop(source, None)
            else:
                self.outages[source] = mode

    def set_answer(self, source: str, number: str, mode: str | None) -> None:
        if mode is not None and mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; known: {MODES}")
        with self._lock:
            if mode is None:
                self.overrides.pop((source, number), None)
            else:
                self.overrides[(source, number)] = mode

    def mode(self, source: str, number: str) -> str | None:
        """The fault mode for this number at this source, if any (per-number beats outage)."""
        with self._lock:
            return self.overrides.get((source, number)) or self.outages.get(source)

    def parcel(self, number: str) -> WorldParcel | None:
        with self._lock:
            return self.parcels.get(number)

    def visible(self, number: str, source: str | None = None) -> list[Scan] | None:
        """Scans that have happened by now, oldest first; None if the number is unknown.

        With `source` given, that source's fault mode applies: EMPTY and NOT_FOUND → [] and None
        are left for the sandbox to render (it decides the shape); STALE drops the newest scans."""
        parcel = self.parcel(number)
        if parcel is None:
            return None
        now = self.clock()
        scans = [s for s in parcel.scans if s.at <= now]
        if source is not None and self.mode(source, number) == STALE:
            scans = scans[: max(0, len(scans) - self.stale_drop)]
        return scans


# -- realistic journeys ---------------------------------------------------------------------------
ORIGINS = (("SHENZHEN", 8), ("GUANGZHOU", 8), ("YIWU", 8), ("DONGGUAN", 8))
DESTINATIONS = {
    "US": (("LOS ANGELES, CA", -8), ("NEW YORK, NY", -5), ("CHICAGO, IL", -6)),
    "DE": (("Frankfurt", 1), ("Rodgau", 1), ("Leipzig", 1)),
    "GB": (("London", 0), ("Coventry", 0)),
    "JP": (("Tokyo", 9), ("Osaka", 9)),
    "AU": (("Sydney", 10), ("Melbourne", 10)),
}


def journey(
    start: datetime,
    rng: random.Random,
    *,
    destination: str = "US",
    hours: float = 1.0,
    stops_at: int | None = None,
) -> list[Scan]:
    """A China-to-destination journey from label to delivery. `hours` scales every gap (the demo
    squeezes days into seconds); `stops_at` ends it after that many scans (a stall)."""
    origin, origin_tz = rng.choice(ORIGINS)
    city, dest_tz = rng.choice(DESTINATIONS.get(destination, DESTINATIONS["US"]))
    steps = [
        (0, Stage.INFO_RECEIVED, "Shipment information received", origin, origin_tz),
        (rng.uniform(4, 20), Stage.IN_TRANSIT, "Parcel picked up by carrier", origin, origin_tz),
        (rng.uniform(6, 30), Stage.IN_TRANSIT, "Departed from sorting center", origin, origin_tz),
        (
            rng.uniform(20, 60),
            Stage.IN_TRANSIT,
            "Departed from origin country airport",
            "HONG KONG",
            8,
        ),
        (rng.uniform(24, 72), Stage.IN_TRANSIT, "Arrived at destination country", city, dest_tz),
        (rng.uniform(12, 48), Stage.IN_TRANSIT, "Customs clearance completed", city, dest_tz),
        (rng.uniform(12, 48), Stage.OUT_FOR_DELIVERY, "Out for delivery", city, dest_tz),
        (rng.uniform(2, 10), Stage.DELIVERED, "Delivered", city, dest_tz),
    ]
    scans: list[Scan] = []
    at = start
    for gap_h, stage, text, where, tz in steps:
        at = at + timedelta(hours=gap_h * hours)
        scans.append(
            Scan(at=at.replace(microsecond=0), stage=stage, description=text, location=where, utc_offset_h=tz)
        )
    return scans if stops_at is None else scans[:stops_at]
