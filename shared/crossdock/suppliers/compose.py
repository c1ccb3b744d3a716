"""Composition root of supplier freshness: planner, checker and daily suggestions wired to
DynamoDB, SQS, SNS and the supplier platforms. Each builder imports what it builds: the planner
never loads the platform adapter, the worker builds it per task."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from crossdock.core.alerts.sender import alert_sender
from crossdock.core.dynamo import bind
from crossdock.core.times import now_utc

if TYPE_CHECKING:
    from crossdock.core.config import Settings
    from crossdock.suppliers.rules.replenishment import StockPosition
    from crossdock.suppliers.usecases.check import SupplierChecker, SupplierOpener
    from crossdock.suppliers.usecases.plan import SupplierPlanner
    from crossdock.suppliers.usecases.suggest import Replenisher

    pass


def supplier_planner(settings: Settings, *, clock: Callable[[], datetime] = now_utc) -> SupplierPlanner:
    from crossdock.core.queues import TaskQueue
    from crossdock.suppliers.storage.sourcing import SourcingRepository
    from crossdock.suppliers.usecases.plan import SupplierPlanner

    bind(settings)
    return SupplierPlanner(SourcingRepository(), TaskQueue(settings.supplier_tasks_queue_url), clock)


def supplier_checker(
    settings: Settings, *, clock: Callable[[], datetime] = now_utc, suppliers: SupplierOpener | None = None
) -> SupplierChecker:
    from crossdock.suppliers.storage.sourcing import SourcingRepository, SupplierStates
    from crossdock.suppliers.usecases.check import SupplierChecker
    from crossdock.suppliers.usecases.sources import SupplierSources

    bind(settings)
    return SupplierChecker(
        catalog=SourcingRepository(),
        states=SupplierStates(),
        suppliers=suppliers or SupplierSources(settings),
        alerts=alert_sender(settings),
        clock=clock,
        stuck_after=settings.stuck_cache_after,
        decision_ttl=settings.decision_ttl,
    )


def replenisher(
    settings: Settings, *, clock: Callable[[], datetime] = now_utc, suppliers: SupplierOpener | None = None
) -> Replenisher:
    # The daily run alone reads the stock and orders tables (its declared readers): loaded here,
    # so the planner and the worker never load the other jobs' models.
    from crossdock.stock.storage.stock import StockRepository
    from crossdock.suppliers.storage.velocity import stock_positions, units_sold_last_7_days
    from crossdock.suppliers.usecases.suggest import Replenisher

    checker = supplier_checker(settings, clock=clock, suppliers=suppliers)
    stock = StockRepository(settings)

    def positions(skus: Iterable[str]) -> dict[str, StockPosition]:
        return stock_positions(skus, stock)

    return Replenisher(
        catalog=checker.catalog,
        checker=checker,
        sold=lambda now: units_sold_last_7_days(now),
        positions=positions,
        reports=alert_sender(settings),
        clock=clock,
    )
