"""eBay sandbox: OAuth refresh-token and client-credentials grants (`identity.py`), Sell Fulfillment
getOrders / getShippingFulfillments, the stock side (`stock.py`: Sell Inventory bulkUpdatePriceQuantity,
bulkGetInventoryItem, getOffer over the listings of `inventory_store.py`), and Marketplace Account
Deletion notifications (`notifications.py`: the portal's endpoint check, getPublicKey, a signed sender).

- `GET /sell/fulfillment/v1/order`: a valid bearer token, the filter grammar (`filter.py`), `limit`
  1..200 (errorId 31100), `offset` ≥ 0 (31000), `orderIds` ≤ 50 (30900), `fieldGroups` TAX_BREAKDOWN
  (32800). Orders are sorted by creation date, newest first, as eBay does — so an order modified while
  a client pages really shifts the offsets. `href`, `next` and `prev` links as eBay builds them.
- `GET /sell/fulfillment/v1/order/{orderId}/shipping_fulfillment`: the order's tracking.
- Faults in eBay's shapes: `silent_empty` = 200 with `total` but no `orders` (inventory: empty
  `responses`, an offer without fields); `error_envelope` = 500 `errors[]` errorId 2003 (inventory:
  25001). eBay publishes daily quotas only; the sandbox enforces a short-term bucket of 5/s, burst 25,
  per seller and operation (× rate_scale), answered with 429 errorId 2001 + Retry-After.
Call `add_shop` after `start()`: the endpoints it returns point at this server.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

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
from crossdock_local.sandboxes.ebay.filter import (
    INTERNAL,
    THROTTLED,
    Criteria,
    EbayRequestError,
    bounded_param,
    int_or,
    parse_filter,
    platform_error,
)
from crossdock_local.sandboxes.ebay.identity import EbayIdentity
from crossdock_local.sandboxes.ebay.inventory_store import InventoryStore
from crossdock_local.sandboxes.ebay.notifications import EbayNotifications
from crossdock_local.sandboxes.ebay.render import (
    BASE_PATH,
    ebay_order_id,
    render_fulfillments,
    render_order,
    statuses,
)
from crossdock_local.sandboxes.ebay.stock import STOCK_OPERATIONS, EbayStockSide
from crossdock_local.sandboxes.orderbook import OrderBook, SyntheticOrder

RATES = {op: Rate(5.0, 25.0) for op in ("getOrders", "getShippingFulfillments", *STOCK_OPERATIONS)}
NOTIFICATION_RATES = {"getPublicKey": Rate(5.0, 25.0)}  # the application's, not a seller's
PUBLIC_KEY_PATH = r"/commerce/notification/v1/public_key/(?P<kid>[^/]+)"
INVENTORY_FAULT = (25001, "A system error has occurred.", 500, "API_INVENTORY")
MARKETPLACES = {"EUR": "EBAY_DE", "GBP": "EBAY_GB", "AUD": "EBAY_AU", "CAD": "EBAY_CA"}


@dataclass(frozen=True)
class Seller:
    shop_id: str
    book: OrderBook
    marketplace: str


class EbaySandbox(EbayStockSide, Sandbox):
    name = "ebay"

    def __init__(self, *, faults: FaultProfile | None = None, rate_scale: float = 1.0) -> None:
        self.identity = EbayIdentity()
        self.sellers: dict[str, Seller] = {}
        self.order_ids: dict[str, tuple[str, str]] = {}  # eBay order id → (shop, book order id)
        self.limiter = ServerRateLimiter({**RATES, **NOTIFICATION_RATES}, rate_scale)
        self._ids_lock = threading.Lock()
        self.store = InventoryStore()
        self.notifications = EbayNotifications()
        super().__init__(faults=faults, rate_scale=rate_scale)

    def routes(self) -> list[Route]:
        fulfillments = BASE_PATH + r"/order/(?P<order_id>[^/]+)/shipping_fulfillment"
        return [
            route(
                "POST", r"/identity/v1/oauth2/token", "refreshToken", lambda req, _: self.identity.token(req)
            ),
            route("GET", BASE_PATH + r"/order", "getOrders", self._orders),
            route("GET", fulfillments, "getShippingFulfillments", self._fulfillments),
            route("GET", PUBLIC_KEY_PATH, "getPublicKey", self._public_key),
            *self.stock_routes(),
        ]

    # -- shops ----------------------------------------------------------------------------------------
    def add_shop(self, shop_id: str, book: OrderBook) -> SandboxShop:
        marketplace = MARKETPLACES.get(book.currency, "EBAY_US")
        self.sellers[shop_id] = Seller(shop_id, book, marketplace)
        identity = self.identity
        return SandboxShop(
            credentials={
                "client_id": identity.client_id,
                "client_secret": identity.client_secret,
                "refresh_token": identity.consent(shop_id),
            },
            options={"marketplace_id": marketplace},
            endpoints={"api": self.url, "identity": self.url},
        )

    def application_secret(self, endpoint: str) -> dict[str, Any]:
        """crossdock's eBay application secret for the account-deletion endpoint registered at
        `endpoint` in the sandbox's portal (a fresh verification token each time)."""
        token = self.notifications.configure(endpoint)
        return {
            "client_id": self.identity.client_id,
            "client_secret": self.identity.client_secret,
            "verification_token": token,
            "endpoint": endpoint,
            "endpoints": {"api": self.url, "identity": self.url},
        }

    def order_id(self, shop_id: str, book_id: str) -> str:
        """The eBay order id (`12-12345-67890`) under which a book order is served."""
        return ebay_order_id(shop_id, book_id)

    def revoke(self, shop_id: str) -> None:
        self.identity.revoke(shop_id)

    def reinstate(self, shop_id: str) -> None:
        self.identity.reinstate(shop_id)

    # -- rate limiting and faults ------------------------------------------------------------------------
    def caller(self, request: Request) -> str:
        grant = self.identity.grant_of(request)
        return grant.shop_id if grant else "anonymous"

    def limiter_wait(self, request: Request, route: Route) -> float:
        return self.limiter.take(self.caller(request), route.operation)

    def throttled(self, request: Request, route: Route, wait_s: float) -> Reply:
        reply = platform_error(THROTTLED).reply()
        reply.headers["Retry-After"] = f"{max(wait_s, 0.001):.3f}"
        return reply

    def render_fault(self, kind: str, request: Request, route: Route) -> Reply:
        if kind == "error_envelope":
            return platform_error(
                INVENTORY_FAULT if route.operation in STOCK_OPERATIONS else INTERNAL
            ).reply()
        if route.operation in STOCK_OPERATIONS[:2]:
            return Reply(200, {"responses": []})
        if route.operation == "getOrders":
            limit, offset = int_or(request.query.get("limit"), 50), int_or(request.query.get("offset"), 0)
            href = self._href(request.query, offset)
            return Reply(200, {"href": href, "total": offset + limit, "limit": limit, "offset": offset})
        if route.operation == "getShippingFulfillments":
            return Reply(200, {"total": 1})
        return Reply(200, {})

    # -- Sell Fulfillment -----------------------------------------------------------------------------
    def _orders(self, request: Request, match: Any) -> Reply:
        query = request.query
        try:
            seller = self.sellers[self.identity.authorize(request)]
            limit = bounded_param(query, "limit", 50, 1, 200, 31100)
            offset = bounded_param(query, "offset", 0, 0, None, 31000)
            if query.get("fieldGroups", "TAX_BREAKDOWN") != "TAX_BREAKDOWN":
                raise EbayRequestError(32800, f"Invalid field group: {query['fieldGroups']}")
            if "orderIds" in query:
                wanted = [i for i in query["orderIds"].split(",") if i]
                if len(wanted) > 50:
                    raise EbayRequestError(
                        30900, "Exceeded maximum number of order IDs (the current limit is 50)"
                    )
                matched = [o for o in (self._by_ebay_id(seller, i) for i in wanted) if o is not None]
            else:
                now = datetime.now(UTC)
                matched = self._matching(seller, parse_filter(query.get("filter"), now), now)
        except EbayRequestError as error:
            return error.reply()
        matched.sort(key=lambda o: (o.created_at, self._id(seller, o)), reverse=True)
        body: dict[str, Any] = {
            "href": self._href(query, offset),
            "total": len(matched),
            "limit": limit,
            "offset": offset,
            "orders": [self._render(seller, o) for o in matched[offset : offset + limit]],
        }
        if offset + limit < len(matched):
            body["next"] = self._href(query, offset + limit)
        if offset > 0:
            body["prev"] = self._href(query, max(0, offset - limit))
        return Reply(200, body)

    def _matching(self, seller: Seller, criteria: Criteria, now: datetime) -> list[SyntheticOrder]:
        end = criteria.end or now
        if criteria.field == "lastmodifieddate":
            found = seller.book.modified_between(criteria.start, end)
        else:
            found = [o for o in seller.book.snapshot().values() if criteria.start <= o.created_at <= end]
        if criteria.fulfillment is not None:
            found = [o for o in found if statuses(o)[1] in criteria.fulfillment]
        return found

    def _fulfillments(self, request: Request, match: Any) -> Reply:
        try:
            seller = self.sellers[self.identity.authorize(request)]
        except EbayRequestError as error:
            return error.reply()
        order = self._by_ebay_id(seller, match["order_id"])
        if order is None:
            return EbayRequestError(32100, f"Invalid order ID: {match['order_id']}").reply()
        return Reply(200, render_fulfillments(order, self._render(seller, order)))

    # -- Notification API ------------------------------------------------------------------------------
    def _public_key(self, request: Request, match: Any) -> Reply:
        try:
            self.identity.authorize_application(request)
        except EbayRequestError as error:
            return error.reply()
        return self.notifications.public_key(match["kid"])

    # -- helpers ----------------------------------------------------------------------------------------
    def _id(self, seller: Seller, order: SyntheticOrder) -> str:
        order_id = ebay_order_id(seller.shop_id, order.order_id)
        with self._ids_lock:
            self.order_ids.setdefault(order_id, (seller.shop_id, order.order_id))
        return order_id

    def _by_ebay_id(self, seller: Seller, order_id: str) -> SyntheticOrder | None:
        shop, book_id = self.order_ids.get(order_id, (seller.shop_id, order_id))
        if shop == seller.shop_id and (order := seller.book.get(book_id)) is not None:
            return order
        return next((o for o in seller.book.snapshot().values() if self._id(seller, o) == order_id), None)

    def _render(self, seller: Seller, order: SyntheticOrder) -> dict[str, Any]:
        order_id = self._id(seller, order)
        return render_order(
            order, order_id=order_id, seller_id=seller.shop_id, marketplace=seller.marketplace, api=self.url
        )

    def _href(self, query: dict[str, str], offset: int) -> str:
        params = {**query, "offset": str(offset)}
        text = "&".join(f"{name}={quote(value, safe=':.,')}" for name, value in params.items())
        return f"{self.url}{BASE_PATH}/order?{text}"
