"""A tracking source's push (17TRACK's webhook) as tracking reads it, and when one is fresh (pure).

A push carries the same per-number data a poll reads (`Answer`), so the poll's judge decides what it
means. Its freshness is defined from the data, because 17TRACK sends no timestamp header and no
event id (push-contracts §4, §7): a push whose newest scan is older than the newest scan the parcel
already holds is stale (delivered out of order, or a late retry); one whose newest scan lies beyond
`future_skew` ahead of our clock is refused too (a scan from the future would make every later true
scan look stale). A replay — the same number, newest-scan time and status again — is caught by the
receiver's once-per-key record (`TrackPush.once_key`); past that record's memory a replay is either
stale or changes nothing (the scans merge idempotently).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crossdock.core.figures import FORGED as FORGED
from crossdock.core.figures import MALFORMED
from crossdock.core.figures import STALE as STALE
from crossdock.tracking.rules.parcel import Answer, Found, Parcel

# Why a push was refused or ignored: the `reason` of the log line and of the PushesRefused figure
# (FORGED, MALFORMED and STALE — older than what the parcel holds, or from the future — are the
# reasons every receiver shares, core.figures').
UNKNOWN_PARCEL = "unknown_parcel"  # no parcel crossdock tracks has the pushed number
NOT_TRACKING = "not_tracking"  # a well-formed push of an event crossdock does not act on (ignored)
NO_SCANS = "no_scans"  # a push without scans: the poll judges what silence means (ignored)
FINAL = "final"  # the parcel is delivered or expired: the poll no longer refreshes it (ignored)


class InvalidPush(ValueError):
    """The body is not a push of the documented shape."""

    reason = MALFORMED


@dataclass(frozen=True)
class TrackPush:
    """New tracking data for one number (17TRACK `TRACKING_UPDATED`).

    `carrier_hint`: the carrier code the number was registered with (17TRACK echoes the register
    call's `tag`), "" when absent. `status`: the source's own latest (sub-)status, part of the replay key."""

    source: str
    number: str
    carrier_hint: str
    answer: Answer
    status: str

    @property
    def latest_at(self) -> datetime | None:
        """The newest scan's time, if the push has scans."""
        if isinstance(self.answer, Found) and self.answer.events:
            return max(e.at for e in self.answer.events)
        return None

    @property
    def once_key(self) -> str:
        latest = self.latest_at
        stamp = latest.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if latest else "-"
        return f"{self.number}#{stamp}#{self.status}"


@dataclass(frozen=True)
class TrackingStopped:
    """The source stopped tracking the number (17TRACK `TRACKING_STOPPED`): no more pushes for it."""

    source: str
    number: str
    carrier_hint: str


@dataclass(frozen=True)
class OtherPush:
    """A well-formed push of an event crossdock does not act on."""

    source: str
    event: str


Push = TrackPush | TrackingStopped | OtherPush


def stale_because(parcel: Parcel, push: TrackPush, *, now: datetime, future_skew: timedelta) -> str | None:
    """Why `push` is outside the freshness window for `parcel`, or None when it is fresh.

    Scans are compared to the minute, as the judge compares them (`parcel._minute`): a relay of the
    newest scan without its seconds is up to date."""
    latest = push.latest_at
    if latest is None:
        return None
    if latest > now + future_skew:
        return (
            f"newest pushed scan {latest.isoformat()} is more than {future_skew} ahead of {now.isoformat()}"
        )
    known = parcel.last_event_at
    if known is not None and _minute(latest) < _minute(known):
        return f"newest pushed scan {latest.isoformat()} is older than the parcel's {known.isoformat()}"
    return None


def _minute(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(second=0, microsecond=0)
