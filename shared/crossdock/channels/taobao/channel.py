"""Taobao/Tmall order pull through the TOP gateway (`taobao.trades.sold.increment.get`).

Rates: TOP publishes no QPS, only per-app daily quotas that depend on the app's category, so the
rates below are our assumption (10 calls/s, burst 10, per API); change them in `SPEC.rates`.
The increment call returns partial trades; `taobao.trade.fullinfo.get` is called only for a shipped
trade whose increment data carries no waybill, or a trade whose buyer left a message (the increment
call says only `has_buyer_message`; see `trades.needs_fullinfo`), one call per such trade
version; shop option `fetch_buyer_messages: false` skips the calls made only for messages (those
trades' notes then stay empty). `minimum_calls` counts list calls only; a bench adds the fullinfo calls it saw.
Stock push: `stock.py` (its rates are the same assumption).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests

from crossdock.channels.spec import ChannelSpec, ShopContext
from crossdock.channels.taobao.signing import top_time
from crossdock.channels.taobao.stock import TaobaoStockWriter
from crossdock.channels.taobao.stock_wire import ITEM_METHOD, READ_METHOD, SKUS_METHOD
from crossdock.channels.taobao.trades import (
    DETAIL_FIELDS,
    LIST_FIELDS,
    merge_detail,
    needs_fullinfo,
    to_order,
)
from crossdock.channels.taobao.wire import CHANNEL, DEFAULT_ROUTER, TopCredentials, TopGateway, top_envelope
from crossdock.core.errors import InvalidResponseError
from crossdock.core.ratelimit import Rate
from crossdock.orders.rules.windows import ChannelLimits, Window

if TYPE_CHECKING:
    from crossdock.orders.rules.order import Order

LIST_METHOD = "taobao.trades.sold.increment.get"
DETAIL_METHOD = "taobao.trade.fullinfo.get"
PAGE_SIZE = 100  # the API's maximum
HOME_ZONE = "Asia/Shanghai"  # Taobao sells in mainland China: every shop's buyers read China time
OFF = frozenset({"false", "0", "no", "off"})  # option values that turn message fetching off (CLI strings)
# `type` filters trades by kind, and kinds not listed never come back. TOP's default is
# guarantee_trade (a filter for fixed-price and auction trades), auto_delivery,ec,cod,step; we add the
# documented kinds a goods seller also receives (Tmall Global among them). Per shop: `trade_types`.
TRADE_TYPES = (
    "guarantee_trade", "auto_delivery", "ec", "cod", "step",
    "fixed", "auction", "independent_simple_trade", "independent_shop_trade", "b2c_cod",
    "external_trade", "instant_trade", "nopaid", "eticket", "tmall_i18n", "pre_auth_type",
)  # fmt: skip


@dataclass(frozen=True)
class TradePage:
    page_no: int
    total: int
    trades: list[dict[str, Any]]


def parse_trade_page(response: requests.Response, page_no: int) -> TradePage:
    data = top_envelope(CHANNEL, response, "trades_sold_increment_get_response")
    total = data.get("total_results")
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        raise InvalidResponseError(CHANNEL, f"page {page_no} without a valid total_results", status=200)
    holder = data.get("trades", {})
    trades = holder.get("trade", []) if isinstance(holder, dict) else None
    if not isinstance(trades, list) or not all(isinstance(t, dict) for t in trades):
        raise InvalidResponseError(CHANNEL, f"page {page_no} has a malformed trades list", status=200)
    if not trades and total > (page_no - 1) * PAGE_SIZE:
        raise InvalidResponseError(
            CHANNEL, f"page {page_no} is empty although total_results={total} says it has trades", status=200
        )
    return TradePage(page_no, total, trades)


def parse_trade_detail(response: requests.Response) -> dict[str, Any]:
    trade = top_envelope(CHANNEL, response, "trade_fullinfo_get_response").get("trade")
    if not isinstance(trade, dict):
        raise InvalidResponseError(CHANNEL, "trade_fullinfo_get_response without a trade", status=200)
    return trade


class TaobaoOrderSource:
    """Reads one seller's trades changed in a window.

    Page order. TOP sorts by `modified`, newest first, and recommends paging from the last page
    back. Our windows end in the past (settle lag), so a trade changed while we page can only leave
    the window (its new `modified` is later than the end; the next window reads it). Leaving shifts
    every older trade one slot towards page 1. Reading forwards (1, 2, 3…) then skips the trade that
    slides from the head of an unread page onto the tail of a page already read. Reading backwards
    cannot skip: a shift only moves trades we already read into pages we read next. So we read page
    1 (for `total_results`; `use_has_next` has no total), then the last page down to page 2, then
    page 1 again, because page 1 was read first and trades from page 2 may have slid onto it.
    Calls: 1 when everything fits on one page, else pages + 1. Trades seen twice are yielded once.
    """

    def __init__(self, ctx: ShopContext) -> None:
        self.shop_id = ctx.shop_id
        clock = ctx.now or (lambda: datetime.now(UTC))
        url = ctx.endpoint("api", DEFAULT_ROUTER)
        self.gateway = TopGateway(ctx.http, url, TopCredentials.from_secret(ctx.credentials), clock)
        types = ctx.settings.get("trade_types") or TRADE_TYPES
        self.trade_types = types if isinstance(types, str) else ",".join(types)
        self.fetch_messages = str(ctx.settings.get("fetch_buyer_messages", True)).lower() not in OFF

    def pages(self, window: Window) -> Iterator[list[Order]]:
        start = window.start
        while start < window.end:  # a longer window than TOP allows is read in 1-day chunks
            end = min(start + SPEC.limits.max_window, window.end)
            yield from self._window_pages(Window(start, end))
            start = end

    def _window_pages(self, window: Window) -> Iterator[list[Order]]:
        seen: set[tuple[str, str]] = set()
        first = self._page(window, 1)
        yield self._orders(first, seen)
        last_page = math.ceil(first.total / PAGE_SIZE)
        if last_page <= 1:
            return
        for page_no in range(last_page, 1, -1):
            yield self._orders(self._page(window, page_no), seen)
        yield self._orders(self._page(window, 1), seen)

    def _page(self, window: Window, page_no: int) -> TradePage:
        start, end = top_time(window.start), top_time(window.end)
        if end == start:  # a sub-second window: TOP wants end > start, in whole seconds
            end = top_time(window.end + timedelta(seconds=1))
        params = {
            "fields": LIST_FIELDS,
            "start_modified": start,
            "end_modified": end,
            "type": self.trade_types,
            "page_no": str(page_no),
            "page_size": str(PAGE_SIZE),
        }
        return self.gateway.call(LIST_METHOD, params, lambda r: parse_trade_page(r, page_no))

    def _orders(self, page: TradePage, seen: set[tuple[str, str]]) -> list[Order]:
        orders = []
        for trade in page.trades:
            version = (str(trade.get("tid")), str(trade.get("modified")))
            if version in seen:
                continue
            seen.add(version)
            if needs_fullinfo(trade, messages=self.fetch_messages):
                trade = merge_detail(trade, self._detail(str(trade["tid"])))
            orders.append(to_order(CHANNEL, self.shop_id, trade))
        return orders

    def _detail(self, tid: str) -> dict[str, Any]:
        params = {"fields": DETAIL_FIELDS, "tid": tid}
        return self.gateway.call(DETAIL_METHOD, params, parse_trade_detail)


def probe(ctx: ShopContext) -> None:
    """The cheapest signed call: one trade of one settled minute. TOP checks the app key, the
    signature (app secret) and the seller's session (error 27 → AuthError)."""
    source = TaobaoOrderSource(ctx)
    end = (ctx.now or (lambda: datetime.now(UTC)))() - SPEC.limits.settle_lag
    params = {
        "fields": "tid",
        "start_modified": top_time(end - timedelta(minutes=1)),
        "end_modified": top_time(end),
        "type": source.trade_types,
        "page_no": "1",
        "page_size": "1",
    }
    source.gateway.call(LIST_METHOD, params, lambda r: parse_trade_page(r, 1))


SPEC = ChannelSpec(
    name=CHANNEL,
    limits=ChannelLimits(
        max_window=timedelta(days=1),  # end_modified − start_modified ≤ 1 day
        settle_lag=timedelta(minutes=3),  # the increment index trails the trade by seconds to minutes
        history=timedelta(days=89),  # "3 months": 89 days is inside every 3-calendar-month span
        page_size=PAGE_SIZE,
    ),
    rates={  # assumed: TOP publishes no QPS
        LIST_METHOD: Rate(10, 10),
        DETAIL_METHOD: Rate(10, 10),
        SKUS_METHOD: Rate(10, 10),
        ITEM_METHOD: Rate(10, 10),
        READ_METHOD: Rate(10, 10),
    },
    endpoints={"api": DEFAULT_ROUTER},
    credential_fields=("app_key", "app_secret", "session"),  # optional: sign_method (md5|hmac|hmac-sha256)
    build=TaobaoOrderSource,
    minimum_calls=lambda changed: max(1, math.ceil(changed / PAGE_SIZE)),
    stock=TaobaoStockWriter,
    probe=probe,
    home_zone=lambda options: HOME_ZONE,
)
