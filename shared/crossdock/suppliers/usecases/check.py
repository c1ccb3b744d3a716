"""Choose a fresh supplier for each product: every supplier read goes through the freshness gate.

Per product, suppliers in priority order: read the offer; if its update time is missing,
unparseable, stale or in the future, read it once more (a cache may refresh), then move on to the
next supplier. The first fresh supplier with enough stock for the reorder quantity is chosen.
Every decision is kept with each rejected candidate and its reason; a product with no fresh supplier
is marked "do not reorder — no fresh supplier data" and alerted (one digest per batch, once per
blocked spell); a supplier stale for 6 hours in a row is flagged as a stuck cache.

A platform refusing reads because its app's call quota is used up (1688 `gw.NoUsageLeftError`) is
one incident with one alert of its own (what ran out, when it resets, what to do), sent by the check
that found it first; it ends with the first read that goes through. Products blocked by it are
still marked and named in the blocked digest, which says the quota is the cause and does not ask
for alternates (read through the same quota, they cannot help); if such a product stays blocked for
another reason once the quota is back, that is reported again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from crossdock.core.errors import AuthError, ChannelError
from crossdock.suppliers.rules.freshness import Rejection
from crossdock.suppliers.rules.offers import OfferRef, SupplierOffer
from crossdock.suppliers.rules.sourcing import (
    QUOTA,
    UNAVAILABLE,
    Decision,
    Rejected,
    SourcingEntry,
    SupplierLink,
    judge_offer,
)
from crossdock.suppliers.storage.sourcing import (
    QUOTA_MARK,
    SourcingRepository,
    StaleRun,
    SupplierStates,
    to_entry,
)
from crossdock.suppliers.usecases.alerts import (
    auth_alert,
    blocked_digest,
    quota_alert,
    quota_caused,
    stuck_digest,
)

if TYPE_CHECKING:
    from crossdock.core.ports import AlertSink
    from crossdock.suppliers.ports import SupplierSource
    from crossdock.suppliers.storage.tables import SourcingModel

FRESHNESS_REASONS = frozenset(str(r) for r in Rejection)


class SupplierOpener(Protocol):
    def open(self, platform: str) -> SupplierSource: ...


@dataclass
class CheckReport:
    checked: int = 0
    chosen: dict[str, str] = field(default_factory=dict)  # sku → supplier chosen
    blocked: list[str] = field(default_factory=list)
    reads: int = 0
    rejected: dict[str, int] = field(default_factory=dict)  # reason → count
    stuck: list[str] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    quota_exhausted: list[str] = field(default_factory=list)  # platforms whose quota ran out (newly)


@dataclass
class SupplierChecker:
    catalog: SourcingRepository
    states: SupplierStates
    suppliers: SupplierOpener
    alerts: AlertSink
    clock: Callable[[], datetime]
    stuck_after: timedelta = timedelta(hours=6)
    decision_ttl: timedelta = timedelta(days=90)
    _quota: dict[str, ChannelError] = field(default_factory=dict, init=False)  # this check's refusals
    _read: set[str] = field(default_factory=set, init=False)  # platforms a read went through on

    def check(self, skus: Sequence[str], *, need: dict[str, int] | None = None) -> CheckReport:
        """`need`: units a purchase must buy per SKU (default: each product's reorder quantity)."""
        report = CheckReport()
        self._quota, self._read = {}, set()
        newly_blocked: list[SourcingModel] = []
        stuck_runs: list[StaleRun] = []
        found = {item.sku: item for item in self.catalog.items(skus)}
        for item in (found[sku] for sku in dict.fromkeys(skus) if sku in found):
            entry = to_entry(item)
            wanted = (need or {}).get(item.sku, int(item.reorder_qty))
            decision, runs = self._decide(entry, wanted, report)
            stuck_runs += [r for r in runs if r.newly_stuck]
            stored = self.catalog.record(decision, ttl=self.decision_ttl)
            report.checked += 1
            report.decisions.append(decision)
            if decision.chosen is not None:
                report.chosen[item.sku] = decision.chosen.ref.supplier_id
            else:
                report.blocked.append(item.sku)
                reported = stored.blocked_reported
                if reported is None or (reported.endswith(QUOTA_MARK) and not quota_caused(decision)):
                    newly_blocked.append(stored)
        now = self.clock()
        self._quota_incidents(now, report)
        if newly_blocked:
            decisions = {d.sku: d for d in report.decisions}
            blocked = [decisions[i.sku] for i in newly_blocked]
            self.alerts.send(blocked_digest(blocked, now), now=now)
            quota = {d.sku for d in blocked if quota_caused(d)}
            self.catalog.mark_block_reported(newly_blocked, quota=quota)
        if stuck_runs:
            self.alerts.send(stuck_digest(stuck_runs, now), now=now)
        report.stuck = [r.supplier_key for r in stuck_runs]
        return report

    def _quota_incidents(self, now: datetime, report: CheckReport) -> None:
        """One alert when a platform's quota runs out (whichever check finds it first); the incident
        ends with a read that goes through."""
        for platform, error in self._quota.items():
            if self.states.quota_out(platform, now):
                resets = getattr(error, "resets_at", None)
                alert = quota_alert(
                    platform,
                    str(getattr(error, "app_key", "") or ""),
                    str(getattr(error, "api", "") or "the offer API"),
                    error,
                    resets(now) if callable(resets) else None,
                    now,
                )
                try:
                    self.alerts.send(alert, now=now)
                except Exception:
                    self.states.quota_back(platform)  # nobody was told: the next check tells
                    raise
                report.quota_exhausted.append(platform)
        for platform in self._read - set(self._quota):
            self.states.quota_back(platform)

    def _decide(
        self, entry: SourcingEntry, need: int, report: CheckReport
    ) -> tuple[Decision, list[StaleRun]]:
        rejected: list[Rejected] = []
        runs: list[StaleRun] = []
        for link in entry.ordered():
            offer, verdict, first = self._read_judged(link, need, entry.limit, report)
            rejected += first  # a rejected first read is part of the record, whatever the re-read said
            if offer is not None and verdict is None:
                self._note(link, None, runs)
                decision = Decision.of(
                    entry.sku,
                    now=self.clock(),
                    need=need,
                    chosen=offer,
                    rejected=rejected,
                    platform=link.platform,
                )
                return decision, runs
            assert verdict is not None
            rejected.append(verdict)
            report.rejected[verdict.reason] = report.rejected.get(verdict.reason, 0) + 1
            self._note(link, verdict, runs)
        return Decision.of(entry.sku, now=self.clock(), need=need, chosen=None, rejected=rejected), runs

    def _read_judged(
        self, link: SupplierLink, need: int, limit: timedelta, report: CheckReport
    ) -> tuple[SupplierOffer | None, Rejected | None, list[Rejected]]:
        """The offer, its rejection if any, and the first read's rejection when it earned a re-read
        (a freshness rejection does: a cache may refresh)."""
        offer: SupplierOffer | None = None
        verdict: Rejected | None = None
        first: list[Rejected] = []
        for attempt in range(2):
            try:
                source = self.suppliers.open(link.platform)
            except (ValueError, GetParameterError) as exc:  # no secret, or one lacking fields
                now = self.clock()
                self.alerts.send(auth_alert(link.platform, exc, now), now=now)
                return None, Rejected(link.supplier_id, link.product_id, "auth", str(exc)), first
            try:
                report.reads += 1
                offer = source.read(OfferRef(link.supplier_id, link.product_id, link.sku_id))
                self._read.add(link.platform)
            except AuthError as exc:
                now = self.clock()
                self.alerts.send(auth_alert(link.platform, exc, now), now=now)
                return None, Rejected(link.supplier_id, link.product_id, "auth", str(exc)), first
            except ChannelError as exc:
                reason = QUOTA if getattr(exc, "kind", "") == QUOTA else UNAVAILABLE
                if reason == QUOTA:
                    self._quota.setdefault(link.platform, exc)
                return None, Rejected(link.supplier_id, link.product_id, reason, str(exc)), first
            verdict = judge_offer(offer, need=need, now=self.clock(), limit=limit)
            if verdict is None or verdict.reason not in FRESHNESS_REASONS or attempt == 1:
                break
            first.append(verdict)
        return offer, verdict, first

    def _note(self, link: SupplierLink, verdict: Rejected | None, runs: list[StaleRun]) -> None:
        """Track each supplier offer's run of stale answers (other rejections leave it as it was)."""
        stale = verdict is not None and verdict.reason in FRESHNESS_REASONS
        if verdict is not None and not stale:
            return
        key = f"{link.platform}#{link.supplier_id}#{link.product_id}"
        run = self.states.note(
            key,
            stale=stale,
            reason=verdict.reason if verdict else "fresh",
            now=self.clock(),
            stuck_after=self.stuck_after,
        )
        if run is not None:
            runs.append(run)
