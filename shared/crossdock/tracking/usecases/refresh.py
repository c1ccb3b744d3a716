"""Refresh a batch of parcels: each number down its carrier's source chain until one source answers.

For every parcel: the first source of its (health-ordered) chain is asked; a silent answer is
retried, then the next source is asked for that number only. A parcel no source could answer is
"followed up by staff" (its customer-facing line says so) and re-checked every 30 minutes.

One outage, one digest: a worker sends no follow-up or escalation alert itself. The planner splits
an outage's parcels into many tasks (per carrier, per batch size), so per-task digests would make
one incident many e-mails. Instead each parcel records its state: `follow_up_since` (the incident
window: since when every source fails, with the reasons in `last_failure`), then the tracking
planner (every 15 minutes, over every parcel in the state, whichever task set it) sends ONE
follow-up digest naming every parcel newly in follow-up, and 2 hours after it ONE escalation digest
for those still failing (incidents.py). A retried task finds the window already open and changes
nothing; a good answer closes it, so the next outage opens a new window and alerts again.
A stall is only noticed from an answer: a parcel no source answers is followed up, not "stalled".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from crossdock.carriers.registry import SOURCES
from crossdock.tracking.rules.chains import chain_for
from crossdock.tracking.rules.parcel import Judgement, Parcel, Verdict
from crossdock.tracking.rules.policy import TrackingPolicy, status_line
from crossdock.tracking.rules.source_chain import effective_chain
from crossdock.tracking.usecases.alerts import auth_alert
from crossdock.tracking.usecases.settle import settle

if TYPE_CHECKING:
    from crossdock.core.ports import AlertSink
    from crossdock.tracking.storage.shipments import ShipmentRepository
    from crossdock.tracking.usecases.ask import Asked, Asker
    from crossdock.tracking.usecases.health import SourceHealth

Metric = Callable[[str, str, float, str], None]  # (source, name, value, unit)
CHUNK_NUMBERS = 10  # per chunk at least; rounded up to whole batches of the first source (40 for 17TRACK)
SAVE_THREADS = 4


@dataclass
class RefreshReport:
    parcels: int = 0
    news: int = 0
    no_news: int = 0
    not_yet: int = 0
    followed_up: list[str] = field(default_factory=list)  # every source failed (newly): a window opened
    still_failing: int = 0
    answered_by: Counter[str] = field(default_factory=Counter)
    failovers: int = 0  # answered by a source after the first one tried
    expired: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "parcels": self.parcels,
            "news": self.news,
            "no_news": self.no_news,
            "not_yet": self.not_yet,
            "followed_up": len(self.followed_up),
            "still_failing": self.still_failing,
            "answered_by": dict(self.answered_by),
            "failovers": self.failovers,
            "expired": self.expired,
        }


@dataclass
class TrackingRefresher:
    shipments: ShipmentRepository
    asker: Asker
    health: SourceHealth
    alerts: AlertSink
    policy: TrackingPolicy
    chains: Mapping[str, tuple[str, ...]]
    clock: Callable[[], datetime]

    def refresh(self, keys: Sequence[str]) -> RefreshReport:
        """Refresh in chunks of whole source batches: a chunk's answered parcels are saved in the
        background while the next chunk is asked (the worker spends most of its time waiting on
        the sources' rate limits, so the writes cost no wall time). Parcels no source answered are
        saved last, with why each source failed (what the planner's digest quotes)."""
        report = RefreshReport()
        parcels = {k: p for k, p in self.shipments.get_many(keys).items() if not p.final}
        report.parcels = len(parcels)
        held: list[tuple[Parcel, str, str | None]] = []
        failures: dict[str, list[str]] = defaultdict(list)
        try:
            with ThreadPoolExecutor(max_workers=SAVE_THREADS) as saver:
                saves = []
                for number, chunk in enumerate(_chunks(parcels, self.chains)):
                    found = self._ask_chunk(chunk, failures, report, probe=number == 0)
                    now = self.clock()
                    for key, parcel in chunk.items():
                        parcel, fresh = self._settle(parcel, found.get(key), now, report)
                        report.followed_up += [key] if fresh else []
                        line = status_line(parcel, now)
                        if key in found:
                            saves.append(
                                saver.submit(self.shipments.save, parcel, status_line=line, checked_at=now)
                            )
                        else:
                            held.append((parcel, line, "; ".join(failures[key])))
                self.shipments.save_all(held, checked_at=self.clock())
                for done in saves:
                    done.result()  # a conflicting save fails the task: SQS retries it
        finally:
            self.health.review(self.clock())  # the sources answered, whatever became of the saves
        return report

    def _ask_chunk(
        self, chunk: dict[str, Parcel], failures: dict[str, list[str]], report: RefreshReport, *, probe: bool
    ) -> dict[str, tuple[Judgement, str]]:
        """Walk each parcel of the chunk down its chain; the answering source per parcel."""
        plans = self._plans(chunk, probe=probe)
        # A failover is an answer from any source but the carrier's primary, demoted or not.
        first = {k: chain_for(p.carrier, self.chains)[0] for k, p in chunk.items()}
        found: dict[str, tuple[Judgement, str]] = {}
        while groups := _next_sources(plans):
            for name, group in groups.items():
                asked = self.asker.ask(name, [chunk[k] for k in group])
                self.health.record(name, asked)
                if asked.auth_error is not None:
                    now = self.clock()
                    self.alerts.send(auth_alert(SOURCES[name].display, asked.auth_error, now), now=now)
                for key in group:
                    self._take(key, name, asked, chunk, plans, found, failures)
        report.failovers += sum(1 for k, (_, source) in found.items() if source != first.get(k))
        return found

    def _settle(
        self, parcel: Parcel, found: tuple[Judgement, str] | None, now: datetime, report: RefreshReport
    ) -> tuple[Parcel, bool]:
        """The parcel after this refresh (`settle`, which a push shares), and whether its
        follow-up window opened now."""
        settled = settle(parcel, found, now, self.policy)
        if found is not None:
            _count(found[0], found[1], report)
        elif not settled.opened_follow_up:
            report.still_failing += 1
        report.expired += settled.parcel.status == "expired"
        return settled.parcel, settled.opened_follow_up

    def _plans(self, parcels: Mapping[str, Parcel], *, probe: bool) -> dict[str, list[str]]:
        demoted = self.health.demoted()
        plans = {
            k: list(effective_chain(chain_for(p.carrier, self.chains), demoted)) for k, p in parcels.items()
        }
        for name in demoted if probe else ():  # one probe per task keeps a demoted source measured
            prober = next((k for k, chain in plans.items() if name in chain), None)
            if prober is not None:
                plans[prober] = [name, *[s for s in plans[prober] if s != name]]
        return plans

    @staticmethod
    def _take(
        key: str,
        name: str,
        asked: Asked,
        parcels: dict[str, Parcel],
        plans: dict[str, list[str]],
        found: dict[str, tuple[Judgement, str]],
        failures: dict[str, list[str]],
    ) -> None:
        if key in asked.registered:
            parcel = parcels[key]
            parcels[key] = replace(parcel, registered_with=parcel.registered_with | {asked.registered[key]})
        judgement = asked.judged.get(key)
        plans[key].pop(0)
        if judgement is None:
            failures[key].append(f"{name}: authentication failed")
        elif judgement.failed:
            failures[key].append(f"{name}: {judgement.reason}")
        elif judgement.verdict is Verdict.NOT_YET and plans[key]:
            # "Not scanned yet" is provisional while the chain goes on: another source may have the
            # first scans (the carrier's own API can lag its aggregator, or be the one failing).
            found.setdefault(key, (judgement, name))
        else:
            found[key] = (judgement, name)
            plans[key].clear()


def _count(judgement: Judgement, source: str, report: RefreshReport) -> None:
    if judgement.verdict is Verdict.NOT_YET:
        report.not_yet += 1
        return
    report.answered_by[source] += 1
    if judgement.verdict is Verdict.NEWS:
        report.news += 1
    else:
        report.no_news += 1


def _chunks(parcels: Mapping[str, Parcel], chains: Mapping[str, tuple[str, ...]]) -> list[dict[str, Parcel]]:
    """Whole batches of each parcel's first source, at least CHUNK_NUMBERS numbers a chunk."""
    by_first: dict[str, list[str]] = defaultdict(list)
    for key, parcel in parcels.items():
        by_first[chain_for(parcel.carrier, chains)[0]].append(key)
    chunks = []
    for name, keys in by_first.items():
        batch = SOURCES[name].max_batch
        size = batch * max(1, -(-CHUNK_NUMBERS // batch))
        chunks += [{k: parcels[k] for k in keys[i : i + size]} for i in range(0, len(keys), size)]
    return chunks


def _next_sources(plans: Mapping[str, list[str]]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for key, chain in plans.items():
        if chain:
            groups[chain[0]].append(key)
    return dict(groups)
