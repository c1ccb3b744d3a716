"""Plan supplier checks: every product of the catalog, in SQS tasks of `PRODUCTS_PER_TASK`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from crossdock.core.times import iso_z

if TYPE_CHECKING:
    from crossdock.core.ports import TaskSink
    from crossdock.suppliers.storage.sourcing import SourcingRepository

from crossdock.suppliers.tasks import TASK_KIND

PRODUCTS_PER_TASK = 25  # up to 100 reads (4 suppliers, a re-read each) at 10/s: well inside a worker's 300 s


@dataclass
class SupplierPlanReport:
    products: int = 0
    tasks: int = 0


@dataclass
class SupplierPlanner:
    catalog: SourcingRepository
    tasks: TaskSink
    clock: Callable[[], datetime]

    def plan(self) -> SupplierPlanReport:
        skus = self.catalog.all_skus()
        now = iso_z(self.clock())
        tasks = [
            {"kind": TASK_KIND, "skus": skus[i : i + PRODUCTS_PER_TASK], "planned_at": now}
            for i in range(0, len(skus), PRODUCTS_PER_TASK)
        ]
        self.tasks.enqueue(tasks)
        return SupplierPlanReport(products=len(skus), tasks=len(tasks))
