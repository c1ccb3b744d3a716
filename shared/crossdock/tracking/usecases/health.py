"""Source health: count every answer per source, emit metrics, demote and promote with an alert.

Every worker reviews the sources it asked, so concurrent tasks may all see a source cross the line:
the demotion (or promotion) is a conditional write, and only the worker whose write changed the
state alerts and counts it — one alert per demotion, however many tasks saw it. A source with no
healthy source behind it in any chain (17TRACK, the last of its chains) is not "demoted behind"
anything: its alert says it is failing with no backup, and what to do."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING

from crossdock.carriers.registry import SOURCES
from crossdock.core.figures import TRACKING_ANSWERS, TRACKING_SILENT
from crossdock.core.names import DEFAULT_CARRIER_SECRETS_PREFIX
from crossdock.tracking.rules.source_chain import HealthChange, health_change
from crossdock.tracking.storage.source_health import HealthWindow, SourceHealthRepository
from crossdock.tracking.usecases.alerts import demoted_alert, no_backup_alert, promoted_alert

if TYPE_CHECKING:
    from crossdock.core.alerts.message import Alert
    from crossdock.core.ports import AlertSink
    from crossdock.tracking.usecases.ask import Asked, SourceOpener

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
    secrets_prefix: str = DEFAULT_CARRIER_SECRETS_PREFIX  # named in the alert of a source with no backup
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
                self.metric(name, TRACKING_ANSWERS, window.answers, "Count")
                self.metric(name, TRACKING_SILENT, window.silent, "Count")
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
            is_demotion = change is HealthChange.DEMOTE
            changed = self.repository.set_demoted(name, now if is_demotion else None)
            if is_demotion:
                demoted[name] = now
            else:
                demoted.pop(name, None)
            if not changed:
                continue  # another worker changed it first, and alerted
            changes[name] = change
            self.metric(
                name, "TrackingSourceDemoted" if is_demotion else "TrackingSourcePromoted", 1, "Count"
            )
            try:
                self.alerts.send(self._alert(name, is_demotion, window, now, demoted), now=now)
            except Exception:  # nobody was told: undo, so the next review changes it and tells
                self.repository.set_demoted(name, None if is_demotion else now)
                raise
        return changes

    def _alert(
        self,
        name: str,
        is_demotion: bool,
        window: HealthWindow,
        now: datetime,
        demoted: Mapping[str, datetime],
    ) -> Alert:
        display = SOURCES[name].display
        backups = self._backups(name, demoted)
        if not is_demotion:
            return promoted_alert(display, window, bool(self._backups(name, {})), now)
        if backups:
            return demoted_alert(display, window, [SOURCES[b].display for b in backups], now)
        chains = [chain for chain in self.chains.values() if name in chain]
        if all(chain[-1] == name for chain in chains):
            why = "the last source of every chain it is in (the only one for carriers without their own API)"
        else:
            why = "followed only by sources that are failing too"
        return no_backup_alert(display, window, why, f"{self.secrets_prefix}{name}", now)

    def _backups(self, name: str, demoted: Mapping[str, datetime]) -> list[str]:
        """The healthy sources asked after `name` in its chains: its parcels go to them first."""
        found: list[str] = []
        for chain in self.chains.values():
            if name in chain:
                found += [s for s in chain[chain.index(name) + 1 :] if s not in demoted and s not in found]
        return found


def _sum(a: HealthWindow, b: HealthWindow) -> HealthWindow:
    return HealthWindow(*(getattr(a, f.name) + getattr(b, f.name) for f in fields(HealthWindow)))
