"""The orders job's composition root: storage, queues and channel sources wired into its use cases
(handlers and the CLI call these; each builder imports what it builds)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from crossdock.core.alerts.sender import alert_sender
from crossdock.core.dynamo import bind
from crossdock.core.times import now_utc
from crossdock.orders.events import ORDER_EVENT_ROUTES

if TYPE_CHECKING:
    from crossdock.core.config import Settings
    from crossdock.core.queues import RoutedEvents
    from crossdock.orders.ports import NoticeReader, SourceOpener
    from crossdock.orders.sources import OrderSources
    from crossdock.orders.usecases.erase import AccountDeletions
    from crossdock.orders.usecases.notify import NoticeIntake
    from crossdock.orders.usecases.plan import Planner
    from crossdock.orders.usecases.pull import OrderPuller


def order_puller(
    settings: Settings,
    *,
    remaining: Callable[[], timedelta] = lambda: timedelta(hours=1),
    owner: str = "local",
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], datetime] = now_utc,
    sources: SourceOpener | None = None,
) -> OrderPuller:
    from crossdock.channels.registry import channel
    from crossdock.channels.zones import shop_time_zone
    from crossdock.core.queues import TaskQueue
    from crossdock.orders.storage.orders import OrderRepository
    from crossdock.orders.usecases.pull import OrderPuller
    from crossdock.shops.storage.health import CallHealthRepository
    from crossdock.shops.storage.shops import ShopRepository
    from crossdock.shops.usecases.health import ShopHealth

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
        # the zone the shop's buyers read times in, carried on its order events (tracking's line)
        shop_zone=lambda shop: shop_time_zone(channel(shop.channel), shop.options),
    )


def notice_intake(
    settings: Settings, *, clock: Callable[[], datetime] = now_utc, reader: NoticeReader | None = None
) -> NoticeIntake:
    """Order notices → the order read by id → the pull's write path (never the checkpoint)."""
    from crossdock.channels.registry import channel
    from crossdock.channels.zones import shop_time_zone
    from crossdock.core.inbound import once_per_key
    from crossdock.orders.storage.orders import OrderRepository
    from crossdock.orders.usecases.announce import OrderAnnouncer
    from crossdock.orders.usecases.notify import NoticeIntake
    from crossdock.shops.storage.shops import ShopRepository

    bind(settings)
    return NoticeIntake(
        shops=ShopRepository(),
        announcer=OrderAnnouncer(OrderRepository(), order_events(settings), clock),
        reader=reader or _channel_sources(settings, None),
        clock=clock,
        once=once_per_key(settings),
        shop_zone=lambda shop: shop_time_zone(channel(shop.channel), shop.options),
    )


def ebay_account_deletions(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = now_utc,
    read_secret: Callable[[], Mapping[str, Any]] | None = None,
    sleep: Callable[[float], None] | None = None,
) -> AccountDeletions:
    """eBay's account-deletion endpoint: its check, its signed notifications → the buyer erased
    from the stored orders, once per notification, and recorded (privacy table)."""
    from crossdock.channels.ebay.account_deletion import CHANNEL, RATES, EbayAccountDeletion
    from crossdock.core import credentials
    from crossdock.core.http import ChannelHttp
    from crossdock.core.inbound import once_per_key
    from crossdock.core.secret_clients import TRANSPORT_RETRY
    from crossdock.orders.storage.orders import OrderRepository
    from crossdock.orders.storage.privacy import PrivacyRecords
    from crossdock.orders.usecases.erase import AccountDeletions

    bind(settings)
    secret_name = f"{settings.app_secrets_prefix}{CHANNEL}"  # crossdock/apps/ebay
    pacing: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
    http = ChannelHttp(CHANNEL, RATES, rate_scale=settings.rate_scale, retry=TRANSPORT_RETRY, **pacing)
    notices = EbayAccountDeletion(read_secret or (lambda: credentials.read(secret_name)), http)
    return AccountDeletions(
        CHANNEL, notices, OrderRepository(), PrivacyRecords(), once_per_key(settings), clock
    )


def order_events(settings: Settings) -> RoutedEvents:
    """Every consumer queue that is configured, with the event types it receives."""
    from crossdock.core.queues import EventQueue, RoutedEvents

    urls = {
        "OrderEventsQueue": settings.order_events_queue_url,  # orders.resources.ORDER_EVENTS_QUEUE
        "ShipmentEventsQueue": settings.shipment_events_queue_url,  # orders.resources.SHIPMENT_EVENTS_QUEUE
    }
    return RoutedEvents(
        [(EventQueue(urls[queue]), types) for queue, types in ORDER_EVENT_ROUTES.items() if urls.get(queue)]
    )


def planner(settings: Settings, *, clock: Callable[[], datetime] = now_utc) -> Planner:
    from crossdock.core.queues import TaskQueue
    from crossdock.orders.usecases.plan import Planner
    from crossdock.shops.storage.shops import ShopRepository

    bind(settings)
    return Planner(
        settings=settings,
        shops=ShopRepository().all,
        tasks=TaskQueue(settings.order_tasks_queue_url),
        clock=clock,
    )


def _channel_sources(settings: Settings, sleep: Callable[[float], None] | None) -> OrderSources:
    # Imported here: the channel registry loads every adapter, which use-case tests do not need.
    from crossdock.orders.sources import OrderSources

    return OrderSources(settings, sleep=sleep)
