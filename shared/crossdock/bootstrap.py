"""Composition root: concrete adapters wired into the use cases (handlers and the CLI call these)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from crossdock.alerts.sender import AlertSender
from crossdock.config import Settings
from crossdock.queues import EventQueue, StockChangeQueue, TaskQueue
from crossdock.storage.health import CallHealthRepository
from crossdock.storage.models import bind
from crossdock.storage.orders import OrderRepository
from crossdock.storage.shops import ShopRepository
from crossdock.storage.stock import StockRepository
from crossdock.usecases.health import ShopHealth
from crossdock.usecases.plan import Planner
from crossdock.usecases.ports import SourceOpener
from crossdock.usecases.pull_orders import OrderPuller
from crossdock.usecases.stock_ledger import StockLedger, announce_to
from crossdock.usecases.stock_push import StockPusher


def now_utc() -> datetime:
    return datetime.now(UTC)


def alert_sender(settings: Settings) -> AlertSender:
    return AlertSender(
        settings.alerts_topic_arn, suppression=settings.alert_suppression, outbox_dir=settings.outbox_dir
    )


def order_puller(
    settings: Settings,
    *,
    remaining: Callable[[], timedelta] = lambda: timedelta(hours=1),
    owner: str = "local",
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], datetime] = now_utc,
    sources: SourceOpener | None = None,
) -> OrderPuller:
    bind(settings)
    alerts = alert_sender(settings)
    return OrderPuller(
        settings=settings,
        shops=ShopRepository(),
        orders=OrderRepository(),
        events=EventQueue(settings.order_events_queue_url),
        tasks=TaskQueue(settings.order_tasks_queue_url),
        alerts=alerts,
        sources=sources or _channel_sources(settings, sleep),
        health=ShopHealth(settings, CallHealthRepository(), alerts),
        clock=clock,
        remaining=remaining,
        owner=owner,
    )


def planner(settings: Settings, *, clock: Callable[[], datetime] = now_utc) -> Planner:
    bind(settings)
    return Planner(
        settings=settings,
        shops=ShopRepository().all,
        tasks=TaskQueue(settings.order_tasks_queue_url),
        clock=clock,
    )


def _channel_sources(settings: Settings, sleep: Callable[[float], None] | None) -> SourceOpener:
    # Imported here: the channel registry loads every adapter, which use-case tests do not need.
    from crossdock.usecases.sources import ChannelSources

    return ChannelSources(settings, sleep=sleep)


def stock_ledger(settings: Settings, *, clock: Callable[[], datetime] = now_utc) -> StockLedger:
    bind(settings)
    return StockLedger(
        stock=StockRepository(settings),
        alerts=alert_sender(settings),
        announce=announce_to(StockChangeQueue(settings.stock_changes_queue_url)),
        clock=clock,
    )


def stock_pusher(settings: Settings, *, clock: Callable[[], datetime] = now_utc) -> StockPusher:
    bind(settings)
    from crossdock.usecases.sources import ChannelSources

    return StockPusher(
        stock=StockRepository(settings),
        writers=ChannelSources(settings),
        alerts=alert_sender(settings),
        clock=clock,
    )
