"""Daily reconciliation: re-read the previous day from the channel; anything that was missing or
older in the store is stored now, and a person is told ("N orders were missing and have been
recovered"), so a silent gap never lasts more than a day. A shop busy with another pull defers the
reconciliation (the puller enqueues it again, delayed until the lease ends): it is never dropped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from crossdock.shops.usecases import alerts as shop_alerts

if TYPE_CHECKING:
    from crossdock.orders.usecases.pull import OrderPuller, PullReport
    from crossdock.orders.usecases.tasks import ShopTask


@dataclass
class Reconciler:
    puller: OrderPuller

    def reconcile(self, task: ShopTask) -> PullReport:
        assert task.kind == "reconcile" and task.since is not None
        report = self.puller.pull(task)
        if report.recovered and report.outcome in ("done", "continued"):
            shop = self.puller.shops.get(task.shop_id)
            now = self.puller.clock()
            self.puller.alerts.send(
                shop_alerts.orders_recovered(shop, task.since.date().isoformat(), report.recovered, now),
                now=now,
            )
        if report.outcome == "done":
            shop = self.puller.shops.get(task.shop_id)
            shop.update(actions=[type(shop).last_reconciled_day.set(task.since.date().isoformat())])
        return report
