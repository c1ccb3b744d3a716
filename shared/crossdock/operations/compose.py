"""Composition root of the operations room: the snapshot over every job's stores, SQS depths and
the alert log; the daily digest publishing through the reports topic. It reads, it never acts:
no channel, carrier or platform is opened here."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from crossdock.core.dynamo import bind
from crossdock.core.times import now_utc

if TYPE_CHECKING:
    from crossdock.core.config import Settings
    from crossdock.operations.usecases.digest import DailyDigest
    from crossdock.operations.usecases.snapshot import OperationsSnapshot
    from crossdock.operations.views import (
        AlertLine,
        BlockedProduct,
        QueueDepth,
        ShopLine,
        StockAgreement,
        TrackingIncidents,
    )


@dataclass
class JobStores:
    """`ports.Stores` over DynamoDB and SQS. `environment` names the dead-letter queues: the queue
    specs' `dlq_env_var`s as the stack sets them (the process environment by default)."""

    environment: Mapping[str, str]

    def shops(self, now: datetime, since: datetime) -> tuple[ShopLine, ...]:
        from crossdock.operations.storage.stores import shops

        return shops(now, since)

    def stock(self, since: datetime) -> StockAgreement:
        from crossdock.operations.storage.stores import stock_agreement

        return stock_agreement(since)

    def tracking(self, now: datetime) -> TrackingIncidents:
        from crossdock.operations.storage.stores import tracking_incidents

        return tracking_incidents(now)

    def blocked(self) -> tuple[BlockedProduct, ...]:
        from crossdock.operations.storage.stores import blocked_products

        return blocked_products()

    def dead_letters(self) -> tuple[QueueDepth, ...]:
        from crossdock.deployment import QUEUES
        from crossdock.operations.storage.queues import dead_letter_depths

        return dead_letter_depths(QUEUES, self.environment)

    def alerts(self, since: datetime, limit: int) -> tuple[AlertLine, ...]:
        from crossdock.operations.storage.alerts import alert_lines

        return alert_lines(since, limit)


def operations_snapshot(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = now_utc,
    environment: Mapping[str, str] | None = None,
) -> OperationsSnapshot:
    from crossdock.operations.usecases.snapshot import OperationsSnapshot

    bind(settings)
    # The DLQ variables are not settings of any job (only the digest and the CLI read them).
    return OperationsSnapshot(JobStores(os.environ if environment is None else environment), clock)


def daily_digest(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = now_utc,
    environment: Mapping[str, str] | None = None,
) -> DailyDigest:
    from crossdock.core.alerts.sender import alert_sender
    from crossdock.operations.usecases.digest import DailyDigest

    snapshot = operations_snapshot(settings, clock=clock, environment=environment)
    return DailyDigest(snapshot, alert_sender(settings), clock)
