"""In-memory tracking sources for use-case tests: scripted answers per number, every ask recorded."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from crossdock.core.errors import AuthError
from crossdock.core.http import CallStats
from crossdock.tracking.ports import ParcelQuery
from crossdock.tracking.rules.parcel import Answer, Found, Missing
from crossdock.tracking.rules.status import TrackingEvent, TrackingStatus

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def scan(
    hours_ago: float, status: TrackingStatus, text: str, source: str = "4px", **kw: object
) -> TrackingEvent:
    return TrackingEvent(
        at=NOW - timedelta(hours=hours_ago),
        description=text,
        location=str(kw.pop("location", "SHENZHEN")),
        raw_status=str(kw.pop("raw", status.value)),
        status=status,
        source=source,
        is_return=bool(kw.pop("is_return", False)),
    )


JOURNEY = (
    scan(50, TrackingStatus.INFO_RECEIVED, "Shipment information received"),
    scan(40, TrackingStatus.IN_TRANSIT, "Departed from sorting center"),
    scan(10, TrackingStatus.IN_TRANSIT, "Arrived at destination country", location="LOS ANGELES, CA"),
)


@dataclass
class FakeSource:
    """`script(number, attempt)` → the answer; attempt counts from 1 per number."""

    name: str
    script: Callable[[str, int], Answer]
    max_batch: int = 40
    needs_registration: bool = False
    auth_fails: bool = False
    asked: list[list[str]] = field(default_factory=list)  # numbers per fetch call
    registered: list[str] = field(default_factory=list)
    attempts: Counter[str] = field(default_factory=Counter)
    stats: CallStats = field(default_factory=CallStats)

    def fetch(self, queries: Sequence[ParcelQuery]) -> dict[str, Answer]:
        numbers = [q.tracking_number for q in queries]
        self.asked.append(numbers)
        self.stats.calls["fetch"] += max(1, -(-len(numbers) // self.max_batch))
        if self.auth_fails:
            raise AuthError(self.name, "HTTP 401: invalid key", status=401)
        answers = {}
        for number in numbers:
            self.attempts[number] += 1
            answers[number] = self.script(number, self.attempts[number])
        return answers

    def register(self, queries: Sequence[ParcelQuery]) -> dict[str, str | None]:
        if not self.needs_registration:
            return {}
        self.registered += [q.tracking_number for q in queries]
        return {q.tracking_number: None for q in queries}


@dataclass
class FakeOpener:
    sources: dict[str, FakeSource]

    def open(self, name: str) -> FakeSource:
        return self.sources[name]

    def stats(self, name: str) -> CallStats:
        return self.sources[name].stats


def good(*events: TrackingEvent) -> Callable[[str, int], Answer]:
    return lambda number, attempt: Found(tuple(events))


def missing(reason: str = "empty") -> Callable[[str, int], Answer]:
    return lambda number, attempt: Missing(reason)


class Alerts:
    def __init__(self) -> None:
        self.sent: list = []

    def send(self, alert, *, now):  # type: ignore[no-untyped-def]
        if any(a.dedupe_key == alert.dedupe_key for a in self.sent):
            return False
        self.sent.append(alert)
        return True
