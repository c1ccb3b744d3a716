"""Composition root: concrete adapters wired into the use cases (handlers and the CLI call these)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from crossdock import constants as c
from crossdock.alerts.sender import AlertSender
from crossdock.config import Settings
from crossdock.queues import EventQueue, FlushTaskQueue, RoutedEvents, StockChangeQueue, TaskQueue
from crossdock.storage.health import CallHealthRepository
from crossdock.storage.models import bind
from crossdock.storage.orders import OrderRepository
from crossdock.storage.shops import ShopRepository
from crossdock.storage.stock import StockRepository
from crossdock.usecases.fba_sync import FbaSync, InventoryOpener
from crossdock.usecases.health import ShopHealth
from crossdock.usecases.own_stock import OwnStock
from crossdock.usecases.plan import Planner
from crossdock.usecases.ports import SourceOpener
from crossdock.usecases.pull_orders import OrderPuller
from crossdock.usecases.stock_admin import StockAdmin
from crossdock.usecases.stock_check import StockCheck
from crossdock.usecases.stock_daily import StockDaily
from crossdock.usecases.stock_drift import DriftPlanner
from crossdock.usecases.stock_flush import FlushPolicy, StockFlush
from crossdock.usecases.stock_ledger import StockLedger, announce_to
from crossdock.usecases.stock_marks import StockMarker
from crossdock.usecases.stock_push import StockPusher, WriterOpener


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
        events=order_events(settings),
        tasks=TaskQueue(settings.order_tasks_queue_url),
        alerts=alerts,
        sources=sources or _channel_sources(settings, sleep),
        health=ShopHealth(settings, CallHealthRepository(), alerts),
        clock=clock,
        remaining=remaining,
        owner=owner,
    )


def order_events(settings: Settings) -> RoutedEvents:
    """Every consumer queue that is configured, with the event types it receives."""
    urls = {
        c.ORDER_EVENTS_QUEUE.logical_id: settings.order_events_queue_url,
        c.SHIPMENT_EVENTS_QUEUE.logical_id: settings.shipment_events_queue_url,
    }
    return RoutedEvents(
        [(EventQueue(urls[queue]), types) for queue, types in c.ORDER_EVENT_ROUTES.items() if urls.get(queue)]
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


_writers: tuple[Settings, WriterOpener] | None = None


def cached_writers(settings: Settings) -> WriterOpener:
    """One writer cache per process and settings: a warm Lambda reuses writers and their tokens."""
    global _writers
    if _writers is None or _writers[0] is not settings:
        from crossdock.usecases.sources import CachedWriters, ChannelSources

        _writers = (settings, CachedWriters(ChannelSources(settings)))
    return _writers[1]


def stock_pusher(
    settings: Settings, *, clock: Callable[[], datetime] = now_utc, writers: WriterOpener | None = None
) -> StockPusher:
    bind(settings)
    return StockPusher(
        stock=StockRepository(settings),
        writers=writers or cached_writers(settings),
        alerts=alert_sender(settings),
        clock=clock,
    )


def stock_marker(settings: Settings, *, clock: Callable[[], datetime] = now_utc) -> StockMarker:
    bind(settings)
    shop_keys: list[str] = []

    def every_shop() -> list[str]:  # read once per invocation
        if not shop_keys:
            shop_keys.extend(f"{shop.channel}#{shop.shop_id}" for shop in ShopRepository().all())
        return shop_keys

    return StockMarker(stock=StockRepository(settings), clock=clock, shop_keys=every_shop)


def flush_tasks(settings: Settings) -> FlushTaskQueue:
    return FlushTaskQueue(settings.stock_flush_queue_url)


def stock_flush(
    settings: Settings,
    *,
    remaining_s: Callable[[], float] | None = None,
    clock: Callable[[], datetime] = now_utc,
    sleep: Callable[[float], None] = time.sleep,
    writers: WriterOpener | None = None,
) -> StockFlush:
    pusher = stock_pusher(settings, clock=clock, writers=writers)
    policy = FlushPolicy(settle_s=settings.stock_flush_settle_s, retry_base_s=settings.stock_retry_base_s)
    flush = StockFlush(
        stock=pusher.stock, pusher=pusher, alerts=pusher.alerts, clock=clock, sleep=sleep, policy=policy
    )
    if remaining_s is not None:
        flush.remaining_s = remaining_s
    return flush


def _has_fba(channel_name: str) -> bool:
    from crossdock.adapters.registry import channel

    return channel(channel_name).fba is not None


def _pushes_stock(channel_name: str) -> bool:
    from crossdock.adapters.registry import channel

    return channel(channel_name).stock is not None


def _stock_announce(settings: Settings) -> Callable[[dict[str, int], str], None]:
    return announce_to(StockChangeQueue(settings.stock_changes_queue_url))


def fba_sync(
    settings: Settings, *, clock: Callable[[], datetime] = now_utc, inventories: InventoryOpener | None = None
) -> FbaSync:
    bind(settings)
    if inventories is None:
        from crossdock.usecases.sources import ChannelSources

        inventories = ChannelSources(settings)
    return FbaSync(
        stock=StockRepository(settings),
        shops=ShopRepository().all,
        inventories=inventories,
        has_fba=_has_fba,
        announce=_stock_announce(settings),
        alerts=alert_sender(settings),
        clock=clock,
        max_units=settings.stock_max_units,
    )


def own_stock(settings: Settings, *, clock: Callable[[], datetime] = now_utc) -> OwnStock:
    bind(settings)
    return OwnStock(
        stock=StockRepository(settings),
        announce=_stock_announce(settings),
        clock=clock,
        alerts=alert_sender(settings),
        max_units=settings.stock_max_units,
    )


def stock_admin(settings: Settings, *, clock: Callable[[], datetime] = now_utc) -> StockAdmin:
    bind(settings)
    return StockAdmin(
        stock=StockRepository(settings),
        shop=ShopRepository().get,
        pushes_stock=_pushes_stock,
        announce=_stock_announce(settings),
        clock=clock,
        flush=flush_tasks(settings).request,
    )


def drift_planner(settings: Settings, *, clock: Callable[[], datetime] = now_utc) -> DriftPlanner:
    bind(settings)

    def enabled_shop_keys() -> set[str]:
        return {f"{shop.channel}#{shop.shop_id}" for shop in ShopRepository().all() if shop.enabled}

    return DriftPlanner(
        stock=StockRepository(settings),
        enabled_shop_keys=enabled_shop_keys,
        announce=_stock_announce(settings),
        flush=flush_tasks(settings).request,
        alerts=alert_sender(settings),
        clock=clock,
    )


def stock_daily(
    settings: Settings, *, clock: Callable[[], datetime] = now_utc, writers: WriterOpener | None = None
) -> StockDaily:
    pusher = stock_pusher(settings, clock=clock, writers=writers)
    return StockDaily(
        stock=pusher.stock,
        pusher=pusher,
        writers=pusher.writers,
        alerts=pusher.alerts,
        settings=settings,
        clock=clock,
    )


def stock_check(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = now_utc,
    inventories: InventoryOpener | None = None,
) -> StockCheck:
    sync = fba_sync(settings, clock=clock, inventories=inventories)
    return StockCheck(stock=sync.stock, shop=ShopRepository().get, fba=sync)
