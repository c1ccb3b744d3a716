"""The stock job's composition root: concrete storage, queues and channel writers wired into its use cases."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from crossdock.core.alerts.sender import alert_sender
from crossdock.core.dynamo import bind
from crossdock.core.times import now_utc

if TYPE_CHECKING:
    from crossdock.core.config import Settings
    from crossdock.stock.queues import FlushTaskQueue
    from crossdock.stock.usecases.admin import StockAdmin
    from crossdock.stock.usecases.check import CheckResult, StockCheck
    from crossdock.stock.usecases.daily import StockDaily
    from crossdock.stock.usecases.drift import DriftPlanner
    from crossdock.stock.usecases.fba_sync import FbaSync, InventoryOpener
    from crossdock.stock.usecases.flush import StockFlush
    from crossdock.stock.usecases.ledger import StockLedger
    from crossdock.stock.usecases.manual_push import ManualPush
    from crossdock.stock.usecases.marks import StockMarker
    from crossdock.stock.usecases.overview import StockOverview
    from crossdock.stock.usecases.own_stock import OwnStock
    from crossdock.stock.usecases.push import StockPusher, WriterOpener


def stock_ledger(settings: Settings, *, clock: Callable[[], datetime] = now_utc) -> StockLedger:
    from crossdock.stock.queues import StockChangeQueue
    from crossdock.stock.storage.stock import StockRepository
    from crossdock.stock.usecases.ledger import StockLedger, announce_to

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
        from crossdock.stock.writers import CachedWriters, StockChannels

        _writers = (settings, CachedWriters(StockChannels(settings)))
    return _writers[1]


def stock_pusher(
    settings: Settings, *, clock: Callable[[], datetime] = now_utc, writers: WriterOpener | None = None
) -> StockPusher:
    from crossdock.stock.storage.stock import StockRepository
    from crossdock.stock.usecases.push import StockPusher

    bind(settings)
    return StockPusher(
        stock=StockRepository(settings),
        writers=writers or cached_writers(settings),
        alerts=alert_sender(settings),
        clock=clock,
    )


def stock_marker(settings: Settings, *, clock: Callable[[], datetime] = now_utc) -> StockMarker:
    from crossdock.shops.storage.shops import ShopRepository
    from crossdock.stock.storage.stock import StockRepository
    from crossdock.stock.usecases.marks import StockMarker

    bind(settings)
    shop_keys: list[str] = []

    def every_shop() -> list[str]:  # read once per invocation
        if not shop_keys:
            shop_keys.extend(f"{shop.channel}#{shop.shop_id}" for shop in ShopRepository().all())
        return shop_keys

    return StockMarker(stock=StockRepository(settings), clock=clock, shop_keys=every_shop)


def flush_tasks(settings: Settings) -> FlushTaskQueue:
    from crossdock.stock.queues import FlushTaskQueue

    return FlushTaskQueue(settings.stock_flush_queue_url)


def stock_flush(
    settings: Settings,
    *,
    remaining_s: Callable[[], float] | None = None,
    clock: Callable[[], datetime] = now_utc,
    sleep: Callable[[float], None] = time.sleep,
    writers: WriterOpener | None = None,
) -> StockFlush:
    from crossdock.stock.usecases.flush import FlushPolicy, StockFlush

    pusher = stock_pusher(settings, clock=clock, writers=writers)
    policy = FlushPolicy(settle_s=settings.stock_flush_settle_s, retry_base_s=settings.stock_retry_base_s)
    flush = StockFlush(
        stock=pusher.stock, pusher=pusher, alerts=pusher.alerts, clock=clock, sleep=sleep, policy=policy
    )
    if remaining_s is not None:
        flush.remaining_s = remaining_s
    return flush


def _has_fba(channel_name: str) -> bool:
    from crossdock.channels.registry import channel

    return channel(channel_name).fba is not None


def _pushes_stock(channel_name: str) -> bool:
    from crossdock.channels.registry import channel

    return channel(channel_name).stock is not None


def _stock_announce(settings: Settings) -> Callable[[dict[str, int], str], None]:
    from crossdock.stock.queues import StockChangeQueue
    from crossdock.stock.usecases.ledger import announce_to

    return announce_to(StockChangeQueue(settings.stock_changes_queue_url))


def fba_sync(
    settings: Settings, *, clock: Callable[[], datetime] = now_utc, inventories: InventoryOpener | None = None
) -> FbaSync:
    from crossdock.shops.storage.shops import ShopRepository
    from crossdock.stock.storage.stock import StockRepository
    from crossdock.stock.usecases.fba_sync import FbaSync

    bind(settings)
    if inventories is None:
        from crossdock.stock.writers import StockChannels

        inventories = StockChannels(settings)
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
    from crossdock.stock.storage.stock import StockRepository
    from crossdock.stock.usecases.own_stock import OwnStock

    bind(settings)
    return OwnStock(
        stock=StockRepository(settings),
        announce=_stock_announce(settings),
        clock=clock,
        alerts=alert_sender(settings),
        max_units=settings.stock_max_units,
    )


def stock_admin(settings: Settings, *, clock: Callable[[], datetime] = now_utc) -> StockAdmin:
    from crossdock.shops.storage.shops import ShopRepository
    from crossdock.stock.storage.stock import StockRepository
    from crossdock.stock.usecases.admin import StockAdmin

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
    from crossdock.shops.storage.shops import ShopRepository
    from crossdock.stock.storage.stock import StockRepository
    from crossdock.stock.usecases.drift import DriftPlanner

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
    from crossdock.stock.usecases.daily import StockDaily

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
    from crossdock.shops.storage.shops import ShopRepository
    from crossdock.stock.usecases.check import StockCheck

    sync = fba_sync(settings, clock=clock, inventories=inventories)
    return StockCheck(stock=sync.stock, shop=ShopRepository().get, fba=sync)


def stock_overview(settings: Settings) -> StockOverview:
    from crossdock.stock.storage.stock import StockRepository
    from crossdock.stock.usecases.overview import StockOverview

    bind(settings)
    return StockOverview(stock=StockRepository(settings))


def manual_push(
    settings: Settings, *, clock: Callable[[], datetime] = now_utc, writers: WriterOpener | None = None
) -> ManualPush:
    """A person's `stock push SKU`: the daily push's pusher (same writers, alerts and audit)."""
    from crossdock.stock.usecases.manual_push import ManualPush

    pusher = stock_pusher(settings, clock=clock, writers=writers)
    return ManualPush(stock=pusher.stock, pusher=pusher)


def check_stock(sku: str, qty: int, *, live_fba: bool = True) -> CheckResult:
    """The check against the configured account (environment as for the handlers and the CLI)."""
    from crossdock.core.config import settings

    return stock_check(settings()).check(sku, qty, live_fba=live_fba)
