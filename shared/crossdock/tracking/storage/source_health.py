"""Per-source answer counters by minute (one hour is read back) and each source's demotion state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import UpdateError

from crossdock.tracking.storage.tables import SourceHealthModel

STATE = "state"  # the range key of a source's demotion item (sorts after every minute)


@dataclass(frozen=True)
class HealthWindow:
    answers: int = 0  # numbers answered (judged)
    good: int = 0
    silent: int = 0  # answers judged a silent failure (empty, not found, rejected, stale, failed call)
    calls: int = 0
    failed_calls: int = 0
    latency_ms: int = 0

    @property
    def silent_rate(self) -> float:
        return self.silent / self.answers if self.answers else 0.0

    @property
    def success_rate(self) -> float:
        return self.good / self.answers if self.answers else 1.0

    @property
    def mean_latency_ms(self) -> float:
        return self.latency_ms / self.calls if self.calls else 0.0


COUNTERS = ("answers", "good", "silent", "calls", "failed_calls", "latency_ms")  # HealthWindow's fields


@dataclass(frozen=True)
class SourceStanding:
    """A source's counters over a period, and since when it is demoted (None: it is not)."""

    window: HealthWindow
    demoted_since: datetime | None


def minute_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


class SourceHealthRepository:
    def record(self, source: str, at: datetime, window: HealthWindow) -> None:
        if not (window.answers or window.calls):
            return
        item = SourceHealthModel(source, minute_key(at))
        item.update(
            actions=[
                SourceHealthModel.answers.add(window.answers),
                SourceHealthModel.good.add(window.good),
                SourceHealthModel.silent.add(window.silent),
                SourceHealthModel.calls.add(window.calls),
                SourceHealthModel.failed_calls.add(window.failed_calls),
                SourceHealthModel.latency_ms.add(window.latency_ms),
                SourceHealthModel.expires_at.set(int((at + timedelta(days=1)).timestamp())),
            ]
        )

    def last_hour(self, source: str, now: datetime) -> HealthWindow:
        totals = dict.fromkeys(COUNTERS, 0)
        since = minute_key(now - timedelta(hours=1))
        for item in SourceHealthModel.query(
            source, SourceHealthModel.minute.between(since, minute_key(now)), consistent_read=True
        ):
            for name in totals:
                totals[name] += int(getattr(item, name) or 0)
        return HealthWindow(**totals)

    def every_source_since(self, since: datetime) -> dict[str, SourceStanding]:
        """Every source's counters summed over the minutes from `since` (the table keeps a day) and
        its demotion now, in one scan: what the operators' views (status, digest, report) show. A
        source known only by its state item is there with zero counters; minutes before `since`
        (expired, not yet removed by the TTL) count for nothing."""
        first = minute_key(since)
        totals: dict[str, dict[str, int]] = {}
        demoted: dict[str, datetime | None] = {}
        for item in SourceHealthModel.scan():
            if item.minute == STATE:
                demoted[item.source] = item.demoted_since
                totals.setdefault(item.source, dict.fromkeys(COUNTERS, 0))
            elif item.minute >= first:
                counters = totals.setdefault(item.source, dict.fromkeys(COUNTERS, 0))
                for name in COUNTERS:
                    counters[name] += int(getattr(item, name) or 0)
        return {
            source: SourceStanding(HealthWindow(**counters), demoted.get(source))
            for source, counters in sorted(totals.items())
        }

    def demoted(self, sources: Iterable[str]) -> dict[str, datetime]:
        """Which of `sources` are demoted now, and since when (one batch read of their state items)."""
        found: dict[str, datetime] = {}
        for item in SourceHealthModel.batch_get([(s, STATE) for s in sources]):
            if item.demoted_since is not None:
                found[item.source] = item.demoted_since
        return found

    def set_demoted(self, source: str, since: datetime | None) -> bool:
        """Demote (`since`) or promote back (None); False when the source already was in that state
        (another worker changed it first): each demotion and promotion happens, and alerts, once."""
        item = SourceHealthModel(source, STATE)
        try:
            if since is None:
                item.update(
                    actions=[SourceHealthModel.demoted_since.remove()],
                    condition=SourceHealthModel.demoted_since.exists(),
                )
            else:
                item.update(
                    actions=[SourceHealthModel.demoted_since.set(since)],
                    condition=SourceHealthModel.demoted_since.does_not_exist(),
                )
        except UpdateError as exc:
            if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
                return False
            raise
        return True
