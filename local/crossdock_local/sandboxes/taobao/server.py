"""A local TOP gateway (`/router/rest`) serving `taobao.trades.sold.increment.get` and
`taobao.trade.fullinfo.get` from OrderBooks, and the stock APIs `taobao.skus.quantity.update`,
`taobao.item.quantity.update` and `taobao.item.seller.get` from each shop's items (`item_calls.py`),
with TOP's checks and error shapes. Start it before `add_shop` (the shop's endpoint is this
server's URL). Stock helpers: `add_listing`, `quantity`, `freeze`, and refusals of the calls that
carry a chosen SKU: `refuse_updates` (permanent by default: `isv.sku-not-exist` for a SKU of an item,
`isv.item-not-exist` for an item without SKUs, every call from now on), `fail_next_update`
(transient: `isp.remote-service-error` once, then the call goes through) and `accept_updates`.

Gateway checks are in `checks.py`; then the session (27 `invalid-sessionkey`, or
`session-expired` once revoked). Business rules answer code 40 (missing argument) or 41 with
`isv.invalid-parameter` (window ≤ 1 day, end > start, not older than 3 calendar months, page_size
1..100). Every answer is HTTP 200. Throttling is per app key and API: code 7 with "This ban will
last N more seconds" (N has decimals below one second, so scaled rates stay fast in tests).

Trades carry only the requested `fields`; increment answers never carry `buyer_message` (only
`has_buyer_message`), fullinfo answers do when the book order has a note.

Test hooks: `on_page(page_no)` runs after each increment page is computed (mutate the book between
pages); `logistics_in_increment = False` leaves waybills out of increment answers (fullinfo has them).
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from crossdock_local.sandboxes.base import (
    FaultProfile,
    Reply,
    Request,
    Route,
    Sandbox,
    SandboxShop,
    ServerRateLimiter,
    route,
)
from crossdock_local.sandboxes.buckets import Rate
from crossdock_local.sandboxes.orderbook import OrderBook
from crossdock_local.sandboxes.taobao.checks import TopFault, check_gateway, invalid, missing, months_back
from crossdock_local.sandboxes.taobao.item_calls import STOCK_METHODS, envelope, serve_stock_call
from crossdock_local.sandboxes.taobao.items import ItemIds, Scripted, SellerItems
from crossdock_local.sandboxes.taobao.render import (
    DEFAULT_TYPES,
    TID_FORMAT,
    TradeRenderer,
    parse_gmt8,
    trade_type,
    type_selected,
)

__all__ = ["TID_FORMAT", "TaobaoSandbox"]

LIST = "taobao.trades.sold.increment.get"
DETAIL = "taobao.trade.fullinfo.get"
RATES = {method: Rate(10, 10) for method in (LIST, DETAIL, *STOCK_METHODS)}  # TOP publishes none


class TaobaoSandbox(Sandbox):
    name = "taobao"
    app_key = "24681357"

    def __init__(self, *, faults: FaultProfile | None = None, rate_scale: float = 1.0) -> None:
        self.app_secret = secrets.token_hex(16)
        self.books: dict[str, OrderBook] = {}  # session → book
        self.sessions: dict[str, str] = {}  # shop id → session
        self.items: dict[str, SellerItems] = {}  # session → the seller's items
        self.item_ids = ItemIds()
        self.revoked: set[str] = set()
        self.renderer = TradeRenderer()
        self.limiter = ServerRateLimiter(RATES, rate_scale)
        self.logistics_in_increment = True
        self.on_page: Callable[[int], None] | None = None
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        super().__init__(faults=faults, rate_scale=rate_scale)

    # -- shops ----------------------------------------------------------------------------------
    def add_shop(self, shop_id: str, book: OrderBook) -> SandboxShop:
        if book.currency != "CNY" or not all(oid.isdigit() for oid in book.snapshot()):
            raise ValueError("a Taobao book is CNY with numeric tids (id_format=TID_FORMAT)")
        session = f"6100{secrets.token_hex(20)}"
        previous = self.sessions.get(shop_id)
        items = self.items[previous] if previous else SellerItems(self.item_ids)  # a shop keeps its items
        self.sessions[shop_id], self.books[session], self.items[session] = session, book, items
        creds = {"app_key": self.app_key, "app_secret": self.app_secret, "session": session}
        return SandboxShop(credentials=creds, options={}, endpoints={"api": f"{self.url}/router/rest"})

    def revoke(self, shop_id: str) -> None:
        self.revoked.add(self.sessions[shop_id])

    def reinstate(self, shop_id: str) -> None:
        self.revoked.discard(self.sessions[shop_id])

    # -- stock ----------------------------------------------------------------------------------
    def add_listing(self, shop_id: str, sku: str, quantity: int = 0) -> dict[str, str]:
        """List `sku` on the shop (`FAMILY-…` codes share the family's item; codes without a dash
        are items without SKUs) and return its Listing.ref {num_iid[, sku_id]}."""
        return self._seller(shop_id).add(sku, quantity)

    def quantity(self, shop_id: str, sku: str) -> int:
        return self._seller(shop_id).stock(sku).quantity

    def freeze(self, shop_id: str, sku: str) -> None:
        """From now on accept updates for `sku` but keep its quantity (the read-back must notice)."""
        self._seller(shop_id).stock(sku).frozen = True

    def refuse_updates(
        self, shop_id: str, sku: str, sub_code: str | None = None, *, times: int | None = None
    ) -> None:
        """Refuse every call carrying `sku` from now on (or the next `times`) with `sub_code`: by
        default `isv.sku-not-exist` for a SKU of an item, `isv.item-not-exist` for an item without
        SKUs. `isv.invalid-parameter…` answers code 41, any other sub_code (`isp.*` too) code 15."""
        seller = self._seller(shop_id)
        with seller.lock:
            stock = seller.stock(sku)
            default = "isv.sku-not-exist" if stock.sku_id else "isv.item-not-exist"
            sub_code = sub_code or default
            invalid = sub_code.startswith("isv.invalid-parameter")
            code, msg = (41, "Invalid Arguments") if invalid else (15, "Remote service error")
            texts = {
                "isv.sku-not-exist": f"SKU {stock.sku_id} not in item {stock.num_iid}",
                "isv.item-not-exist": f"item {stock.num_iid} not found",
            }
            sub_msg = "服务端异常" if sub_code.startswith("isp.") else texts.get(sub_code, f"{sku} refused")
            stock.refusal = Scripted(code, msg, sub_code, sub_msg, times)

    def fail_next_update(
        self, shop_id: str, sku: str, times: int = 1, sub_code: str = "isp.remote-service-error"
    ) -> None:
        """The next `times` calls carrying `sku` meet a transient TOP error; later ones go through."""
        self.refuse_updates(shop_id, sku, sub_code, times=times)

    def accept_updates(self, shop_id: str, sku: str) -> None:
        """Stop refusing the calls that carry `sku`."""
        seller = self._seller(shop_id)
        with seller.lock:
            seller.stock(sku).refusal = None

    def _seller(self, shop_id: str) -> SellerItems:
        return self.items[self.sessions[shop_id]]

    # -- serving --------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [route(verb, r"/router/rest", "router", self._serve) for verb in ("POST", "GET")]

    def caller(self, request: Request) -> str:
        return request.params().get("app_key", "")

    def limiter_wait(self, request: Request, route: Route) -> float:
        method = request.params().get("method", "")
        with self._lock:
            self.stats[f"calls:{method}"] += 1
        return self.limiter.take(self.caller(request), method)

    def throttled(self, request: Request, route: Route, wait_s: float) -> Reply:
        ban = math.ceil(wait_s) if wait_s >= 1 else math.ceil(wait_s * 1000) / 1000
        sub_msg = f"This ban will last {ban:g} more seconds"
        return self._error(
            TopFault(7, "App Call Limited", "accesscontrol.limited-by-api-access-count", sub_msg)
        )

    def render_fault(self, kind: str, request: Request, route: Route) -> Reply:
        if kind == "error_envelope":
            return self._error(TopFault(15, "Remote service error", "isp.remote-service-error", "服务端异常"))
        method = request.params().get("method", "")
        if method == DETAIL or method in STOCK_METHODS:
            return Reply(200, {envelope(method): {"request_id": self._rid()}})
        answer = self._answer(request)[0].body
        data = answer.get("trades_sold_increment_get_response", {}) if isinstance(answer, dict) else {}
        total = max(1, int(data.get("total_results", 0)))
        return Reply(
            200, {"trades_sold_increment_get_response": {"total_results": total, "request_id": self._rid()}}
        )

    def _serve(self, request: Request, match: object) -> Reply:
        reply, page_no = self._answer(request)
        if page_no and self.on_page is not None:
            self.on_page(page_no)
        return reply

    def _answer(self, request: Request) -> tuple[Reply, int]:
        params = request.params()
        try:
            session = self._authenticate(params)
            book, method = self.books[session], params["method"]
            if method in STOCK_METHODS:
                body = serve_stock_call(self.items[session], method, params)
                return Reply(200, {envelope(method): {**body, "request_id": self._rid()}}), 0
            if method == LIST:
                page_no, body = self._increment(book, params)
                return Reply(200, {"trades_sold_increment_get_response": body}), page_no
            return Reply(200, {"trade_fullinfo_get_response": self._fullinfo(book, params)}), 0
        except TopFault as fault:
            return self._error(fault), 0

    def _error(self, fault: TopFault) -> Reply:
        return Reply(200, {"error_response": {**fault.body, "request_id": self._rid()}})

    @staticmethod
    def _rid() -> str:
        return secrets.token_hex(6)

    def _authenticate(self, p: dict[str, str]) -> str:
        methods = (LIST, DETAIL, *STOCK_METHODS)
        session = check_gateway(
            p, methods=methods, app_key=self.app_key, secret=self.app_secret, now=self.clock()
        )
        if session in self.revoked:
            raise TopFault(27, "Invalid session", "session-expired", "the session has expired or was revoked")
        if session not in self.books:
            raise TopFault(27, "Invalid session", "invalid-sessionkey", "unknown session")
        return session

    def _increment(self, book: OrderBook, p: dict[str, str]) -> tuple[int, dict[str, Any]]:
        for name in ("fields", "start_modified", "end_modified"):
            if not p.get(name):
                raise missing(name)
        start, end = self._time(p, "start_modified"), self._time(p, "end_modified")
        if end <= start:
            raise invalid("end_modified", "end_modified must be later than start_modified")
        if end - start > timedelta(days=1):
            raise invalid("end_modified", "end_modified - start_modified must not exceed one day")
        if start < months_back(self.clock(), 3):
            raise invalid("start_modified", "only trades of the last three months can be queried")
        page_no, page_size = self._int(p, "page_no", 1, 1, 10**6), self._int(p, "page_size", 40, 1, 100)
        types = set((p.get("type") or ",".join(DEFAULT_TYPES)).split(","))
        found = book.modified_between(start, end + timedelta(seconds=1, microseconds=-1), newest_first=True)
        found = [order for order in found if type_selected(trade_type(order), types)]
        rows = found[(page_no - 1) * page_size : page_no * page_size]
        body: dict[str, Any] = {"request_id": self._rid()}
        if p.get("use_has_next") == "true":
            body["has_next"] = page_no * page_size < len(found)
        else:
            body["total_results"] = len(found)
        if rows:
            logistics = self.logistics_in_increment
            body["trades"] = {  # partial trades: never the buyer's message (fullinfo has it)
                "trade": [
                    self.renderer.render(o, p["fields"], logistics=logistics, message=False) for o in rows
                ]
            }
        return page_no, body

    def _fullinfo(self, book: OrderBook, p: dict[str, str]) -> dict[str, Any]:
        for name in ("fields", "tid"):
            if not p.get(name):
                raise missing(name)
        if not p["tid"].isdigit():
            raise invalid("tid", "tid must be a number")
        order = book.get(p["tid"])
        if order is None:
            raise TopFault(15, "Remote service error", "isv.trade-not-exist", f"trade {p['tid']} not found")
        return {"trade": self.renderer.render(order, p["fields"]), "request_id": self._rid()}

    @staticmethod
    def _time(p: dict[str, str], name: str) -> datetime:
        try:
            return parse_gmt8(p[name])
        except ValueError:
            raise invalid(name, "expected yyyy-MM-dd HH:mm:ss") from None

    @staticmethod
    def _int(p: dict[str, str], name: str, default: int, low: int, high: int) -> int:
        text = p.get(name) or str(default)
        if not text.isdigit() or not low <= int(text) <= high:
            raise invalid(name, f"{name} must be an integer in {low}..{high}")
        return int(text)
