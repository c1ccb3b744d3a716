"""Source health: count every answer per source, emit metrics, demote and promote with an alert."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime

from crossdock.adapters.tracking.registry import SOURCES
from crossdock.domain.source_chain import HealthChange, health_change
from crossdock.storage.source_health import HealthWindow, SourceHealthRepository
from crossdock.usecases.ports import AlertSink
from crossdock.usecases.track_alerts import health_alert
from crossdock.usecases.track_ask import Asked, SourceOpener

Metric = Callable[[str, str, float, str], None]  # (source, metric name, value, unit)


@dataclass(frozen=True)
class HealthRules:
    demote_rate: float = 0.3
    promote_rate: float = 0.1
    min_answers: int = 20


@dataclass
class SourceHealth:
    repository: SourceHealthRepository
    sources: SourceOpener
    alerts: AlertSink
    rules: HealthRules
    chains: Mapping[str, tuple[str, ...]]
    clock: Callable[[], datetime]
    metric: Metric = lambda source, name, value, unit: None
    _demoted: dict[str, datetime] | None = None
    _pending: dict[str, HealthWindow] = field(default_factory=dict)  # counted, not yet written
    _calls_seen: dict[str, tuple[int, int]] = field(default_factory=dict)

    def demoted(self) -> dict[str, datetime]:
        if self._demoted is None:
            self._demoted = self.repository.demoted(SOURCES)
        return self._demoted

    def record(self, name: str, asked: Asked) -> None:
        stats = self.sources.stats(name)
        calls, faults = stats.total_calls, stats.failed_calls
        seen_calls, seen_faults = self._calls_seen.get(name, (0, 0))
        self._calls_seen[name] = (calls, faults)
        window = HealthWindow(
            answers=asked.answers,
            good=asked.answers - asked.silent,
            silent=asked.silent,
            calls=calls - seen_calls,
            failed_calls=faults - seen_faults,
            latency_ms=int(asked.elapsed_s * 1000),
        )
        self._pending[name] = _sum(self._pending.get(name, HealthWindow()), window)

    def _flush(self, now: datetime) -> None:
        """One counter write and one set of metrics per source and refresh, however many chunks."""
        for name, window in self._pending.items():
            self.repository.record(name, now, window)
            if window.answers:
                self.metric(name, "TrackingAnswers", window.answers, "Count")
                self.metric(name, "TrackingSilentFailures", window.silent, "Count")
                self.metric(name, "TrackingSuccessRate", 100.0 * window.success_rate, "Percent")
                self.metric(name, "TrackingSilentRate", 100.0 * window.silent_rate, "Percent")
            if window.calls:
                self.metric(name, "TrackingLatency", window.latency_ms / window.calls, "Milliseconds")

    def review(self, now: datetime) -> dict[str, HealthChange]:
        """Write this run's counts, then demote or promote each source asked in it by its last hour."""
        self._flush(now)
        touched, self._pending = sorted(self._pending), {}
        changes: dict[str, HealthChange] = {}
        demoted = self.demoted()
        for name in touched:
            window = self.repository.last_hour(name, now)
            change = health_change(
                answers=window.answers,
                silent=window.silent,
                demoted=name in demoted,
                demote_rate=self.rules.demote_rate,
                promote_rate=self.rules.promote_rate,
                min_answers=self.rules.min_answers,
            )
            if change is None:
                continue
            changes[name] = change
            is_demotion = change is HealthChange.DEMOTE
            self.repository.set_demoted(name, now if is_demotion else None)
            if is_demotion:
                demoted[name] = now
            else:
                demoted.pop(name, None)
            backup = self._backup_of(name)
            self.alerts.send(health_alert(SOURCES[name].display, is_demotion, window, backup, now), now=now)
        return changes

    def _backup_of(self, name: str) -> str:
        for chain in self.chains.values():
            if name in chain and chain.index(name) + 1 < len(chain):
                return SOURCES[chain[chain.index(name) + 1]].display
        return "the other sources of its chains"


def _sum(a: HealthWindow, b: HealthWindow) -> HealthWindow:
    return HealthWindow(*(getattr(a, f.name) + getattr(b, f.name) for f in fields(HealthWindow)))
