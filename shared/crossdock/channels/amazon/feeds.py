"""Feeds API 2021-06-30: one JSON_LISTINGS_FEED from upload to per-message outcomes.

1. `POST /feeds/2021-06-30/documents` `{"contentType": "application/json; charset=UTF-8"}` → 201
   `{feedDocumentId, url}` (0.5/s, burst 15).
2. `PUT url` with that Content-Type: a presigned S3 URL (5 minutes), no LWA header, no SP-API quota;
   counted as `uploadFeedDocument`. S3 answers errors as XML (s3.py).
3. `POST /feeds/2021-06-30/feeds` `{"feedType": "JSON_LISTINGS_FEED", "marketplaceIds", "inputFeedDocumentId"}`
   → 202 `{feedId}`. createFeed is 0.0083/s burst 15, and JSON_LISTINGS_FEED adds 5 feeds / 5 min per
   region: SPEC paces createFeed at the tighter of both (burst 5), and a granted rate announced in
   `x-amzn-RateLimit-Limit` is followed only up to the feed type's 1 per 60 s.
4. `GET /feeds/2021-06-30/feeds/{feedId}` (2/s, burst 15): first after `first_poll_s` (Amazon takes
   a while: polling at once only spends calls), then every `poll_interval_s` (never faster than the
   rate) until DONE, FATAL or CANCELLED, for at most `max_wait_s`; all three shrink by rate_scale.
5. `GET /feeds/2021-06-30/documents/{resultFeedDocumentId}` (0.0222/s, burst 10) → `{url,
   compressionAlgorithm?}`; the report is downloaded (`downloadReport`) and gunzipped if GZIP.

A feed still processing after `max_wait_s`, or whose status or report cannot be read, leaves every
update "failed" with detail "feed pending <feedId>" and no code (not Amazon's verdict, only ours that
it is not in yet): `outcomes(feedId, updates)` settles it later. FATAL and CANCELLED applied nothing:
every update "failed" with `code` "FATAL" / "CANCELLED" and a detail naming the feed, the report's
summary and first issue (`feed 123 FATAL: messagesProcessed 0, errors 1: <issue>`), so the caller can
send a new feed and alert when that one ends the same way. A report that cannot be fetched does not
hide the status: the detail then holds the status alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from crossdock.channels.amazon.feed_document import (
    CONTENT_TYPE,
    FEED_TYPE,
    encode_document,
    feed_document,
    quantity_message,
    read_report,
    report_outcomes,
    unfinished_detail,
)
from crossdock.channels.amazon.feed_wire import (
    CREATE_DOCUMENT,
    CREATE_FEED,
    FINISHED,
    GET_DOCUMENT,
    GET_FEED,
    parse_created_document,
    parse_created_feed,
    parse_document,
    parse_feed,
)
from crossdock.channels.amazon.listings import seller_sku
from crossdock.channels.amazon.s3 import download, upload
from crossdock.core.errors import CallDeferred, RetriesExhaustedError
from crossdock.stock.rules.sellable import PushOutcome, QuantityUpdate

if TYPE_CHECKING:
    from crossdock.channels.amazon.spapi import SpApi

DOCUMENTS_PATH = "/feeds/2021-06-30/documents"
FEEDS_PATH = "/feeds/2021-06-30/feeds"
GET_FEED_RATE = 2.0


@dataclass(frozen=True)
class FeedTiming:
    """Seconds (unscaled): the first getFeed after createFeed, the polls after it (never faster than
    getFeed's 2/s), and the longest a push waits for the report."""

    first_poll_s: float = 30.0
    poll_interval_s: float = 10.0
    max_wait_s: float = 60.0

    def scaled(self, rate_scale: float) -> FeedTiming:
        interval = max(self.poll_interval_s, 1 / GET_FEED_RATE)
        return FeedTiming(self.first_poll_s / rate_scale, interval / rate_scale, self.max_wait_s / rate_scale)


class ListingsFeeds:
    def __init__(
        self,
        api: SpApi,
        timing: FeedTiming | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = api
        self.http = api.http
        self.timing = (timing or FeedTiming()).scaled(api.http.rate_scale)
        self._sleep = sleep
        self._clock = clock

    def push(
        self, updates: Sequence[QuantityUpdate], product_types: Sequence[str], marketplace_id: str
    ) -> list[PushOutcome]:
        """One feed for these updates (≤ 25,000) in one marketplace; one outcome per update."""
        messages = [
            quantity_message(index + 1, seller_sku(update.listing), product_type, update.quantity)
            for index, (update, product_type) in enumerate(zip(updates, product_types, strict=True))
        ]
        document = encode_document(feed_document(self.api.require_seller_id(), messages))
        feed_id = self.submit(document, marketplace_id)
        return self.outcomes(feed_id, updates, first_poll_s=self.timing.first_poll_s)

    def submit(self, document: bytes, marketplace_id: str) -> str:
        """Upload the document and create the feed: its feedId."""
        return self.create_feed(self.upload_document(document), marketplace_id)

    def upload_document(self, document: bytes) -> str:
        """createFeedDocument, then the PUT to its presigned URL: the feedDocumentId."""
        document_id, url = self.api.call(
            CREATE_DOCUMENT,
            "POST",
            DOCUMENTS_PATH,
            lambda r: parse_created_document(self.http, r),
            body={"contentType": CONTENT_TYPE},
        )
        upload(self.http, url, document, CONTENT_TYPE)
        return document_id

    def create_feed(self, document_id: str, marketplace_id: str) -> str:
        spec = {"feedType": FEED_TYPE, "marketplaceIds": [marketplace_id], "inputFeedDocumentId": document_id}
        return self.api.call(
            CREATE_FEED, "POST", FEEDS_PATH, lambda r: parse_created_feed(self.http, r), body=spec
        )

    def outcomes(
        self,
        feed_id: str,
        updates: Sequence[QuantityUpdate],
        max_wait_s: float | None = None,
        *,
        first_poll_s: float = 0.0,
    ) -> list[PushOutcome]:
        """Each update's outcome once the feed finished: polls after `first_poll_s` (scaled), then
        every poll interval, for at most `max_wait_s` (unscaled; default the timing's). Settling a
        pending feed later is `outcomes(feed_id, updates)` with the same updates in the same order."""
        wait = self.timing.max_wait_s if max_wait_s is None else max_wait_s / self.http.rate_scale
        try:
            feed = self._wait(feed_id, wait, first_poll_s)
            if feed is None:
                return self._all(updates, "failed", f"feed pending {feed_id}")
            status = feed["processingStatus"]
            if status == "DONE":
                return report_outcomes(updates, self._report(feed), feed_id)
        except (RetriesExhaustedError, CallDeferred) as exc:
            return self._all(updates, "failed", f"feed pending {feed_id}: {exc}")
        detail = unfinished_detail(feed_id, status, self._unfinished_report(feed))
        return self._all(updates, "failed", detail, code=status)

    @staticmethod
    def _all(
        updates: Sequence[QuantityUpdate], status: str, detail: str, code: str = ""
    ) -> list[PushOutcome]:
        return [PushOutcome(update, status, detail, code=code) for update in updates]

    def _unfinished_report(self, feed: dict[str, Any]) -> dict[str, Any] | None:
        """A FATAL or CANCELLED feed's report when there is one to be had now (it only explains)."""
        if not feed.get("resultFeedDocumentId"):
            return None
        try:
            return self._report(feed)
        except (RetriesExhaustedError, CallDeferred):
            return None

    def _wait(self, feed_id: str, max_wait_s: float, first_poll_s: float) -> dict[str, Any] | None:
        """Poll getFeed until the feed finished (its Feed) or the wait is over (None)."""
        deadline = self._clock() + max_wait_s
        path = f"{FEEDS_PATH}/{quote(feed_id, safe='')}"
        delay = first_poll_s
        while True:
            pause = min(delay, deadline - self._clock())
            if pause > 0:
                self._sleep(pause)
            feed = self.api.call(GET_FEED, "GET", path, lambda r: parse_feed(self.http, r))
            if feed["processingStatus"] in FINISHED:
                return feed
            if self._clock() >= deadline:
                return None
            delay = self.timing.poll_interval_s

    def _report(self, feed: dict[str, Any]) -> dict[str, Any]:
        path = f"{DOCUMENTS_PATH}/{quote(str(feed['resultFeedDocumentId']), safe='')}"
        url, algorithm = self.api.call(GET_DOCUMENT, "GET", path, lambda r: parse_document(self.http, r))
        return download(self.http, url, lambda raw: read_report(raw, algorithm))
