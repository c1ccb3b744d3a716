"""Wiring for the Amazon stock integration tests: a shop in the sandbox and a context pointing at it."""

from __future__ import annotations

from typing import Any

from crossdock.channels.amazon.channel import SPEC
from crossdock.channels.amazon.stock import AmazonStockWriter
from crossdock.channels.spec import ShopContext
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.core.ratelimit import Rate
from crossdock.stock.rules.sellable import Listing, QuantityUpdate
from crossdock_local.sandboxes.amazon.server import AmazonSandbox
from crossdock_local.sandboxes.base import SandboxShop
from crossdock_local.sandboxes.orderbook import OrderBook

SCALE = 1000.0
SHOP = "us-1"


def add_shop(sandbox: AmazonSandbox, shop_id: str = SHOP) -> SandboxShop:
    return sandbox.add_shop(shop_id, OrderBook(shop=shop_id, currency="USD"))


def context(
    shop: SandboxShop,
    *,
    scale: float = SCALE,
    attempts: int = 3,
    rates: dict[str, Rate] | None = None,
    shop_id: str = SHOP,
    **settings: Any,
) -> ShopContext:
    http = ChannelHttp(
        SPEC.name,
        rates or SPEC.rates,
        rate_scale=scale,
        retry=RetryPolicy(max_attempts=attempts, base_delay_s=0.005, max_delay_s=0.02),
        timeout=(1.0, 2.0),
    )
    options = {"feed_max_wait_s": 600.0, **shop.options, **settings}  # 0.6 s at the test scale
    return ShopContext(shop_id, shop.credentials, http, shop.endpoints, options)


def listings(sandbox: AmazonSandbox, count: int, *, quantity: int = 0, prefix: str = "SKU") -> list[Listing]:
    return [
        Listing(f"{prefix}-{i}", "amazon", SHOP, sandbox.add_listing(SHOP, f"{prefix}-{i}", quantity))
        for i in range(count)
    ]


def updates(items: list[Listing], quantity: int = 7, version: int = 2) -> list[QuantityUpdate]:
    return [QuantityUpdate(listing, quantity + i, version) for i, listing in enumerate(items)]


def stock_writer(sandbox: AmazonSandbox, **settings: object) -> AmazonStockWriter:
    """A stock writer for a new shop of the sandbox (shop settings as keywords)."""
    return AmazonStockWriter(context(add_shop(sandbox), **settings))  # type: ignore[arg-type]
