"""Amazon SP-API sandbox: the LWA token exchange and Orders API 2026-01-01 `searchOrders` on one server.

- `POST /auth/o2/token`: LWA (lwa.py) — refresh token → one-hour access token, LWA error shapes.
- `GET /orders/2026-01-01/orders`: needs a live `x-amz-access-token` (else 403 `Unauthorized`),
  enforces the model's parameter rules (query.py: 400 `InvalidInput`), draws from the seller's
  bucket (0.0056 r/s × rate_scale, burst 20; empty → 429 `QuotaExceeded`) and sends
  `x-amzn-RateLimit-Limit` (the unscaled rate) with every answer. Pages run oldest change first and
  the token carries the last (time, id) served, so orders that change while a pull pages are not
  skipped (wire.py renders them).
- Faults in Amazon's shapes: `error_envelope` = 500 `InternalFailure`; `silent_empty` = a 200 that
  claims a next page with no `orders` (or `orders: []`), alternately; on the token route, LWA's
  500 `server_error` and a 200 without `access_token`.
- `GET /orders/2026-01-01/orders/{orderId}` (get_order.py): one order by id, same shape, 0.5 r/s.
- Notifications API v1 (notifications.py): destinations (grantless) and ORDER_CHANGE subscriptions
  (seller token to create, grantless to read by id and delete), LWA client_credentials tokens for
  scope `sellingpartnerapi::notifications` (lwa.py). Subscribed sellers' order changes are delivered
  as ORDER_CHANGE messages to the destination's SQS queue on `aws_endpoint_url` (delivery.py:
  moto's server in the local stack), with `deliveries.drop/duplicate/hold/release` faults.
- Shops: a book in JPY sells on Amazon.co.jp (A1VC38T7YXB528), USD on Amazon.com (ATVPDKIKX0DER), …
  Each shop gets a merchant token (`options["seller_id"]`).
- Stock (stock*.py): JSON_LISTINGS_FEED feeds with their documents, patch/get listings items and
  FBA inventory summaries, with the same token checks, their documented rates and fault shapes.
  Helpers: `add_listing`, `quantity`, `freeze`, `set_fba`, `hold_feeds`, `fail_next_feed(s)` (FATAL),
  `refuse_sku` (a permanent per-SKU ERROR), `fail_sku` (a transient one), `expire_fba_tokens`.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from crossdock_local.sandboxes.amazon.delivery import OrderChangeDelivery, WatchedSeller
from crossdock_local.sandboxes.amazon.get_order import GET_ORDER, GET_ORDER_RATE, get_order
from crossdock_local.sandboxes.amazon.lwa import LwaAuthority, lwa_error
from crossdock_local.sandboxes.amazon.notifications import GRANTLESS, NOTIFICATION_RATES, NotificationsApi
from crossdock_local.sandboxes.amazon.query import InvalidInput, parse_search_query
from crossdock_local.sandboxes.amazon.stock import (
    FEED_TYPE_THROTTLE,
    STOCK_RATES,
    StockApi,
    StockHelpers,
    take_all,
)
from crossdock_local.sandboxes.amazon.stock_feeds import feed_routes
from crossdock_local.sandboxes.amazon.stock_items import item_routes
from crossdock_local.sandboxes.amazon.wire import (
    MARKETPLACES,
    Marketplace,
    amazon_order_id,
    search_page,
    sp_api_error,
)
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

SEARCH = "searchOrders"
SEARCH_RATE = Rate(0.0056, 20)
RATES = {SEARCH: SEARCH_RATE, GET_ORDER: GET_ORDER_RATE, **NOTIFICATION_RATES, **STOCK_RATES}


@dataclass
class Seller:
    shop_id: str
    book: OrderBook
    marketplace: Marketplace


class AmazonSandbox(StockHelpers, Sandbox):
    name = "amazon"

    def __init__(
        self,
        *,
        faults: FaultProfile | None = None,
        rate_scale: float = 1.0,
        aws_endpoint_url: str | None = None,
        aws_region: str = "us-east-1",
    ) -> None:
        self.lwa = LwaAuthority()
        self.sellers: dict[str, Seller] = {}
        self.stock = StockApi(self.lwa, rate_scale)
        self.notifications = NotificationsApi(self.lwa)
        self.deliveries = OrderChangeDelivery(
            self.notifications, self._watched, aws_endpoint_url=aws_endpoint_url, region=aws_region
        )
        self.notifications.on_subscribed = self.deliveries.subscribed
        self._limiter = ServerRateLimiter(RATES, rate_scale)
        self._fault_lock = threading.Lock()
        self._silent_empties = 0
        super().__init__(faults=faults, rate_scale=rate_scale)

    def routes(self) -> list[Route]:
        return [
            route("POST", r"/auth/o2/token", "token", lambda request, _: self.lwa.exchange(request)),
            route("GET", r"/orders/2026-01-01/orders", SEARCH, self._search),
            route("GET", r"/orders/2026-01-01/orders/(?P<id>[^/]+)", GET_ORDER, self._get_order),
            *self.notifications.routes(),
            *feed_routes(self.stock),
            *item_routes(self.stock),
        ]

    def start(self) -> AmazonSandbox:
        super().start()
        self.stock.base_url = self.url  # presigned document URLs point at this server
        self.deliveries.start()
        return self

    def stop(self) -> None:
        self.deliveries.stop()
        super().stop()

    @property
    def aws_endpoint_url(self) -> str | None:
        """Where ORDER_CHANGE notifications go (moto's server); settable once the stack is up."""
        return self.deliveries.aws_endpoint_url

    @aws_endpoint_url.setter
    def aws_endpoint_url(self, url: str | None) -> None:
        self.deliveries.aws_endpoint_url = url

    def __enter__(self) -> AmazonSandbox:
        return self.start()

    def dispatch(self, request: Request) -> Reply:
        self.stock.feeds.advance()  # feeds process on Amazon's clock, polled or not
        return super().dispatch(request)

    # -- shops ------------------------------------------------------------------------------------
    def add_shop(self, shop_id: str, book: OrderBook) -> SandboxShop:
        marketplace = MARKETPLACES.get(book.currency)
        if marketplace is None:
            raise ValueError(
                f"no Amazon marketplace sells in {book.currency}; use one of {sorted(MARKETPLACES)}"
            )
        account = self.stock.register(shop_id, marketplace.marketplace_id)
        self.sellers[shop_id] = Seller(shop_id, book, marketplace)  # after its account: deliveries read both
        return SandboxShop(
            credentials=self.lwa.register(shop_id),
            options={"marketplace_ids": [marketplace.marketplace_id], "seller_id": account.seller_id},
            endpoints={"api": self.url, "token": f"{self.url}/auth/o2/token"},
        )

    def revoke(self, shop_id: str) -> None:
        self.lwa.revoke(shop_id)

    def reinstate(self, shop_id: str) -> None:
        self.lwa.reinstate(shop_id)

    def expire_tokens(self, shop_id: str) -> None:
        """Age the shop's access tokens past their hour: SP-API then answers 403 'has expired'."""
        self.lwa.expire(shop_id)

    def order_id(self, shop_id: str, book_order_id: str) -> str:
        """The 3-7-7 id under which a book order appears."""
        return amazon_order_id(book_order_id, self.sellers[shop_id].marketplace)

    def _watched(self) -> dict[str, WatchedSeller]:
        return {
            shop_id: WatchedSeller(seller.book, self.stock.accounts[shop_id].seller_id, seller.marketplace)
            for shop_id, seller in list(self.sellers.items())
        }

    # -- limits and faults ------------------------------------------------------------------------
    def caller(self, request: Request) -> str:
        owner = self.lwa.authorize(request)
        if isinstance(owner, str):
            return owner
        return "application" if self.lwa.is_application_token(request) else "anonymous"

    def limiter_wait(self, request: Request, route: Route) -> float:
        caller = self.caller(request)
        if route.operation not in RATES or caller == "anonymous":
            return 0.0  # an unauthenticated call gets its 403 without spending quota
        if route.operation == "createFeed" and b"JSON_LISTINGS_FEED" in request.body:
            return take_all(self._limiter, caller, ("createFeed", FEED_TYPE_THROTTLE))
        return self._limiter.take(caller, route.operation)

    def throttled(self, request: Request, route: Route, wait_s: float) -> Reply:
        message = "You exceeded your quota for the requested resource."
        rate = RATES.get(route.operation, SEARCH_RATE)
        return sp_api_error(429, "QuotaExceeded", message, **{"x-amzn-RateLimit-Limit": str(rate.per_second)})

    def render_fault(self, kind: str, request: Request, route: Route) -> Reply:
        if route.operation == "token":
            if kind == "error_envelope":
                return lwa_error(500, "server_error", "Internal Server Error")
            return Reply(200, {"token_type": "bearer"})
        if route.operation == GET_ORDER or route.operation in GRANTLESS | {
            "createSubscription",
            "getSubscription",
        }:
            if kind == "error_envelope":
                return sp_api_error(
                    500, "InternalFailure", "We encountered an internal error. Please try again."
                )
            return Reply(200, {}, self._headers())  # a 200 without its payload
        if route.operation != SEARCH:
            stock = self.stock.render_fault(kind, request, route.operation)
            match = route.pattern.fullmatch(request.path)
            assert match is not None
            return stock if stock is not None else route.handler(request, match)
        if kind == "error_envelope":
            return sp_api_error(500, "InternalFailure", "We encountered an internal error. Please try again.")
        with self._fault_lock:
            self._silent_empties += 1
            bare = self._silent_empties % 2 == 1
        claim = {"pagination": {"nextToken": secrets.token_urlsafe(24)}}
        return Reply(200, claim if bare else {"orders": [], **claim}, self._headers())

    @staticmethod
    def _rate() -> str:
        return str(SEARCH_RATE.per_second)

    def _headers(self) -> dict[str, str]:
        return {"x-amzn-RateLimit-Limit": self._rate(), "x-amzn-RequestId": str(uuid.uuid4())}

    # -- searchOrders -----------------------------------------------------------------------------
    def _search(self, request: Request, _: Any) -> Reply:
        owner = self.lwa.authorize(request)
        if isinstance(owner, Reply):
            return owner
        seller = self.sellers[owner]
        now = datetime.now(UTC)
        try:
            query = parse_search_query(request.query, now=now)
            foreign = sorted(set(query.marketplace_ids) - {seller.marketplace.marketplace_id})
            if foreign:
                raise InvalidInput(f"Invalid marketplaceIds: {', '.join(foreign)}")
        except InvalidInput as exc:
            return sp_api_error(400, "InvalidInput", str(exc), **self._headers())
        if query.by == "lastUpdated":
            one_second = timedelta(seconds=1)  # the wire shows whole seconds: widen, search_page trims
            candidates = seller.book.modified_between(query.after - one_second, query.before + one_second)
        else:
            candidates = list(seller.book.snapshot().values())
        return Reply(200, search_page(candidates, query, seller.marketplace, now), self._headers())

    # -- getOrder ---------------------------------------------------------------------------------
    def _get_order(self, request: Request, match: Any) -> Reply:
        owner = self.lwa.authorize(request)
        if isinstance(owner, Reply):
            return owner
        seller = self.sellers[owner]
        return get_order(seller.book, seller.marketplace, request.query, match["id"])
