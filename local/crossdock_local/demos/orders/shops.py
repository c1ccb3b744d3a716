"""The demo's shops: one seller on four channels and five marketplaces, each with a realistic order
history in its own currency, served by one sandbox per channel and registered in crossdock exactly
as an operator would (`crossdock shops add`: credentials into Secrets Manager, options, endpoints).
`book_sale` puts a buyer's order for given SKUs on a shop, as the stock story needs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from types import TracebackType
from typing import Protocol, cast

from crossdock.channels.registry import channel
from crossdock.core.config import Settings
from crossdock.orders.rules.order import minor_units
from crossdock.shops.usecases.admin import register_shop

from crossdock_local.sandboxes.amazon.server import AmazonSandbox
from crossdock_local.sandboxes.base import FaultProfile, Sandbox, SandboxShop, fault_profile
from crossdock_local.sandboxes.ebay.server import EbaySandbox
from crossdock_local.sandboxes.orderbook import OrderBook, SyntheticLine
from crossdock_local.sandboxes.shopify.server import ShopifySandbox
from crossdock_local.sandboxes.taobao.render import TID_FORMAT
from crossdock_local.sandboxes.taobao.server import TaobaoSandbox


class ChannelSandbox(Protocol):
    """What every channel sandbox offers beyond the `Sandbox` base (the sandbox contract)."""

    name: str
    stats: Counter[str]

    @property
    def url(self) -> str: ...

    def add_shop(self, shop_id: str, book: OrderBook) -> SandboxShop: ...

    def revoke(self, shop_id: str) -> None: ...

    def order_id(self, shop_id: str, book_id: str) -> str: ...

    def reinstate(self, shop_id: str) -> None: ...

    def add_listing(self, shop_id: str, sku: str, quantity: int = 0) -> dict[str, str]: ...

    def quantity(self, shop_id: str, sku: str) -> int: ...

    def stop(self) -> None: ...


SANDBOXES: dict[str, type[Sandbox]] = {
    "taobao": TaobaoSandbox,
    "amazon": AmazonSandbox,
    "shopify": ShopifySandbox,
    "ebay": EbaySandbox,
}


@dataclass(frozen=True)
class ShopPlan:
    shop_id: str
    channel: str
    currency: str
    cny_per_unit: Decimal  # prices are drawn in CNY and converted
    history_orders: int  # orders in the book before the first pull
    display_name: str
    id_format: str = "{n}"
    # The store's zone, as its owner set it in the Shopify admin: a Shopify shop names no marketplace,
    # so the operator gives it as the `time_zone` option (Amazon, eBay and Taobao shops derive theirs).
    time_zone: str = ""


CATALOGUE: tuple[ShopPlan, ...] = (
    ShopPlan("taobao-cn", "taobao", "CNY", Decimal("1"), 400, "深圳优品数码旗舰店", id_format=TID_FORMAT),
    ShopPlan("amazon-us", "amazon", "USD", Decimal("7.10"), 300, "Amazon.com (US)"),
    ShopPlan("amazon-jp", "amazon", "JPY", Decimal("0.047"), 250, "Amazon.co.jp"),
    ShopPlan(
        "shopify-uk", "shopify", "GBP", Decimal("9.05"), 200, "Shopify UK store", time_zone="Europe/London"
    ),
    ShopPlan("ebay-de", "ebay", "EUR", Decimal("7.70"), 150, "eBay.de"),
)
HISTORY_DAYS = 6


@dataclass(frozen=True)
class SaleLine:
    sku: str
    title: str
    quantity: int
    cny: Decimal  # unit price in CNY, converted to the shop's currency


class DemoShops:
    """Books + started sandboxes (one server per channel) for the plans; `register` adds them to crossdock."""

    def __init__(
        self,
        plans: tuple[ShopPlan, ...] = CATALOGUE,
        *,
        faults: str = "none",
        seed: int = 7,
        rate_scale: float = 1.0,
        orders: int | None = None,
    ) -> None:
        """`orders` overrides every plan's history size (tests use small books)."""
        self.plans = {p.shop_id: p for p in plans}
        self.seed = seed
        self.faults = faults
        self.rate_scale = rate_scale
        self.orders = orders
        self.books: dict[str, OrderBook] = {}
        self.sandboxes: dict[str, ChannelSandbox] = {}

    def start(self, now: datetime | None = None) -> DemoShops:
        now = now or datetime.now(UTC)
        channels = list(dict.fromkeys(p.channel for p in self.plans.values()))
        try:
            for index, name in enumerate(channels):
                profile: FaultProfile = fault_profile(self.faults, seed=self.seed * 100 + index)
                started = SANDBOXES[name](faults=profile, rate_scale=self.rate_scale).start()
                self.sandboxes[name] = cast(ChannelSandbox, started)
            for plan in self.plans.values():
                self.books[plan.shop_id] = self._book(plan, now)
        except BaseException:
            self.stop()
            raise
        return self

    def _book(self, plan: ShopPlan, now: datetime) -> OrderBook:
        book = OrderBook(
            plan.shop_id,
            plan.currency,
            id_format=plan.id_format,
            seed=self.seed,
            rate_to_cny=plan.cny_per_unit,
        )
        # History ends before the channel's settle lag, so the first pull can read all of it.
        settled = now - channel(plan.channel).limits.settle_lag - timedelta(minutes=10)
        book.populate(
            self.orders or plan.history_orders, start=now - timedelta(days=HISTORY_DAYS), end=settled
        )
        return book

    def register(self, settings: Settings, now: datetime) -> None:
        for plan in self.plans.values():
            shop = self.sandbox_of(plan.shop_id).add_shop(plan.shop_id, self.books[plan.shop_id])
            register_shop(
                settings,
                shop_id=plan.shop_id,
                channel_name=plan.channel,
                credentials=shop.credentials,
                options={**shop.options, **({"time_zone": plan.time_zone} if plan.time_zone else {})},
                endpoints=shop.endpoints,
                display_name=plan.display_name,
                now=now,
            )

    def book_sale(self, shop_id: str, lines: Sequence[SaleLine], now: datetime | None = None) -> str:
        """A buyer's paid order for exactly these lines, appearing on the channel now (stamped `now −
        settle lag`, as the channel's search shows it, like the book mutator's changes); its book id."""
        plan, book = self.plans[shop_id], self.books[shop_id]
        stamp = ((now or datetime.now(UTC)) - channel(plan.channel).limits.settle_lag).replace(microsecond=0)
        exponent = Decimal(1).scaleb(-minor_units(plan.currency))
        with book.lock:
            order = book.new_order(stamp, status="paid")
            booked = tuple(
                SyntheticLine(
                    f"{order.order_id}-{index}",
                    line.sku,
                    line.title,
                    line.quantity,
                    (line.cny / plan.cny_per_unit).quantize(exponent),
                )
                for index, line in enumerate(lines, start=1)
            )
            book.orders[order.order_id] = replace(order, lines=booked)
            book.revision += 1
        return order.order_id

    def sandbox_of(self, shop_id: str) -> ChannelSandbox:
        return self.sandboxes[self.plans[shop_id].channel]

    def order_id(self, shop_id: str, book_id: str) -> str:
        return self.sandbox_of(shop_id).order_id(shop_id, book_id)

    def id_mapper(self, shop_id: str) -> Callable[[str], str]:
        """Book order id → the shop's channel order id."""
        return partial(self.order_id, shop_id)

    def settle_lags(self) -> Mapping[str, timedelta]:
        return {shop_id: channel(p.channel).limits.settle_lag for shop_id, p in self.plans.items()}

    def stop(self) -> None:
        for sandbox in self.sandboxes.values():
            sandbox.stop()

    def __enter__(self) -> DemoShops:
        return self if self.sandboxes else self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
