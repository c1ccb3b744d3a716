"""Composition root of tracking: registrar, planner and refresher wired to DynamoDB, SQS, SNS and
the tracking sources. Each builder imports what it builds: a handler loads only the use case it
runs, and a carrier's wire code loads when a worker builds its source."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from crossdock.core.alerts.sender import alert_sender
from crossdock.core.dynamo import bind
from crossdock.core.times import now_utc
from crossdock.tracking.rules.chains import DEFAULT_CHAINS
from crossdock.tracking.rules.policy import TrackingPolicy

if TYPE_CHECKING:
    from crossdock.core.config import Settings
    from crossdock.tracking.usecases.ask import SourceOpener
    from crossdock.tracking.usecases.health import Metric
    from crossdock.tracking.usecases.plan import TrackingPlanner
    from crossdock.tracking.usecases.push import TrackingPush
    from crossdock.tracking.usecases.refresh import TrackingRefresher
    from crossdock.tracking.usecases.register import ShipmentRegistrar

    pass


def tracking_policy(settings: Settings) -> TrackingPolicy:
    return TrackingPolicy(
        stall_after_by_carrier={carrier: timedelta(hours=h) for carrier, h in settings.stall_hours.items()}
    )


def tracking_chains(settings: Settings) -> dict[str, tuple[str, ...]]:
    return {**DEFAULT_CHAINS, **settings.tracking_chains}


def shipment_registrar(settings: Settings, *, clock: Callable[[], datetime] = now_utc) -> ShipmentRegistrar:
    from crossdock.tracking.storage.shipments import ShipmentRepository
    from crossdock.tracking.usecases.register import ShipmentRegistrar

    bind(settings)
    return ShipmentRegistrar(
        shipments=ShipmentRepository(),
        policy=tracking_policy(settings),
        clock=clock,
        alerts=alert_sender(settings),
    )


def tracking_planner(settings: Settings, *, clock: Callable[[], datetime] = now_utc) -> TrackingPlanner:
    from crossdock.core.queues import TaskQueue
    from crossdock.tracking.storage.shipments import ShipmentRepository
    from crossdock.tracking.usecases.plan import TrackingPlanner

    bind(settings)
    return TrackingPlanner(
        shipments=ShipmentRepository(),
        tasks=TaskQueue(settings.tracking_tasks_queue_url),
        alerts=alert_sender(settings),
        policy=tracking_policy(settings),
        chains=tracking_chains(settings),
        clock=clock,
    )


def tracking_refresher(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = now_utc,
    sources: SourceOpener | None = None,
    sleep: Callable[[float], None] = time.sleep,
    metric: Metric | None = None,
) -> TrackingRefresher:
    from crossdock.tracking.storage.shipments import ShipmentRepository
    from crossdock.tracking.storage.source_health import SourceHealthRepository
    from crossdock.tracking.usecases.ask import Asker
    from crossdock.tracking.usecases.health import HealthRules, SourceHealth
    from crossdock.tracking.usecases.refresh import TrackingRefresher
    from crossdock.tracking.usecases.sources import TrackingSources

    bind(settings)
    opener = sources or TrackingSources(settings, sleep=sleep)
    alerts = alert_sender(settings)
    policy = tracking_policy(settings)
    chains = tracking_chains(settings)
    health = SourceHealth(
        repository=SourceHealthRepository(),
        sources=opener,
        alerts=alerts,
        rules=HealthRules(
            settings.demote_silent_rate, settings.promote_silent_rate, settings.demote_min_answers
        ),
        chains=chains,
        clock=clock,
        secrets_prefix=settings.carrier_secrets_prefix,
    )
    if metric is not None:
        health.metric = metric
    asker = Asker(
        sources=opener,
        policy=policy,
        retries=settings.tracking_retries,
        retry_delay_s=settings.tracking_retry_delay_s / settings.rate_scale,
        clock=clock,
        sleep=sleep,
    )
    return TrackingRefresher(
        shipments=ShipmentRepository(),
        asker=asker,
        health=health,
        alerts=alerts,
        policy=policy,
        chains=chains,
        clock=clock,
    )


def tracking_push(
    settings: Settings, *, source: str = "17track", clock: Callable[[], datetime] = now_utc
) -> TrackingPush:
    """A source's webhook → the parcel updated as a poll would. The signature key is the source's
    own secret (`<carrier secrets prefix><source>`, the poll's), read through the secrets cache."""
    from crossdock.carriers.registry import source as source_spec
    from crossdock.core import credentials
    from crossdock.core.inbound import once_per_key
    from crossdock.tracking.storage.shipments import ShipmentRepository
    from crossdock.tracking.usecases.push import TrackingPush

    spec = source_spec(source)
    if spec.push is None:
        raise ValueError(f"{spec.display} has no webhook")
    secret = f"{settings.carrier_secrets_prefix}{spec.name}"
    bind(settings)
    return TrackingPush(
        shipments=ShipmentRepository(),
        reader=spec.push(lambda: credentials.read(secret)),
        policy=tracking_policy(settings),
        chains=tracking_chains(settings),
        clock=clock,
        once=once_per_key(settings),
    )
