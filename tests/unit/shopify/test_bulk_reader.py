"""The Shopify bulk read against canned answers (`responses`, no sockets): routing by window span, the
calls it sends, reuse of a running operation, the concurrency limit, waits through the run's budget,
the download, and every way an operation can end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import responses
from crossdock.channels.shopify.bulk import MINIMUM_CALLS, reads_in_bulk
from crossdock.channels.shopify.bulk_query import bulk_orders_query
from crossdock.channels.shopify.channel import SPEC
from crossdock.channels.spec import ShopContext
from crossdock.core.errors import (
    AuthError,
    CallDeferred,
    InvalidResponseError,
    RequestRejectedError,
    RetriesExhaustedError,
    RetryableError,
)
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.orders.rules.windows import Window

START = datetime(2025, 3, 1, tzinfo=UTC)
DAY = Window(START, START + timedelta(days=1))
FILE = "https://storage.example/bulk/1.jsonl?X-Goog-Signature=abc"
GID = "gid://shopify/BulkOperation/7"
ORDER = {
    "id": "gid://shopify/Order/5200000000001",
    "createdAt": "2025-03-01T00:10:00Z",
    "updatedAt": "2025-03-01T00:20:00Z",
    "displayFinancialStatus": "PAID",
    "displayFulfillmentStatus": "UNFULFILLED",
}
ITEM = {
    "id": "gid://shopify/LineItem/9",
    "sku": "MUG",
    "quantity": 2,
    "__parentId": ORDER["id"],
}
BODY = (json.dumps(ORDER) + "\n" + json.dumps(ITEM) + "\n").encode()


def url(version: str = "2025-10") -> str:
    return f"https://mystore.myshopify.com/admin/api/{version}/graphql.json"


def operation(status: str, *, query: str = "", url: str | None = None, error: str | None = None) -> dict:
    completed = datetime.now(UTC).isoformat() if status not in ("CREATED", "RUNNING") else None
    return {
        "id": GID,
        "status": status,
        "errorCode": error,
        "url": url,
        "query": query,
        "objectCount": "2",
        "completedAt": completed,
    }


def data(value: dict[str, Any]) -> dict[str, Any]:
    status = {"maximumAvailable": 1000.0, "currentlyAvailable": 990, "restoreRate": 100.0}
    return {"data": value, "extensions": {"cost": {"requestedQueryCost": 1, "throttleStatus": status}}}


def current(op: dict | None) -> dict:
    return data({"currentBulkOperation": op})


def started(op: dict | None, *errors: str) -> dict:
    user_errors = [{"field": None, "message": message} for message in errors]
    return data({"bulkOperationRunQuery": {"bulkOperation": op, "userErrors": user_errors}})


def polled(op: dict) -> dict:
    return data({"node": op})


class Harness:
    def __init__(self, mock: responses.RequestsMock, budget: float | None = None, **settings: Any) -> None:
        self.mock = mock
        self.sleeps: list[float] = []
        self.http = ChannelHttp(
            SPEC.name,
            SPEC.rates,
            sleep=self.sleeps.append,
            clock=lambda: 0.0,
            retry=RetryPolicy(max_attempts=2),
            budget=None if budget is None else (lambda: budget),
        )
        self.version = str(settings.get("api_version", "2025-10"))
        options = {"shop_domain": "mystore.myshopify.com", **settings}
        credentials = {"access_token": "shpat_0123456789abcdef0123456789abcdef"}
        self.ctx = ShopContext(shop_id="shop-1", credentials=credentials, http=self.http, settings=options)

    def answer(self, *bodies: dict[str, Any]) -> None:
        for body in bodies:
            self.mock.add(responses.POST, url(self.version), json=body)

    def file(self, body: bytes = BODY, status: int = 200, at: str = FILE) -> None:
        self.mock.add(responses.GET, at, body=body, status=status)

    def pull(self, window: Window = DAY) -> list[Any]:
        return [order for page in SPEC.build(self.ctx).pages(window) for order in page]

    def sent(self) -> list[dict[str, Any]]:
        return [json.loads(c.request.body) for c in self.mock.calls if c.request.method == "POST"]


@pytest.fixture
def harness() -> Iterator[Harness]:
    with responses.RequestsMock() as mock:
        yield Harness(mock)


def test_windows_of_an_hour_or_more_go_through_bulk_and_shorter_ones_are_paged() -> None:
    hour = Window(START, START + timedelta(hours=1))
    five = Window(START, START + timedelta(minutes=5))
    assert reads_in_bulk({}, hour) and reads_in_bulk({}, DAY)
    assert not reads_in_bulk({}, Window(START, START + timedelta(minutes=59)))
    assert not reads_in_bulk({}, five)
    assert reads_in_bulk({"bulk_from_minutes": "5"}, five)
    assert not reads_in_bulk({"bulk_from_minutes": "off"}, DAY)
    with pytest.raises(RequestRejectedError):
        reads_in_bulk({"bulk_from_minutes": "0"}, DAY)


def test_a_bulk_read_starts_polls_and_streams_the_file(harness: Harness) -> None:
    # Given
    query = bulk_orders_query(DAY)
    harness.answer(
        current(None),
        started(operation("CREATED", query=query)),
        polled(operation("RUNNING", query=query)),
        polled(operation("COMPLETED", query=query, url=FILE)),
    )
    harness.file()

    # When
    orders = harness.pull()

    # Then
    assert [(o.order_id, [(li.sku, li.quantity) for li in o.lines]) for o in orders] == [
        ("5200000000001", [("MUG", 2)])
    ]
    run = harness.sent()[1]
    assert run["variables"] == {"query": query, "groupObjects": True}
    assert "updated_at:>='2025-03-01T00:00:00Z' AND updated_at:<='2025-03-02T00:00:00Z'" in query
    assert "node(id: $id)" in harness.sent()[2]["query"]
    assert dict(harness.http.stats.calls) == {"graphql": 4, "bulkDownload": 1}
    assert harness.sleeps == [1.0, 2.0]  # the polls back off
    assert "X-Shopify-Access-Token" not in harness.mock.calls[-1].request.headers
    assert MINIMUM_CALLS == 4


def test_completed_without_a_url_means_no_orders_and_no_download(harness: Harness) -> None:
    harness.answer(current(None), started(operation("CREATED")), polled(operation("COMPLETED")))
    assert harness.pull() == []
    assert "bulkDownload" not in harness.http.stats.calls


@pytest.mark.parametrize(
    ("status", "code", "fault"),
    [
        ("FAILED", "ACCESS_DENIED", AuthError),
        ("FAILED", "INTERNAL_SERVER_ERROR", RetryableError),
        ("FAILED", "TIMEOUT", RequestRejectedError),
        ("CANCELED", None, RetryableError),
        ("EXPIRED", None, RetryableError),
    ],
)
def test_an_operation_that_does_not_complete_ends_in_its_fault(
    harness: Harness, status: str, code: str | None, fault: type[Exception]
) -> None:
    harness.answer(current(None), started(operation("CREATED")), polled(operation(status, error=code)))
    with pytest.raises(fault) as raised:
        harness.pull()
    assert type(raised.value) is fault
    assert "bulkDownload" not in harness.http.stats.calls


IN_PROGRESS = f"A bulk query operation for this app and shop is already in progress: {GID}."


def test_an_operation_already_in_progress_defers_the_window_instead_of_failing(harness: Harness) -> None:
    # Given: the slot was taken between our look and our start, by another query
    other = operation("RUNNING", query="{ products { edges { node { id } } } }")
    harness.answer(current(None), started(None, IN_PROGRESS), current(other))

    # When / Then
    with pytest.raises(CallDeferred):
        harness.pull()
    assert not any("Cancel" in sent["query"] for sent in harness.sent())


def test_in_progress_with_our_own_query_is_our_earlier_attempt_and_is_taken_up(harness: Harness) -> None:
    # Given: a first attempt started the operation but its answer was lost
    query = bulk_orders_query(DAY)
    harness.answer(
        current(None),
        started(None, IN_PROGRESS),
        current(operation("RUNNING", query=query)),
        polled(operation("COMPLETED", query=query, url=FILE)),
    )
    harness.file()

    # When / Then
    assert len(harness.pull()) == 1


def test_another_running_query_defers_without_starting_before_2026_01(harness: Harness) -> None:
    harness.answer(current(operation("RUNNING", query="{ products { edges { node { id } } } }")))
    with pytest.raises(CallDeferred):
        harness.pull()
    assert len(harness.sent()) == 1  # nothing started, nothing cancelled


def test_from_2026_01_another_running_query_does_not_stop_ours() -> None:
    with responses.RequestsMock() as mock:
        harness = Harness(mock, api_version="2026-01")
        harness.answer(
            current(operation("RUNNING", query="{ products { edges { node { id } } } }")),
            started(operation("CREATED")),
            polled(operation("COMPLETED", url=FILE)),
        )
        harness.file()
        assert len(harness.pull()) == 1


def test_our_own_running_operation_is_polled_not_started_again(harness: Harness) -> None:
    query = bulk_orders_query(DAY)
    harness.answer(
        current(operation("RUNNING", query=query)), polled(operation("COMPLETED", query=query, url=FILE))
    )
    harness.file()
    assert len(harness.pull()) == 1
    assert not any("bulkOperationRunQuery" in sent["query"] for sent in harness.sent())


def test_a_wait_past_the_run_budget_defers_after_starting() -> None:
    with responses.RequestsMock() as mock:
        harness = Harness(mock, budget=0.5)
        harness.answer(current(None), started(operation("CREATED")))
        with pytest.raises(CallDeferred) as deferred:
            harness.pull()
        assert deferred.value.wait_s == 1.0 and harness.sleeps == []


def test_an_expired_link_is_read_again_from_the_operation(harness: Harness) -> None:
    fresh = FILE.replace("abc", "def")
    harness.answer(
        current(None),
        started(operation("CREATED")),
        polled(operation("COMPLETED", url=FILE)),
        polled(operation("COMPLETED", url=fresh)),
    )
    harness.file(b"<Error><Code>ExpiredToken</Code></Error>", status=400)
    harness.file(at=fresh)
    assert len(harness.pull()) == 1
    assert harness.http.stats.calls["bulkDownload"] == 2


def test_a_download_that_fails_before_its_first_line_is_tried_again(harness: Harness) -> None:
    harness.answer(current(None), started(operation("CREATED")), polled(operation("COMPLETED", url=FILE)))
    harness.file(b"<html>503</html>", status=503)
    harness.file()
    assert len(harness.pull()) == 1
    assert harness.http.stats.calls["bulkDownload"] == 2 and harness.http.stats.retries == 1


def test_a_file_that_is_not_jsonl_is_never_read_as_no_orders(harness: Harness) -> None:
    harness.answer(current(None), started(operation("CREATED")), polled(operation("COMPLETED", url=FILE)))
    harness.file(b"<!DOCTYPE html><html>maintenance</html>")
    with pytest.raises(RetriesExhaustedError) as raised:
        harness.pull()
    assert isinstance(raised.value.last, InvalidResponseError)
