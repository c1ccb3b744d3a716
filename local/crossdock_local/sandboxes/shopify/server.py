"""Shopify Admin GraphQL sandbox: `POST /admin/api/{version}/graphql.json` as Shopify answers it.

Each request is read first (`request.py`: token, version, body, GraphQL validation, variables,
cost); refused requests cost nothing. Rate: a leaky bucket of points per token (app + store), 1000
points, restoring 100 pts/s (the Standard plan) × rate_scale; a request is charged its requested cost
and refunded down to its actual cost; too few points → THROTTLED in the contract's shape with HTTP
200. Every 200 carries `extensions.cost`, whose `restoreRate` is the sandbox's real (scaled) rate, so a
client waiting (requested − currentlyAvailable) / restoreRate waits just long enough. Queries run on
graphql-core against the served version's `schema.py`, resolved from the store's OrderBook
(`resolvers.py`) and inventory (`inventory_resolvers.py`; stock helpers in
`stock_helpers.py`). Faults: `silent_empty` answers an empty page claiming more (a mutation:
a null payload; a stock read: no data); `error_envelope` INTERNAL_SERVER_ERROR, after which that
mutation's idempotency key answers IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
import uuid
from typing import Any

from graphql import execute_sync

from crossdock_local.sandboxes.base import (
    Drop,
    FaultProfile,
    Reply,
    Request,
    Route,
    Sandbox,
    SandboxShop,
    route,
)
from crossdock_local.sandboxes.buckets import Bucket, Rate
from crossdock_local.sandboxes.orderbook import OrderBook
from crossdock_local.sandboxes.shopify import webhooks as _webhooks  # noqa: F401  (attaches its resolvers)
from crossdock_local.sandboxes.shopify.bulk_helpers import RESULTS_PATH, ShopifyBulkHelpers
from crossdock_local.sandboxes.shopify.cost import actual_cost
from crossdock_local.sandboxes.shopify.inventory_resolvers import mutation_key
from crossdock_local.sandboxes.shopify.request import DOCS, GRAPHQL_PATH, Prepared, read_request
from crossdock_local.sandboxes.shopify.stock_helpers import ShopifyStockHelpers
from crossdock_local.sandboxes.shopify.store import Served, Store
from crossdock_local.sandboxes.shopify.webhook_delivery import EventBridgeDeliveries

BUCKET_POINTS = 1000.0
RESTORE_PER_SECOND = 100.0


class ShopifySandbox(ShopifyStockHelpers, ShopifyBulkHelpers, Sandbox):
    name = "shopify"

    def __init__(self, *, faults: FaultProfile | None = None, rate_scale: float = 1.0) -> None:
        self._stores: dict[str, Store] = {}
        self._buckets: dict[str, Bucket] = {}
        self._bucket_lock = threading.Lock()
        self._current = threading.local()
        # Order webhooks to EventBridge (webhook_delivery.py): `sandbox.webhooks.connect(moto's URL)`.
        self.webhooks = EventBridgeDeliveries(stores=lambda: list(self._stores.values()))
        super().__init__(faults=faults, rate_scale=rate_scale)

    def routes(self) -> list[Route]:
        return [
            route("POST", GRAPHQL_PATH, "graphql", self._graphql),
            route("GET", RESULTS_PATH, "bulk_results", self._bulk_results),
        ]

    # -- shops -------------------------------------------------------------------------------------
    def add_shop(self, shop_id: str, book: OrderBook) -> SandboxShop:
        store = Store(book=book, token=f"shpat_{secrets.token_hex(16)}")
        store.number_all()
        self._stores[shop_id] = store
        domain = re.sub(r"[^a-z0-9-]+", "-", shop_id.lower()).strip("-") or "shop"
        store.webhooks.shop_domain = f"{domain}.myshopify.com"
        return SandboxShop(
            credentials={"access_token": store.token},
            options={"shop_domain": f"{domain}.myshopify.com", "api_version": "2025-10"},
            endpoints={"api": self.url},
        )

    def stop(self) -> None:
        self.webhooks.stop()
        super().stop()

    def revoke(self, shop_id: str) -> None:
        self._stores[shop_id].revoked = True

    def reinstate(self, shop_id: str) -> None:
        self._stores[shop_id].revoked = False

    def order_id(self, shop_id: str, book_id: str) -> str:
        """The id under which a book order appears in crossdock (the numeric tail of its Order gid)."""
        store = self._stores[shop_id]
        order = store.book.get(book_id)
        return str(store.number(order)) if order else book_id

    def use_points(self, shop_id: str, points: float) -> None:
        """Spend points of the shop's bucket, as other queries of the same app on the store would."""
        with self._bucket_lock:
            bucket = self._bucket(self._stores[shop_id].token)
            bucket.set_level(bucket.tokens - points)

    def _store(self, token: str) -> Store | None:
        return next((s for s in self._stores.values() if s.token == token and not s.revoked), None)

    def _bucket(self, token: str) -> Bucket:
        rate = Rate(RESTORE_PER_SECOND * self.rate_scale, BUCKET_POINTS)
        return self._buckets.setdefault(token, Bucket(rate, clock=time.monotonic))

    def _prepare(self, request: Request) -> Prepared:
        """The request read once per dispatch: the limiter, faults and handler share it."""
        if getattr(self._current, "request", None) is not request:
            self._current.request, self._current.prepared = request, read_request(request, self._store)
        prepared: Prepared = self._current.prepared
        return prepared

    # -- Sandbox hooks -----------------------------------------------------------------------------
    def caller(self, request: Request) -> str:
        return request.headers.get("x-shopify-access-token", "anonymous")

    def limiter_wait(self, request: Request, route: Route) -> float:
        prepared = self._prepare(request)
        if prepared.refusal is not None:
            return 0.0
        with self._bucket_lock:
            bucket = self._bucket(prepared.token)
            prepared.available = bucket.tokens
            if prepared.available < prepared.cost:
                return (prepared.cost - prepared.available) / bucket.rate.per_second
            bucket.spend(prepared.cost)
        with self._lock:
            self.stats["points:requested"] += prepared.cost
        return 0.0

    def throttled(self, request: Request, route: Route, wait_s: float) -> Reply:
        prepared = self._prepare(request)
        errors = [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": DOCS}}]
        cost = self._cost(prepared, None, level=prepared.available)
        return self._reply(prepared, {"errors": errors, "extensions": {"cost": cost}})

    def render_fault(self, kind: str, request: Request, route: Route) -> Reply:
        prepared = self._prepare(request)
        if kind == "silent_empty":
            return self._reply(prepared, {"data": _silent_empty(prepared)})
        key = mutation_key(prepared)
        if key is not None and prepared.store is not None:
            prepared.store.inventory.spend(key)
        request_id = str(uuid.uuid4())
        message = (
            "Internal error. Looks like something went wrong on our end.\n"
            f"Request ID: {request_id} (include this in support requests)."
        )
        error = {"message": message, "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}}
        return self._reply(prepared, {"errors": [error]})

    # -- answering ---------------------------------------------------------------------------------
    def _graphql(self, request: Request, match: re.Match[str]) -> Reply:
        prepared = self._prepare(request)
        if prepared.refusal is not None:
            status, body = prepared.refusal
            if status != 200:
                return Reply(status, body)
            return self._reply(prepared, {**body, "extensions": {"cost": self._cost(prepared, 0)}})
        assert prepared.store is not None and prepared.document is not None and prepared.operation is not None
        assert prepared.schema is not None
        served = Served(prepared.store, prepared.version, base_url=self.url)
        result = execute_sync(
            prepared.schema,
            prepared.document,
            context_value=served,
            variable_values=prepared.variables,
            operation_name=prepared.operation.name.value if prepared.operation.name else None,
        )
        data = result.data or {}
        actual = actual_cost(prepared.roots, data)
        with self._bucket_lock:
            bucket = self._bucket(prepared.token)
            bucket.set_level(bucket.tokens + prepared.cost - actual)
        with self._lock:
            self.stats["points:actual"] += actual
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [error.formatted for error in result.errors]
        answer["extensions"] = {"cost": self._cost(prepared, actual)}
        if served.search_warnings:
            answer["extensions"]["search"] = served.search_warnings
        if prepared.mutation and prepared.store.inventory.take_lost():
            raise Drop()
        return self._reply(prepared, answer)

    def _cost(self, prepared: Prepared, actual: int | None, *, level: float | None = None) -> dict[str, Any]:
        with self._bucket_lock:
            bucket = self._bucket(prepared.token)
            status = {
                "maximumAvailable": bucket.rate.burst,
                "currentlyAvailable": int(max(bucket.tokens if level is None else level, 0.0)),
                "restoreRate": bucket.rate.per_second,
            }
        return {"requestedQueryCost": prepared.cost, "actualQueryCost": actual, "throttleStatus": status}

    def _reply(self, prepared: Prepared, body: dict[str, Any]) -> Reply:
        """A 200 with `extensions.cost` (when the caller is known) and Shopify's response headers."""
        if prepared.token and "cost" not in body.get("extensions", {}):
            body = {**body, "extensions": {"cost": self._cost(prepared, prepared.cost)}}
        headers = {"X-Request-Id": str(uuid.uuid4())}
        if prepared.version:
            headers["X-Shopify-API-Version"] = prepared.version
        return Reply(200, body, headers)


def _silent_empty(prepared: Prepared) -> dict[str, Any]:
    """A 200 that lacks the data: an empty page claiming more, a null payload, no levels."""
    root = prepared.roots[0].name if prepared.roots else "orders"
    if prepared.mutation:
        return {root: None}
    if root == "inventoryItem":
        return {}
    empty = {"pageInfo": {"hasNextPage": True, "endCursor": None}, "nodes": []}
    if root == "order":
        return {"order": {"id": prepared.variables.get("id"), "lineItems": empty}}
    return {"orders": empty}
