"""Tracking events and the unified parcel status (pure, no I/O).

Every source maps its own statuses into `TrackingStatus` with a table in its adapter; the raw
status is kept beside it. A parcel's status moves forward by stage and never back, except through
a documented return (a carrier event that says the parcel is going back to its sender).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class TrackingStatus(StrEnum):
    PENDING = "pending"  # registered, no carrier scan yet
    INFO_RECEIVED = "info_received"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERY_FAILED = "delivery_failed"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    EXPIRED = "expired"


# Stages: a status may move to any status of the same or a later stage. The last-mile statuses
# share a stage (a failed attempt is followed by another delivery run); an exception shares the
# line-haul stage (customs holds, damage) so a parcel released from it may go on in transit.
STAGE: dict[TrackingStatus, int] = {
    TrackingStatus.PENDING: 0,
    TrackingStatus.INFO_RECEIVED: 1,
    TrackingStatus.IN_TRANSIT: 2,
    TrackingStatus.EXCEPTION: 2,
    TrackingStatus.OUT_FOR_DELIVERY: 3,
    TrackingStatus.DELIVERY_FAILED: 3,
    TrackingStatus.AVAILABLE_FOR_PICKUP: 3,
    TrackingStatus.DELIVERED: 4,
    TrackingStatus.EXPIRED: 4,
}
FINAL = frozenset({TrackingStatus.DELIVERED, TrackingStatus.EXPIRED})


@dataclass(frozen=True)
class TrackingEvent:
    """One carrier scan. `at` is UTC, converted with the zone the source gave."""

    at: datetime
    description: str
    location: str
    raw_status: str
    status: TrackingStatus
    source: str
    is_return: bool = False  # the carrier documents the parcel as returning to its sender

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("tracking event time must be timezone-aware")

    @property
    def key(self) -> tuple[str, str]:
        """Two sources relaying the same scan agree on its time and words, not on their spacing,
        case or the location's spelling: that pair identifies a scan."""
        return (self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M"), _norm(self.description))

    def to_dict(self) -> dict[str, object]:
        return {
            "at": self.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "description": self.description,
            "location": self.location,
            "raw_status": self.raw_status,
            "status": str(self.status),
            "source": self.source,
            "is_return": self.is_return,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> TrackingEvent:
        return cls(
            at=datetime.fromisoformat(str(data["at"]).replace("Z", "+00:00")),
            description=str(data.get("description") or ""),
            location=str(data.get("location") or ""),
            raw_status=str(data.get("raw_status") or ""),
            status=TrackingStatus(str(data["status"])),
            source=str(data.get("source") or ""),
            is_return=bool(data.get("is_return")),
        )


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def advance(current: TrackingStatus, candidate: TrackingStatus, *, is_return: bool = False) -> TrackingStatus:
    """The status after an event of status `candidate`: forward by stage, never back, except a
    documented return (which becomes an exception whatever came before) or news after expiry."""
    if is_return:
        return TrackingStatus.EXCEPTION if candidate is not TrackingStatus.DELIVERED else candidate
    if current is TrackingStatus.EXPIRED and candidate is not TrackingStatus.EXPIRED:
        return candidate
    if STAGE[candidate] >= STAGE[current]:
        return candidate
    return current


@dataclass(frozen=True)
class Merge:
    events: tuple[TrackingEvent, ...]  # every known scan, oldest first, no duplicates
    added: tuple[TrackingEvent, ...]  # the scans this answer brought that were not known
    status: TrackingStatus
    raw_status: str


def merge(
    known: Sequence[TrackingEvent], incoming: Iterable[TrackingEvent], status: TrackingStatus, raw_status: str
) -> Merge:
    """Add the unknown scans of an answer (in any order) and walk the status over them in time order."""
    seen = {e.key for e in known}
    added: list[TrackingEvent] = []
    for event in sorted(incoming, key=lambda e: e.at):
        if event.key not in seen:
            seen.add(event.key)
            added.append(event)
    events = tuple(sorted([*known, *added], key=lambda e: e.at))
    walk: Sequence[TrackingEvent] = added
    if known and added and added[0].at < max(e.at for e in known):
        # A scan filled in before a known one: walk the whole history again, so the status is the
        # one the scans give in time order, whatever order they arrived in.
        walk, status, raw_status = events, TrackingStatus.PENDING, ""
    for event in walk:
        status = advance(status, event.status, is_return=event.is_return)
        if status is event.status or event.is_return:
            raw_status = event.raw_status
    return Merge(events=events, added=tuple(added), status=status, raw_status=raw_status)
