"""Shopify bulk reads ↔ the sandbox over HTTP on 127.0.0.1: a day read by bulk equals the paged read,
in a handful of calls; a store busy with another operation defers the window; a run out of time
leaves its operation running and the next run takes it up; faults end in their typed errors; the
sandbox checks bulk queries and the concurrency limit as Shopify documents them. Sleeps are injected."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
from crossdock.channels.shopify.channel import SPEC
from crossdock.channels.spec import ShopContext
from crossdock.core.errors import AuthError, CallDeferred, RequestRejectedError, RetryableError
from crossdock.core.http import ChannelHttp
from crossdock.orders.rules.order import Order
from crossdock.orders.rules.windows import Window
from crossdock_local.sandboxes.orderbook import OrderBook
from crossdock_local.sandboxes.shopify.server import ShopifySandbox

END = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
DAY = Window(END - timedelta(days=1), END)
OTHER_QUERY = "{ orders(query: \"created_at:>='2020-01-01'\") { edges { node { id } } } }"
RUN = "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { message } } }"
_shops = iter(range(10**6))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ShopifySandbox]:
    server = ShopifySandbox(rate_scale=50.0)
    server.start()
    yield server
    server.stop()


class Shop:
    def __init__(self, sandbox: ShopifySandbox, orders: int, **options: Any) -> None:
        self.sandbox = sandbox
        self.book = OrderBook(shop=f"bulk-{next(_shops)}", currency="EUR", rate_to_cny=Decimal("7.8"), seed=3)
        self.book.populate(orders, start=DAY.start + timedelta(minutes=1), end=DAY.end - timedelta(minutes=1))
        self.registered = sandbox.add_shop(self.book.shop, self.book)
        self.options = {**self.registered.options, **options}
        self.sleeps: list[float] = []

    def context(self, budget: float | None = None, *, paced: bool = False, **options: Any) -> ShopContext:
        """A client whose sleeps are recorded, not slept (`paced`: slept, for the paged query, which
        waits for the sandbox's cost bucket to refill in real time)."""
        http = ChannelHttp(
            SPEC.name,
            SPEC.rates,
            rate_scale=50.0,
            sleep=time.sleep if paced else self.sleeps.append,
            budget=None if budget is None else (lambda: budget),
        )
        settings = {**self.options, **options}
        return ShopContext(
            self.book.shop, self.registered.credentials, http, self.registered.endpoints, settings
        )

    def pull(self, ctx: ShopContext, window: Window = DAY) -> list[Order]:
        return [order for page in SPEC.build(ctx).pages(window) for order in page]

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        version = self.options["api_version"]
        response = requests.post(
            f"{self.sandbox.url}/admin/api/{version}/graphql.json",
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": self.registered.credentials["access_token"]},
            timeout=10,
        )
        body: dict[str, Any] = response.json()
        return body


def test_a_day_read_by_bulk_equals_the_paged_read_in_five_calls(sandbox: ShopifySandbox) -> None:
    # Given
    shop = Shop(sandbox, 400)
    bulk_ctx, paged_ctx = shop.context(), shop.context(paced=True, bulk_from_minutes="off")

    # When
    by_bulk = sorted(shop.pull(bulk_ctx), key=lambda o: o.order_id)
    paged = sorted(shop.pull(paged_ctx), key=lambda o: o.order_id)

    # Then
    assert len(by_bulk) == 400 and by_bulk == paged
    assert [o.lines for o in by_bulk] == [o.lines for o in paged]
    assert dict(bulk_ctx.http.stats.calls) == {"graphql": 4, "bulkDownload": 1}  # current, run, 2 polls
    assert paged_ctx.http.stats.calls["graphql"] == SPEC.minimum_calls(400) == 14
    (operation,) = sandbox.bulk_operations(shop.book.shop)
    assert operation.status == "COMPLETED" and operation.group and operation.result.roots == 400


def test_an_operation_already_running_defers_the_window_and_is_never_cancelled(
    sandbox: ShopifySandbox,
) -> None:
    # Given: another bulk query of the same app runs on the store (one at a time before 2026-01)
    shop = Shop(sandbox, 20)
    sandbox.bulk_polls(shop.book.shop, 3)
    assert shop.graphql(RUN, {"q": OTHER_QUERY})["data"]["bulkOperationRunQuery"]["userErrors"] == []

    # When / Then
    with pytest.raises(CallDeferred):
        shop.pull(shop.context())
    (other,) = sandbox.bulk_operations(shop.book.shop)
    assert other.status == "RUNNING"

    # When it is done, the window is read
    shop.graphql("{ currentBulkOperation { status } }")
    shop.graphql("{ currentBulkOperation { status } }")
    assert len(shop.pull(shop.context())) == 20
    assert [op.status for op in sandbox.bulk_operations(shop.book.shop)] == ["COMPLETED", "COMPLETED"]


def test_a_run_out_of_time_defers_and_the_next_run_reuses_the_running_operation(
    sandbox: ShopifySandbox,
) -> None:
    # Given
    shop = Shop(sandbox, 30)
    sandbox.bulk_polls(shop.book.shop, 3)

    # When: no time to wait for the first poll
    with pytest.raises(CallDeferred):
        shop.pull(shop.context(budget=0.0))
    (started,) = sandbox.bulk_operations(shop.book.shop)
    assert started.status == "CREATED"

    # Then: the continuation finds it and does not start another
    ctx = shop.context()
    assert len(shop.pull(ctx)) == 30
    assert sandbox.bulk_operations(shop.book.shop) == [started]


@pytest.mark.parametrize(
    ("code", "fault"),
    [
        ("ACCESS_DENIED", AuthError),
        ("INTERNAL_SERVER_ERROR", RetryableError),
        ("TIMEOUT", RequestRejectedError),
    ],
)
def test_a_failed_operation_ends_in_its_typed_error(
    sandbox: ShopifySandbox, code: str, fault: type[Exception]
) -> None:
    shop = Shop(sandbox, 5)
    sandbox.fail_next_bulk(shop.book.shop, code)
    with pytest.raises(fault):
        shop.pull(shop.context())


def test_a_link_expired_before_the_download_is_renewed_from_the_operation(sandbox: ShopifySandbox) -> None:
    # Given: the signed link expires between the last poll and the download
    shop = Shop(sandbox, 8)
    ctx = shop.context()
    get = ctx.http.session.get
    downloads: list[str] = []

    def expiring_get(url: str, **kwargs: Any) -> requests.Response:
        if not downloads:
            sandbox.expire_bulk_links(shop.book.shop)
        downloads.append(url)
        return get(url, **kwargs)

    ctx.http.session.get = expiring_get  # type: ignore[method-assign]

    # When
    orders = shop.pull(ctx)

    # Then: one operation, two links, every order
    assert len(orders) == 8 and len(downloads) == 2 and downloads[0] != downloads[1]
    assert ctx.http.stats.calls["bulkDownload"] == 2 and len(sandbox.bulk_operations(shop.book.shop)) == 1


def test_an_expired_operation_is_read_anew(sandbox: ShopifySandbox) -> None:
    # Given
    shop = Shop(sandbox, 12)
    assert len(shop.pull(shop.context())) == 12
    sandbox.expire_bulk_operations(shop.book.shop)

    # When: the old result expired (status EXPIRED): a new operation reads the window
    assert len(shop.pull(shop.context())) == 12

    # Then
    assert [op.status for op in sandbox.bulk_operations(shop.book.shop)] == ["EXPIRED", "COMPLETED"]


def test_a_window_without_orders_completes_without_a_file(sandbox: ShopifySandbox) -> None:
    shop = Shop(sandbox, 3)
    empty = Window(DAY.start - timedelta(days=3), DAY.start - timedelta(days=2))
    ctx = shop.context()
    assert shop.pull(ctx, empty) == []
    assert "bulkDownload" not in ctx.http.stats.calls


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ shop { name } }", "at least one connection"),
        (
            "{ " + " ".join(f"o{i}: orders {{ edges {{ node {{ id }} }} }}" for i in range(6)) + " }",
            "more than 5",
        ),
        ('{ node(id: "gid://shopify/Order/1") { id } }', "top level"),
        ("{ orders { edges { node { nope } } } }", "Invalid bulk query"),
    ],
)
def test_the_sandbox_refuses_bulk_queries_shopify_refuses(
    sandbox: ShopifySandbox, query: str, message: str
) -> None:
    shop = Shop(sandbox, 1)
    payload = shop.graphql(RUN, {"q": query})["data"]["bulkOperationRunQuery"]
    assert payload["bulkOperation"] is None and message in payload["userErrors"][0]["message"]
    assert sandbox.bulk_operations(shop.book.shop) == []


def test_from_2026_01_five_query_operations_run_at_once_and_bulk_operation_by_id_exists(
    sandbox: ShopifySandbox,
) -> None:
    shop = Shop(sandbox, 1, api_version="2026-01")
    answers = [shop.graphql(RUN, {"q": OTHER_QUERY})["data"]["bulkOperationRunQuery"] for _ in range(6)]
    assert [bool(a["bulkOperation"]) for a in answers] == [True] * 5 + [False]
    assert "already in progress" in answers[5]["userErrors"][0]["message"]
    gid = answers[0]["bulkOperation"]["id"]
    by_id = shop.graphql("query($id: ID!) { bulkOperation(id: $id) { id status } }", {"id": gid})
    assert by_id["data"]["bulkOperation"] == {"id": gid, "status": "RUNNING"}
    legacy = Shop(sandbox, 1)
    assert "errors" in legacy.graphql('{ bulkOperation(id: "x") { id } }')
