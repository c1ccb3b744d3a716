"""A window of Shopify orders read by one bulk operation (push-contracts §3): find or start, poll, stream.

1. `currentBulkOperation(type: QUERY)`: the app's newest query operation on the store. Running or
   freshly completed for this very query (a previous run ran out of time while it ran) → use it, never
   a second one. Running another query while the version allows one at a time (before 2026-01; five
   from 2026-01, push-contracts §3.2) → CallDeferred: wait and retry, never cancel someone's operation.
2. `bulkOperationRunQuery(query:, groupObjects: true)`: grouping is passed explicitly because its
   default changed from true (2025-10) to false (2026-01), and grouped output is what lets us stream.
   The "already in progress" userError (its `code` is UNCONFIRMED, so the message is read) →
   CallDeferred.
3. Poll `node(id:)` after 1 s, doubling to every 30 s (shrunk by rate_scale, like every pace). Each
   pause goes through the client's budget: a wait past what this Lambda run has left raises
   CallDeferred, the puller enqueues a continuation of the window, and step 1 finds the operation.
4. COMPLETED: stream the JSONL from its signed `url` (no token: the signature is the credential),
   counted as `bulkDownload` in the client's stats; a refused link (expired signature) is re-read once
   for a fresh one. `url` null (Shopify's answer for no objects, UNCONFIRMED) → no orders.
   FAILED by errorCode: ACCESS_DENIED → AuthError, INTERNAL_SERVER_ERROR → RetryableError, TIMEOUT →
   RequestRejectedError (the window asks too much at once: Shopify's advice is fewer fields; ours is a
   shorter window). CANCELED / EXPIRED → RetryableError: the next run starts a new operation.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests

from crossdock.channels.shopify.bulk_download import EXPIRED_LINK, open_file
from crossdock.channels.shopify.bulk_jsonl import order_pages
from crossdock.channels.shopify.bulk_query import (
    CURRENT_QUERY,
    POLL_QUERY,
    READ_COST,
    RUN_COST,
    RUN_MUTATION,
    BulkOperation,
    bulk_operation,
    bulk_orders_query,
    current_operation,
    ended_badly,
    polled_operation,
    same_query,
)
from crossdock.channels.shopify.wire import CHANNEL
from crossdock.core.errors import (
    CallDeferred,
    ConnectionFault,
    InvalidResponseError,
    RequestRejectedError,
    RetriesExhaustedError,
    RetryableError,
)

if TYPE_CHECKING:
    from crossdock.channels.shopify.shop import ShopifyStore
    from crossdock.channels.spec import ShopContext
    from crossdock.orders.rules.order import Order
    from crossdock.orders.rules.windows import Window

BULK_FROM_MINUTES = 60
REUSE_COMPLETED_WITHIN = timedelta(minutes=15)  # a finished result older than this is read anew
IN_PROGRESS = ("already in progress", "concurrent")
MINIMUM_CALLS = 4  # currentBulkOperation + bulkOperationRunQuery + ≥ 1 poll + the download


@dataclass(frozen=True)
class BulkTiming:
    """Seconds (unscaled): the first poll, the longest gap between polls, and how long to wait before
    trying again when the store's bulk query slots are taken."""

    first_poll_s: float = 1.0
    max_poll_s: float = 30.0
    busy_retry_s: float = 60.0

    def scaled(self, rate_scale: float) -> BulkTiming:
        return BulkTiming(self.first_poll_s / rate_scale, self.max_poll_s / rate_scale, self.busy_retry_s)


def reads_in_bulk(settings: Any, window: Window) -> bool:
    """Whether a window is expected to hold many orders: it spans at least `bulk_from_minutes`
    (shop option, default 60; "off" never). Backfills, reconciliations and hourly full pulls do;
    the 5-minute incremental windows do not."""
    value = settings.get("bulk_from_minutes", BULK_FROM_MINUTES)
    if str(value).lower() == "off":
        return False
    if not str(value).isdigit() or int(value) < 1:
        raise RequestRejectedError(CHANNEL, f"option bulk_from_minutes {value!r} is not a number ≥ 1 or off")
    return window.span >= timedelta(minutes=int(value))


def concurrent_queries(version: str) -> int:
    """Bulk query operations a store runs at once for one app: five from 2026-01, else one."""
    return 5 if version >= "2026-01" else 1


class BulkOrders:
    """One store's windows read by bulk operation, page by page of normalized Orders."""

    def __init__(self, ctx: ShopContext, store: ShopifyStore, timing: BulkTiming | None = None) -> None:
        self.ctx, self.store, self.http = ctx, store, ctx.http
        self.timing = (timing or BulkTiming()).scaled(ctx.http.rate_scale)
        self._rng = random.Random()

    def pages(self, window: Window) -> Iterator[list[Order]]:
        operation = self.finished(self.operation_for(bulk_orders_query(window)))
        if operation.url is not None:
            yield from order_pages(self.ctx.shop_id, self._lines(operation))

    # -- the operation ---------------------------------------------------------------------------
    def operation_for(self, query: str) -> BulkOperation:
        """The operation for this query: the one already there, or a new one."""
        current = self.store.query(CURRENT_QUERY, {}, READ_COST, current_operation)
        reusable = current is not None and (current.running or self._fresh(current))
        if reusable and current is not None and same_query(current.query, query):
            return current
        if current is not None and current.running and concurrent_queries(self.store.version) == 1:
            raise CallDeferred(CHANNEL, self.timing.busy_retry_s)
        started = self.store.query(
            RUN_MUTATION, {"query": query, "groupObjects": True}, RUN_COST, self._started
        )
        if started is not None:
            return started
        # In progress: ours, when an earlier attempt of this very call was taken but its answer lost.
        current = self.store.query(CURRENT_QUERY, {}, READ_COST, current_operation)
        if current is not None and current.running and same_query(current.query, query):
            return current
        raise CallDeferred(CHANNEL, self.timing.busy_retry_s)

    def _started(self, data: dict[str, Any]) -> BulkOperation | None:
        """The started operation; None when the store's bulk query slots are taken."""
        payload = data.get("bulkOperationRunQuery")
        if not isinstance(payload, dict):
            raise InvalidResponseError(CHANNEL, "answer lacks data.bulkOperationRunQuery")
        errors = [e for e in payload.get("userErrors") or [] if isinstance(e, dict)]
        message = "; ".join(str(e.get("message")) for e in errors)
        if any(phrase in message.lower() for phrase in IN_PROGRESS):
            return None
        if errors:
            raise RequestRejectedError(CHANNEL, f"bulkOperationRunQuery refused: {message[:300]}")
        return bulk_operation(payload.get("bulkOperation"), "data.bulkOperationRunQuery.bulkOperation")

    def _fresh(self, operation: BulkOperation) -> bool:
        """A result that completed moments ago (a run that ran out of time while it ran): its data is
        the window's. An older one is not reused: a reconciliation re-reads to catch late changes."""
        if operation.status != "COMPLETED" or operation.completed_at is None:
            return False
        now = self.ctx.now() if self.ctx.now else datetime.now(UTC)
        return now - operation.completed_at <= REUSE_COMPLETED_WITHIN

    def poll(self, operation_id: str) -> BulkOperation:
        return self.store.query(POLL_QUERY, {"id": operation_id}, READ_COST, polled_operation)

    def finished(self, operation: BulkOperation) -> BulkOperation:
        """Poll until the operation ends; COMPLETED, or its fault. Waits go through the run's budget."""
        delay = self.timing.first_poll_s
        while operation.running:
            self.http.pause(delay)  # CallDeferred when this run cannot wait that long
            operation = self.poll(operation.id)
            delay = min(delay * 2, self.timing.max_poll_s)
        if operation.status != "COMPLETED":
            raise ended_badly(operation)
        return operation

    # -- the file --------------------------------------------------------------------------------
    def _lines(self, operation: BulkOperation) -> Iterator[bytes]:
        """The file's lines. Until its first line is read, a failed download is tried again like any
        call (the client's retry policy; an expired link once more with a fresh link from the
        operation); once lines went out, a break ends the read (the puller reads the window again,
        and this completed operation serves it)."""
        renewed = False
        policy = self.http.retry
        for attempt in range(1, policy.max_attempts + 1):
            assert operation.url is not None
            try:
                response, lines = open_file(self.http, operation.url)
            except RetryableError as fault:
                self.http.stats.faults[fault.kind] += 1
                if fault.status in EXPIRED_LINK and not renewed:
                    renewed = True  # the signed link expired: the operation gives a fresh one
                    operation = self.finished(self.poll(operation.id))
                    if operation.url is None:
                        return
                elif attempt == policy.max_attempts:
                    raise RetriesExhaustedError(CHANNEL, fault, attempt) from fault
                else:
                    self.http.stats.retries += 1
                    self.http.pause(policy.backoff(attempt, self._rng))
                continue
            try:
                yield from lines
            except requests.RequestException as exc:
                self.http.stats.faults["connection"] += 1
                raise ConnectionFault(CHANNEL, f"bulk file download broke off: {exc}") from exc
            finally:
                response.close()
            return
