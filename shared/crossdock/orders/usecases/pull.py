"""Pull one shop's changed orders: windows → every page → idempotent store → events → checkpoint.

Guarantees (the issue's list): the checkpoint moves to a window's end only after every page of
that window is stored and its events are on the queue; a crash anywhere re-reads the window on the
next run; before the Lambda runs out of time the worker stops between pages and enqueues its own
continuation; auth failures stop the shop and alert once; channel faults feed the breaker.

No failure hides: an unexpected error (a bug, a secret missing a field) marks the shop failing with
a sanitized reason, counts towards the "failing" alert like channel faults, and is raised again so
the queue redelivers the task (and, repeated, dead-letters it). A task that finds the shop busy is
deferred — enqueued again, delayed until the other worker's lease ends — unless it is a plain
planned pull (schedule, degraded, probe): the planner plans one again within 5 minutes and the
running pull reads from the same checkpoint, so dropping it loses nothing. Manual backfills,
continuations and reconciliations are never dropped.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from crossdock.core.errors import AuthError, CallDeferred, ChannelError, RequestRejectedError
from crossdock.core.failures import safe_reason
from crossdock.core.http import CallStats, ChannelHttp
from crossdock.core.observability import logger
from crossdock.orders.rules.windows import Window, plan_windows
from crossdock.orders.storage.orders import OrderRepository, Outcome
from crossdock.orders.usecases.announce import OrderAnnouncer
from crossdock.orders.usecases.tasks import ShopTask
from crossdock.shops.usecases import alerts as shop_alerts

if TYPE_CHECKING:
    from crossdock.core.config import Settings
    from crossdock.core.ports import AlertSink, EventSink, TaskSink
    from crossdock.orders.ports import SourceOpener
    from crossdock.shops.storage.shops import ShopRepository
    from crossdock.shops.usecases.health import ShopHealth

# Planned pulls read from the checkpoint and are planned again within minutes: a busy shop drops them.
REPLANNED = ("schedule", "degraded", "probe")
DEFER_MIN_S = 30  # a lease that just ended (or vanished) is retried after this
DEFER_MAX_S = 900  # SQS DelaySeconds maximum
FAILING_ALERT_AFTER = timedelta(minutes=30)


@dataclass
class PullReport:
    shop_id: str
    kind: str = "pull"
    channel: str = ""
    outcome: str = "done"  # done | continued | deferred | busy | auth_blocked | failed | disabled
    windows: int = 0
    pages: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    events: int = 0
    checkpoint: datetime | None = None
    error: str | None = None
    window_cap_s: float | None = None  # set when a window was too long for one run
    lag_seconds: float | None = None  # now − checkpoint after the run
    recovered: list[str] = field(default_factory=list)  # reconciliation: orders that were missing or older
    stats: CallStats = field(default_factory=CallStats)
    bucket_state: dict[str, float] = field(default_factory=dict)  # pacing state to carry to the next run

    def figures(self) -> dict[str, Any]:
        data = {
            f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("stats", "bucket_state")
        }
        data["stats"] = {
            "calls": dict(self.stats.calls),
            "faults": dict(self.stats.faults),
            "retries": self.stats.retries,
        }
        data["checkpoint"] = self.checkpoint.isoformat() if self.checkpoint else None
        return data


@dataclass
class OrderPuller:
    settings: Settings
    shops: ShopRepository
    orders: OrderRepository
    events: EventSink
    tasks: TaskSink
    alerts: AlertSink
    sources: SourceOpener
    health: ShopHealth
    clock: Callable[[], datetime]
    remaining: Callable[[], timedelta] = lambda: timedelta(hours=1)
    owner: str = "local"
    # The IANA zone a shop's buyers read times in, carried by its events (`shop_time_zone`); the
    # composition derives it from the shop's channel and options. None: events go without it.
    shop_zone: Callable[[Any], str | None] = lambda shop: None

    def pull(self, task: ShopTask) -> PullReport:
        report = PullReport(task.shop_id, kind=task.kind)
        now = self.clock()
        shop = self.shops.try_lease(task.shop_id, self.owner, now, self.remaining() + timedelta(minutes=1))
        if shop is None:  # another worker is pulling this shop right now
            return self._busy(task, report, now)
        report.channel = shop.channel
        fields: dict[str, Any] = {"last_pull_at": now}
        try:
            if not shop.enabled:
                report.outcome = "disabled"
                return report
            if shop.auth_blocked_at and task.reason not in ("manual", "probe"):
                report.outcome = "auth_blocked"
                return report
            self._run(shop, task, report, refresh=False)
            fields.update(
                last_success_at=self.clock(),
                last_error=None,
                failing_since=None,
                auth_blocked_at=None,
                auth_error=None,
            )
        except AuthError as exc:
            report.outcome, report.error = "auth_blocked", str(exc)
            fields.update(
                auth_blocked_at=shop.auth_blocked_at or now,
                auth_error=str(exc)[:500],
                last_error=str(exc)[:500],
                last_error_at=now,
            )
            self.alerts.send(shop_alerts.auth_failed(shop, exc, now), now=now)
        except ChannelError as exc:
            report.outcome, report.error = "failed", str(exc)
            failing_since = shop.failing_since or now
            fields.update(last_error=str(exc)[:500], last_error_at=now, failing_since=failing_since)
            if isinstance(exc, RequestRejectedError):
                self.alerts.send(shop_alerts.rejected(shop, exc, now), now=now)
            elif now - failing_since >= FAILING_ALERT_AFTER:
                self.alerts.send(shop_alerts.failing(shop, str(exc), failing_since, now), now=now)
        except Exception as exc:
            # Not a channel fault: a bug, a secret without a field, storage or queue down. The shop
            # shows it (sanitized), it counts towards the failing alert, and the queue retries it.
            reason = safe_reason(exc, keep=(shop.shop_id, shop.secret_name))
            report.outcome, report.error = "failed", reason
            failing_since = shop.failing_since or now
            fields.update(last_error=reason, last_error_at=now, failing_since=failing_since)
            if now - failing_since >= FAILING_ALERT_AFTER:
                alert = shop_alerts.failing(shop, reason, failing_since, now, unexpected=True)
                self.alerts.send(alert, now=now)
            raise
        finally:
            if report.bucket_state:
                fields["bucket_state"] = report.bucket_state
            if report.window_cap_s:
                fields["window_cap_s"] = report.window_cap_s
            elif report.outcome == "done" and shop.window_cap_s:
                fields["window_cap_s"] = shop.window_cap_s * 2 if shop.window_cap_s < 86400 * 30 else None
            fields.update(self.health.after_run(shop, report, now))
            fields["last_run"] = report.figures()
            fields["totals"] = _add_totals(shop.totals or {}, report)
            self.shops.release(shop, self.owner, **fields)
        return report

    def _busy(self, task: ShopTask, report: PullReport, now: datetime) -> PullReport:
        """Drop a planned pull (planned again soon); defer anything else until the lease ends."""
        if task.reason in REPLANNED and task.since is None:
            report.outcome = "busy"
            logger.info("shop busy: planned pull dropped, the planner plans the next", extra=task.body())
            return report
        lease_until = self.shops.get(task.shop_id).lease_until
        wait_s = (lease_until - now).total_seconds() if lease_until else 0.0
        delay_s = min(DEFER_MAX_S, max(DEFER_MIN_S, math.ceil(wait_s)))
        self.tasks.enqueue([task.body()], delay_s=delay_s)
        report.outcome = "deferred"
        logger.info("shop busy: task deferred", extra={**task.body(), "delay_s": delay_s})
        return report

    def _run(self, shop: Any, task: ShopTask, report: PullReport, *, refresh: bool) -> ChannelHttp:
        budget = lambda: (self.remaining() - self.settings.stop_margin).total_seconds()  # noqa: E731
        source, http = self.sources.open(shop, refresh_credentials=refresh, budget=budget)
        report.stats = http.stats
        try:
            self._read(shop, task, source, report)
        except AuthError:
            if refresh:
                raise
            # Credentials may have been rotated since they were cached: one fresh read, then give up.
            first = http.stats
            http = self._run(shop, task, report, refresh=True)
            http.stats.merge(first)
            report.stats = http.stats
        finally:
            # Pacing state survives the run whatever its outcome (the innermost attempt's is newest).
            report.bucket_state = report.bucket_state or http.bucket_state()
        return http

    def _windows(self, shop: Any, task: ShopTask) -> list[Window]:
        limits = self.sources.limits(shop)
        if shop.window_cap_s:
            limits = replace(limits, max_window=min(limits.max_window, timedelta(seconds=shop.window_cap_s)))
        now = self.clock()
        if task.since is not None:  # explicit range: manual backfill or reconciliation
            until = min(task.until or now, now - limits.settle_lag)
            return plan_windows(
                checkpoint=task.since,
                now=until + limits.settle_lag,
                limits=limits,
                overlap=timedelta(0),
                backfill=timedelta(0),
            )
        return plan_windows(
            checkpoint=shop.checkpoint,
            now=now,
            limits=limits,
            overlap=self.settings.overlap,
            backfill=self.settings.backfill,
        )

    def _read(self, shop: Any, task: ShopTask, source: Any, report: PullReport) -> None:
        explicit = task.since is not None
        checkpoint = shop.checkpoint
        zone = self.shop_zone(shop)
        for window in self._windows(shop, task):
            if self.remaining() < self.settings.stop_margin:
                self._continue(shop, task, window, report)
                return
            try:
                for page in source.pages(window):
                    report.pages += 1
                    missing_before = checkpoint if task.kind == "reconcile" else None
                    self._store(page, report, zone=zone, missing_before=missing_before)
                    if self.remaining() < self.settings.stop_margin:
                        # This window is too long to read in one run: read smaller ones from now on.
                        report.window_cap_s = max(60.0, window.span.total_seconds() / 2)
                        self._continue(shop, task, window, report)
                        return
            except CallDeferred as deferred:
                self._continue(shop, task, window, report, delay_s=deferred.wait_s)
                return
            report.windows += 1
            if not explicit:
                self.shops.advance_checkpoint(shop, checkpoint, window.end)
                checkpoint = window.end
        report.checkpoint = checkpoint
        if checkpoint is not None:
            report.lag_seconds = (self.clock() - checkpoint).total_seconds()

    def _store(
        self, page: list[Any], report: PullReport, *, zone: str | None, missing_before: datetime | None
    ) -> None:
        """Store a page and publish its events, each with the shop's `zone`; with `missing_before`
        (reconciliation), note the orders that should have been stored by then (modified before the
        checkpoint) and were not: changes after the checkpoint are simply not pulled yet."""
        announced = OrderAnnouncer(self.orders, self.events, self.clock).store(page, zone=zone)
        for s in announced.stored:
            if s.outcome is Outcome.NEW:
                report.new += 1
            elif s.outcome is Outcome.UPDATED:
                report.updated += 1
            else:
                report.unchanged += 1
            fresh = s.outcome in (Outcome.NEW, Outcome.UPDATED)
            if missing_before is not None and fresh and s.modified_at <= missing_before:
                report.recovered.append(s.order_id)
        report.events += announced.events

    def _continue(
        self, shop: Any, task: ShopTask, window: Window, report: PullReport, *, delay_s: float = 0
    ) -> None:
        follow = ShopTask(kind="pull", shop_id=shop.shop_id, reason="continuation")
        if task.since is not None:
            follow = ShopTask(
                kind=task.kind,
                shop_id=shop.shop_id,
                reason="continuation",
                since=window.start,
                until=task.until,
            )
        self.tasks.enqueue([follow.body()], delay_s=int(delay_s))
        report.outcome = "continued"
        logger.info(
            "time budget nearly spent: continuation enqueued",
            extra={"shop_id": shop.shop_id, "resume_from": window.start.isoformat()},
        )


def _add_totals(totals: dict[str, Any], report: PullReport) -> dict[str, Any]:
    merged = dict(totals)
    for key in ("new", "updated", "unchanged", "events", "pages"):
        merged[key] = int(merged.get(key, 0)) + getattr(report, key)
    merged["calls"] = int(merged.get("calls", 0)) + report.stats.total_calls
    merged["retries"] = int(merged.get("retries", 0)) + report.stats.retries
    faults = dict(merged.get("faults", {}))
    for kind, n in report.stats.faults.items():
        faults[kind] = int(faults.get(kind, 0)) + n
    merged["faults"] = faults
    return merged
