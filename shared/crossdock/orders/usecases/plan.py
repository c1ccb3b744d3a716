"""The planners: one SQS task per shop (a thousand shops scale by worker concurrency, not by a
loop in one invocation)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from crossdock.orders.usecases.tasks import ShopTask
from crossdock.shops.rules.breaker import due

if TYPE_CHECKING:
    from crossdock.core.config import Settings
    from crossdock.core.ports import TaskSink


@dataclass
class PlanReport:
    enqueued: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


@dataclass
class Planner:
    settings: Settings
    shops: Callable[[], Iterable[Any]]
    tasks: TaskSink
    clock: Callable[[], datetime]

    def plan_pulls(self) -> PlanReport:
        now = self.clock()
        report = PlanReport()
        batch: list[dict[str, Any]] = []
        for shop in self.shops():
            task = self._pull_task(shop, now, report)
            if task:
                batch.append(task.body())
        report.enqueued = self.tasks.enqueue(batch) if batch else 0
        return report

    def _pull_task(self, shop: Any, now: datetime, report: PlanReport) -> ShopTask | None:
        if not shop.enabled:
            report.skip("disabled")
            return None
        if shop.auth_blocked_at:
            if shop.last_pull_at and now - shop.last_pull_at < self.settings.auth_probe_interval:
                report.skip("auth_blocked")
                return None
            return ShopTask(shop_id=shop.shop_id, reason="probe")
        is_open = shop.breaker_open_since is not None
        if not due(
            is_open=is_open,
            last_pull_at=shop.last_pull_at,
            now=now,
            degraded_interval=self.settings.degraded_interval,
        ):
            report.skip("degraded_waiting")
            return None
        return ShopTask(shop_id=shop.shop_id, reason="degraded" if is_open else "schedule")

    def plan_reconciliations(self, day: datetime | None = None) -> PlanReport:
        """One reconcile task per enabled shop for the previous UTC day (or `day`)."""
        now = self.clock()
        start = datetime.combine((day or now - timedelta(days=1)).date(), time(), tzinfo=now.tzinfo)
        report = PlanReport()
        tasks = [
            ShopTask(
                kind="reconcile",
                shop_id=s.shop_id,
                reason="reconcile",
                since=start,
                until=start + timedelta(days=1),
            ).body()
            for s in self.shops()
            if s.enabled and not s.auth_blocked_at
        ]
        report.enqueued = self.tasks.enqueue(tasks) if tasks else 0
        return report
