"""An in-memory channel for use-case and property tests: orders with modified times, paged reads,
and hooks to inject faults or changes between pages."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from crossdock.core.http import ChannelHttp
from crossdock.core.ratelimit import Rate
from crossdock.orders.rules.notices import InvalidNotice, OrderNotice
from crossdock.orders.rules.order import Money, Order, OrderLine, OrderStatus
from crossdock.orders.rules.windows import ChannelLimits, Window

STEPS = [OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED]


@dataclass
class FakeChannel:
    shop_id: str = "shop-1"
    channel: str = "taobao"
    page_size: int = 3
    orders: dict[str, Order] = field(default_factory=dict)
    between_pages: Callable[[int], None] | None = None  # called after each page is handed out
    reads: int = 0

    def put(self, order_id: str, at: datetime, status: OrderStatus = OrderStatus.PENDING) -> Order:
        old = self.orders.get(order_id)
        order = Order(
            channel=self.channel,
            shop_id=self.shop_id,
            order_id=order_id,
            status=status,
            raw_status=status.upper(),
            created_at=old.created_at if old else at,
            modified_at=at,
            total=Money.of("12.30", "CNY"),
            lines=(OrderLine(f"{order_id}-1", "SKU-1", 1, Money.of("12.30", "CNY"), "无线蓝牙耳机"),),
            buyer_name="张伟",
            raw={"id": order_id, "status": status.upper()},
        )
        self.orders[order_id] = order
        return order

    def advance(self, order_id: str, at: datetime) -> Order:
        """Move an order one lifecycle step, stamped `at` (the channel's modified time)."""
        order = self.orders[order_id]
        nxt = STEPS[min(STEPS.index(order.status) + 1, len(STEPS) - 1)]
        self.orders[order_id] = replace(order, status=nxt, raw_status=nxt.upper(), modified_at=at)
        return self.orders[order_id]

    def pages(self, window: Window) -> Iterator[list[Order]]:
        found = sorted(
            (o for o in self.orders.values() if window.start <= o.modified_at <= window.end),
            key=lambda o: (o.modified_at, o.order_id),
        )
        for index in range(0, max(len(found), 1), self.page_size):
            self.reads += 1
            yield found[index : index + self.page_size]
            if self.between_pages:
                self.between_pages(index // self.page_size)


class FakeSources:
    """SourceOpener for tests: always the same fake channel."""

    def __init__(self, channel: FakeChannel) -> None:
        self.channel = channel

    def limits(self, shop: object) -> ChannelLimits:
        return ChannelLimits(
            max_window=timedelta(days=1),
            settle_lag=timedelta(minutes=2),
            history=timedelta(days=90),
            page_size=self.channel.page_size,
        )

    def open(
        self, shop: object, *, refresh_credentials: bool = False, budget: object = None
    ) -> tuple[FakeChannel, ChannelHttp]:
        return self.channel, ChannelHttp("taobao", {"op": Rate(100, 100)}, sleep=lambda s: None)


class ManualClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class FakeNotices:
    """NoticeReader for tests: a notice is JSON {"account", "event_id", "order_id"} (`body`), and the
    order it names is read from the fake channel as it stands."""

    def __init__(self, channel: FakeChannel) -> None:
        self.channel = channel
        self.reads = 0

    @staticmethod
    def body(account: str, event_id: str, order_id: str) -> str:
        return json.dumps({"account": account, "event_id": event_id, "order_id": order_id})

    def parse(self, channel_name: str, body: str) -> OrderNotice:
        try:
            data = json.loads(body)
            return OrderNotice(channel_name, data["account"], data["event_id"], data["order_id"], "changed")
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidNotice(f"not a fake notice: {exc!r}") from None

    def read_order(self, shop: object, order_id: str) -> Order | None:
        self.reads += 1
        return self.channel.orders.get(order_id)
